module gitward/tools/gofmt-ref/unicode-tables

go 1.25
