// Command semver-ref evaluates version ranges with github.com/Masterminds/semver/v3, the
// library Flux (v3.5.0) and Helm (v3.4.0) use, for differential tests of gitward's
// core/src/semver (see README.md).
//
// Usage:
//
//	semver-ref [semver] [--] RANGE [VERSION...]
//	semver-ref -batch < cases.jsonl > results.jsonl
//
// The first form is the reference of the conformance corpus (shared/conformance/semver,
// whose README holds the same program): it prints, one per line, the VERSION arguments
// that parse with semver.NewVersion and satisfy RANGE (semver.NewConstraint and
// Constraints.Check), highest first (Version.Compare), equal versions in argument order;
// unparseable versions are skipped silently; an invalid RANGE prints
// `invalid range "RANGE": ERROR` on stderr and exits 1. `--help` as the only argument
// prints the usage and exits 0.
//
// With -batch, each input line is a JSON object {"range": TEXT, "versions": [TEXT...]}
// (other members are ignored) and each output line a JSON object:
//
//	{"err": TEXT}    NewConstraint's error (the exact err.Error()), or
//	{"string": TEXT, "out": TEXT, "verr": [TEXT...]}
//
// where string is Constraints.String(), out what the first form prints, and verr, per
// version, NewVersion's error text ("" when it parses).
//
// The library version is the one go.mod requires (v3.5.0); `go build -modfile go.v34.mod`
// builds the same program against v3.4.0 (Helm v4.1.4's).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
)

type item struct {
	arg string
	v   *semver.Version
}

// selectVersions is the corpus reference: matching arguments, highest first, stable.
func selectVersions(c *semver.Constraints, args []string) []string {
	var matched []item
	for _, a := range args {
		v, err := semver.NewVersion(a)
		if err != nil {
			continue
		}
		if c.Check(v) {
			matched = append(matched, item{a, v})
		}
	}
	sort.SliceStable(matched, func(i, j int) bool { return matched[i].v.Compare(matched[j].v) > 0 })
	out := make([]string, len(matched))
	for i, m := range matched {
		out[i] = m.arg
	}
	return out
}

func main() {
	args := os.Args[1:]
	if len(args) == 1 && args[0] == "-batch" {
		batch()
		return
	}
	if len(args) > 0 && args[0] == "semver" {
		args = args[1:]
	}
	if len(args) == 1 && args[0] == "--help" {
		fmt.Println("usage: semver-ref [semver] [--] RANGE [VERSION...] | semver-ref -batch")
		return
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) < 1 {
		fmt.Fprintln(os.Stderr, "usage: semver RANGE [VERSION...]")
		os.Exit(2)
	}
	c, err := semver.NewConstraint(args[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "invalid range %q: %v\n", args[0], err)
		os.Exit(1)
	}
	for _, m := range selectVersions(c, args[1:]) {
		fmt.Println(m)
	}
}

type input struct {
	Range    string   `json:"range"`
	Versions []string `json:"versions"`
}

type output struct {
	Err    *string  `json:"err,omitempty"`
	String *string  `json:"string,omitempty"`
	Out    *string  `json:"out,omitempty"`
	Verr   []string `json:"verr,omitempty"`
}

func batch() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		var in input
		if err := json.Unmarshal(sc.Bytes(), &in); err != nil {
			fmt.Fprintln(os.Stderr, "bad input line:", err)
			os.Exit(2)
		}
		var o output
		c, err := semver.NewConstraint(in.Range)
		if err != nil {
			e := err.Error()
			o.Err = &e
		} else {
			s := c.String()
			o.String = &s
			var b strings.Builder
			for _, m := range selectVersions(c, in.Versions) {
				b.WriteString(m)
				b.WriteByte('\n')
			}
			out := b.String()
			o.Out = &out
			o.Verr = make([]string, len(in.Versions))
			for i, v := range in.Versions {
				if _, err := semver.NewVersion(v); err != nil {
					o.Verr[i] = err.Error()
				}
			}
		}
		if err := enc.Encode(o); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
