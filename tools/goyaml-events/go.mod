module gitward/tools/goyaml-events

go 1.22

require (
	go.yaml.in/yaml/v2 v2.4.3
	go.yaml.in/yaml/v3 v3.0.4
)
