// Command jsonpatch-ref applies JSON 6902 patches with the library kustomize v5.7.1 uses
// (gopkg.in/evanphx/json-patch.v4 v4.13.0, the version `kubectl kustomize` v1.35 links),
// for differential tests of gitward's core/src/kustomize/jsonpatch.rs.
//
// Usage:
//
//	cd tools/jsonpatch-ref && go build -o /tmp/jsonpatch-ref .
//	/tmp/jsonpatch-ref lib < cases.jsonl
//	/tmp/jsonpatch-ref kyaml < cases.jsonl
//
// Each input line is a JSON object {"doc": TEXT, "patch": TEXT}. The patch text is
// decoded as kustomize's patchjson6902 filter decodes it: used as JSON when it starts
// with "[", otherwise converted with sigs.k8s.io/yaml.YAMLToJSON first, then
// jsonpatch.DecodePatch.
//
//   - lib: doc is JSON text given to Patch.Apply as is; the output is the exact bytes
//     Apply returns.
//   - kyaml: doc is a YAML object read into a kyaml RNode, patched with kustomize's
//     patchjson6902.Filter followed by what PatchJson6902Transformer does after it
//     (internal annotations put back, annotations rewritten as a string map), and
//     printed as kustomize prints resources (RNode.MarshalJSON, then
//     sigs.k8s.io/yaml.JSONToYAML).
//
// Each output line is a JSON object: {"out": TEXT} on success, {"err": TEXT} with the
// exact err.Error(), or {"panic": TEXT} with the recovered panic value (the library
// panics on a few inputs; kustomize would crash there).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"sigs.k8s.io/kustomize/api/filters/patchjson6902"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/yaml"
)

type input struct {
	Doc   string `json:"doc"`
	Patch string `json:"patch"`
}

type output struct {
	Out   *string `json:"out,omitempty"`
	Err   *string `json:"err,omitempty"`
	Panic *string `json:"panic,omitempty"`
}

// decodePatch is kustomize's patchjson6902.Filter.decodePatch.
func decodePatch(patch string) (jsonpatch.Patch, error) {
	if !strings.HasPrefix(patch, "[") {
		p, err := yaml.YAMLToJSON([]byte(patch))
		if err != nil {
			return nil, err
		}
		patch = string(p)
	}
	return jsonpatch.DecodePatch([]byte(patch))
}

func runLib(in input) (string, error) {
	p, err := decodePatch(in.Patch)
	if err != nil {
		return "", err
	}
	out, err := p.Apply([]byte(in.Doc))
	return string(out), err
}

// runKyaml follows PatchJson6902Transformer.Transform for one resource.
func runKyaml(in input) (string, error) {
	node, err := kyaml.Parse(in.Doc)
	if err != nil {
		return "", fmt.Errorf("bad test input: %w", err)
	}
	internal := kioutil.GetInternalAnnotations(node)
	if _, err := (patchjson6902.Filter{Patch: in.Patch}).Filter([]*kyaml.RNode{node}); err != nil {
		return "", err
	}
	annotations := node.GetAnnotations()
	for k, v := range internal {
		annotations[k] = v
	}
	// PatchJson6902Transformer returns this error; PatchTransformer ignores it.
	if err := node.SetAnnotations(annotations); err != nil {
		return "", err
	}
	j, err := node.MarshalJSON()
	if err != nil {
		return "", err
	}
	y, err := yaml.JSONToYAML(j)
	return string(y), err
}

func run(mode string, in input) (res output) {
	defer func() {
		if r := recover(); r != nil {
			s := fmt.Sprint(r)
			res = output{Panic: &s}
		}
	}()
	var s string
	var err error
	if mode == "kyaml" {
		s, err = runKyaml(in)
	} else {
		s, err = runLib(in)
	}
	if err != nil {
		e := err.Error()
		return output{Err: &e}
	}
	return output{Out: &s}
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "lib" && os.Args[1] != "kyaml") {
		fmt.Fprintln(os.Stderr, "usage: jsonpatch-ref lib|kyaml < cases.jsonl")
		os.Exit(2)
	}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		var in input
		if err := json.Unmarshal(sc.Bytes(), &in); err != nil {
			fmt.Fprintln(os.Stderr, "jsonpatch-ref: bad input line:", err)
			os.Exit(1)
		}
		if err := enc.Encode(run(os.Args[1], in)); err != nil {
			fmt.Fprintln(os.Stderr, "jsonpatch-ref: write:", err)
			os.Exit(1)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "jsonpatch-ref: read:", err)
		os.Exit(1)
	}
}
