// Command gogzip-ref gzips stdin to stdout exactly as Helm v4 stores releases
// (helm pkg/storage/driver/util.go encodeRelease): gzip.NewWriterLevel with
// BestCompression, zero header, one Write of the whole input, then Close.
//
// It is the reference for differential tests of gitward's core/src/gogzip.rs:
//
//	cd tools/gogzip-ref && go build -o /tmp/gogzip-ref .
//	/tmp/gogzip-ref < input > output.gz
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
)

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gogzip-ref: read:", err)
		os.Exit(1)
	}
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gogzip-ref:", err)
		os.Exit(1)
	}
	if _, err := w.Write(data); err != nil {
		fmt.Fprintln(os.Stderr, "gogzip-ref: write:", err)
		os.Exit(1)
	}
	if err := w.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "gogzip-ref: close:", err)
		os.Exit(1)
	}
	if _, err := os.Stdout.Write(buf.Bytes()); err != nil {
		fmt.Fprintln(os.Stderr, "gogzip-ref: write stdout:", err)
		os.Exit(1)
	}
}
