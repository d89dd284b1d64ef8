module gogzip-ref

go 1.25
