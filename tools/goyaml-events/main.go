// Command goyaml-events prints what go-yaml makes of YAML files, for differential
// testing of gitward's port of the go-yaml scanner and parser (core/src/yaml/goparse).
//
// Usage: goyaml-events v3|v2|v2p FILE...   (FILE "-" reads the file names from stdin)
//
// For each file it prints "=== FILE", then, for v3, the yaml.Node tree of every document
// read with a yaml.Decoder (kind, style, explicit tag, anchor, value, line:column, alias
// target); for v2 one "DOC" line per document decoded into interface{} (v2p: into a value
// whose UnmarshalYAML does nothing, so decoding errors such as "invalid map key" do not
// hide what the parser makes of the rest). A failure ends the
// file's output with "ERR " and the exact err.Error().
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	yaml2 "go.yaml.in/yaml/v2"
	yaml3 "go.yaml.in/yaml/v3"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: goyaml-events v3|v2 FILE...")
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	files := os.Args[2:]
	if len(files) == 1 && files[0] == "-" {
		files = nil
		sc := bufio.NewScanner(os.Stdin)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			files = append(files, sc.Text())
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintf(out, "=== %s\n", f)
		switch os.Args[1] {
		case "v3":
			dumpV3(out, data)
		case "v2":
			dumpV2(out, data, false)
		case "v2p":
			dumpV2(out, data, true)
		}
	}
}

func dumpV3(out io.Writer, data []byte) {
	dec := yaml3.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml3.Node
		err := decode3(dec, &n)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			fmt.Fprintf(out, "ERR %s\n", err.Error())
			return
		}
		printNode(out, &n, 0)
	}
}

func decode3(dec *yaml3.Decoder, n *yaml3.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PANIC %v", r)
		}
	}()
	return dec.Decode(n)
}

var kinds = map[yaml3.Kind]string{
	yaml3.DocumentNode: "DOC", yaml3.SequenceNode: "SEQ", yaml3.MappingNode: "MAP",
	yaml3.ScalarNode: "SCALAR", yaml3.AliasNode: "ALIAS",
}

func printNode(out io.Writer, n *yaml3.Node, depth int) {
	ind := strings.Repeat(" ", depth)
	tag := ""
	if n.Style&yaml3.TaggedStyle != 0 {
		tag = n.Tag
	}
	switch n.Kind {
	case yaml3.DocumentNode:
		fmt.Fprintf(out, "%sDOC %d:%d\n", ind, n.Line, n.Column)
	case yaml3.AliasNode:
		target := "?"
		if n.Alias != nil {
			target = fmt.Sprintf("%d:%d", n.Alias.Line, n.Alias.Column)
		}
		fmt.Fprintf(out, "%sALIAS %s %d:%d -> %s\n", ind, q(n.Value), n.Line, n.Column, target)
	case yaml3.ScalarNode:
		fmt.Fprintf(out, "%sSCALAR s=%d t=%s a=%s %s %d:%d\n", ind, n.Style, q(tag), q(n.Anchor), q(n.Value), n.Line, n.Column)
	default:
		fmt.Fprintf(out, "%s%s s=%d t=%s a=%s %d:%d\n", ind, kinds[n.Kind], n.Style, q(tag), q(n.Anchor), n.Line, n.Column)
	}
	for _, c := range n.Content {
		printNode(out, c, depth+1)
	}
}

// sink2 takes any node without decoding it, so only go-yaml v2's parser and composer
// (anchors and aliases) run.
type sink2 struct{}

func (*sink2) UnmarshalYAML(func(interface{}) error) error { return nil }

func dumpV2(out io.Writer, data []byte, parseOnly bool) {
	dec := yaml2.NewDecoder(bytes.NewReader(data))
	for {
		var v interface{}
		var target interface{} = &v
		if parseOnly {
			target = &sink2{}
		}
		err := decode2(dec, target)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			fmt.Fprintf(out, "ERR %s\n", err.Error())
			return
		}
		fmt.Fprintln(out, "DOC")
	}
}

func decode2(dec *yaml2.Decoder, v interface{}) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PANIC %v", r)
		}
	}()
	return dec.Decode(v)
}

// q quotes a string simply: backslash, double quote and ASCII control characters are
// escaped, everything else is written as is (easy to reproduce on the Rust side).
func q(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\' || r == '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
