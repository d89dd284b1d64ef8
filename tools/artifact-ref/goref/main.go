// The Go side of gitward's artifact differential tests (see ../README.md).
//
//	goref sc DIR OUT.tgz [SPEC_IGNORE_FILE]   what source-controller packs for a Git checkout in DIR
//	goref gz CHUNKS DATA OUT                  gzip.NewWriter, one Write per chunk size listed
//
// `sc` states what source-controller v1.10.2 does (its pkg/artifact v0.27.1 cannot be fetched from
// the module proxy, so it is not imported): sourceignore.LoadIgnorePatterns over the checkout,
// spec.ignore read with sourceignore.ReadPatterns, the filter of storage.SourceIgnoreFilter (the
// defaults when there is no pattern, else the VCS patterns then the patterns), and the archive of
// storage.Archive: filepath.Walk, directories and regular files only, Go's archive/tar headers with
// uid/gid/names/times cleared and modes 0750 (directories), 0700 (files with an execute bit) or
// 0600, through gzip.NewWriter at the default level, file data copied with io.Copy.
package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fluxcd/pkg/sourceignore"
)

func fail(what string, err error) {
	fmt.Fprintln(os.Stderr, what+":", err)
	os.Exit(1)
}

func packCheckout(dir string, out io.Writer, excluded func(p string, fi os.FileInfo) bool) error {
	gz := gzip.NewWriter(out)
	tw := tar.NewWriter(gz)
	walkErr := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() && !fi.IsDir() {
			return nil // links and special files are left out
		}
		if excluded(p, fi) {
			return nil
		}
		hdr, err := tar.FileInfoHeader(fi, p)
		if err != nil {
			return err
		}
		if hdr.Name, err = filepath.Rel(dir, p); err != nil {
			return err
		}
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
		hdr.ModTime, hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}, time.Time{}
		switch {
		case fi.IsDir():
			hdr.Mode = 0o750
		case fi.Mode()&0o111 != 0:
			hdr.Mode = 0o700
		default:
			hdr.Mode = 0o600
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if fi.IsDir() {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if walkErr != nil {
		return walkErr
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func main() {
	switch os.Args[1] {
	case "sc":
		dir, err := filepath.Abs(os.Args[2])
		if err != nil {
			fail("abs", err)
		}
		domain := strings.Split(dir, string(filepath.Separator))
		ps, err := sourceignore.LoadIgnorePatterns(dir, domain)
		if err != nil {
			fail("load ignore patterns", err)
		}
		if len(os.Args) > 4 {
			b, err := os.ReadFile(os.Args[4])
			if err != nil {
				fail("read spec.ignore", err)
			}
			ps = append(ps, sourceignore.ReadPatterns(strings.NewReader(string(b)), domain)...)
		}
		matcher := sourceignore.NewDefaultMatcher(ps, domain)
		if len(ps) > 0 {
			matcher = sourceignore.NewMatcher(append(sourceignore.VCSPatterns(domain), ps...))
		}
		excluded := func(p string, fi os.FileInfo) bool {
			return matcher.Match(strings.Split(p, string(filepath.Separator)), fi.IsDir())
		}
		f, err := os.Create(os.Args[3])
		if err != nil {
			fail("create", err)
		}
		h := sha256.New()
		if err := packCheckout(dir, io.MultiWriter(f, h), excluded); err != nil {
			fail("archive", err)
		}
		if err := f.Close(); err != nil {
			fail("close", err)
		}
		fmt.Printf("sha256:%x\n", h.Sum(nil))
	case "gz":
		chunks, err := os.Open(os.Args[2])
		if err != nil {
			fail("chunks", err)
		}
		data, err := os.ReadFile(os.Args[3])
		if err != nil {
			fail("data", err)
		}
		out, err := os.Create(os.Args[4])
		if err != nil {
			fail("out", err)
		}
		gz := gzip.NewWriter(out)
		sc := bufio.NewScanner(chunks)
		for sc.Scan() {
			n, err := strconv.Atoi(sc.Text())
			if err != nil || n > len(data) {
				fail("chunk size", err)
			}
			gz.Write(data[:n])
			data = data[n:]
		}
		gz.Write(data)
		if err := gz.Close(); err != nil {
			fail("gzip", err)
		}
		if err := out.Close(); err != nil {
			fail("close", err)
		}
	default:
		fail("usage", fmt.Errorf("goref sc|gz ..."))
	}
}
