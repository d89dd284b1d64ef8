// Command kstatus-ref computes the health of Kubernetes objects with kstatus
// (sigs.k8s.io/cli-utils v0.37.2, pkg/kstatus/status.Compute), the reference of gitward's
// core/src/health, for the conformance corpus and differential tests (see README.md).
//
// Usage:
//
//	kstatus-ref [health] -f FILE [-o json] [-recover]
//
// It reads every YAML (or JSON) document of FILE as Flux reads manifests
// (k8s.io/apimachinery/pkg/util/yaml.NewYAMLOrJSONDecoder into unstructured.Unstructured,
// empty documents skipped) and prints a JSON array with, per object in input order,
// {"id": ObjMetadata string, "status": Result.Status, "message": Result.Message}. When
// Compute returns an error: status "Unknown", message "" and "error": the error text (what
// Flux's status poller reports for such an object). This is the program of the corpus
// (shared/conformance/health/README.md).
//
// With -recover, a panic inside Compute (kstatus' type assertions on a Pod's
// status.containerStatuses) is reported like an error, with the panic's text, instead of
// crashing the program.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/cli-utils/pkg/object"
)

type entry struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Message string `json:"message"`
	Error   string `json:"error,omitempty"`
}

func compute(u *unstructured.Unstructured, recoverPanics bool) (r *status.Result, err error) {
	if recoverPanics {
		defer func() {
			if p := recover(); p != nil {
				r, err = nil, fmt.Errorf("%v", p)
			}
		}()
	}
	return status.Compute(u)
}

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "health" {
		args = args[1:]
	}
	fs := flag.NewFlagSet("health", flag.ExitOnError)
	file := fs.String("f", "", "manifest file")
	out := fs.String("o", "json", "output format (json)")
	recoverPanics := fs.Bool("recover", false, "report a panic in Compute as an error")
	_ = fs.Parse(args)
	if *file == "" || *out != "json" {
		fmt.Fprintln(os.Stderr, "usage: health -f FILE -o json")
		os.Exit(2)
	}
	f, err := os.Open(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	dec := utilyaml.NewYAMLOrJSONDecoder(f, 2048)
	res := []entry{}
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(u); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			fmt.Fprintln(os.Stderr, "decode:", err)
			os.Exit(1)
		}
		if len(u.Object) == 0 {
			continue
		}
		r, err := compute(u, *recoverPanics)
		e := entry{ID: object.UnstructuredToObjMetadata(u).String()}
		if err != nil {
			e.Status = "Unknown"
			e.Message = ""
			e.Error = err.Error()
		} else {
			e.Status = r.Status.String()
			e.Message = r.Message
		}
		res = append(res, e)
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	os.Stdout.Write(append(b, '\n'))
}
