package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/nbac/nbac/bench/estate"
	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/lang/lsp"
	"github.com/nbac/nbac/schema"
)

// BenchmarkDidChange is one keystroke's worth of work in an editor on the
// 1,000-service estate (seed 1, 1.2 MB of HCL in 17 files): a didChange of
// one services file, then the whole configuration loaded with the buffer
// over the disk, checked by the emitters as `nbac validate` does, and the
// diagnostics published. valid: the edit keeps the configuration valid
// (the full path, emitters included); error: the edit breaks a reference
// (the emitters are skipped, as validate skips them).
func BenchmarkDidChange(b *testing.B) {
	for _, n := range []int{1000} {
		dir := b.TempDir()
		if err := estate.Generate(n, 1).Write(dir); err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(dir, "services_000.hcl")
		src, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		first := strings.Index(string(src), "\n") + 1
		edits := map[string]func(i int) string{
			"valid": func(i int) string { return fmt.Sprintf("%s# edit %d\n%s", src[:first], i, src[first:]) },
			"error": func(i int) string {
				return fmt.Sprintf("%slocals { edit%d = var.nope }\n%s", src[:first], i, src[first:])
			},
		}
		// The same work from the disk without the server: what `nbac
		// validate` does in memory. The edit's figure over this one is the
		// server's own cost, whatever the machine's load.
		b.Run(fmt.Sprintf("N=%d/validate", n), func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				res := lang.Load(dir, lang.Options{Environ: os.Environ()})
				if res.Model == nil {
					b.Fatal(res.Diags)
				}
				build.Artifacts(res.Model)
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
		for _, kind := range []string{"valid", "error"} {
			b.Run(fmt.Sprintf("N=%d/%s", n, kind), func(b *testing.B) {
				var published, errs int
				s := lsp.New(lsp.Options{
					Environ: os.Environ(),
					Check: func(m *schema.Model) hcl.Diagnostics {
						_, d := build.Artifacts(m)
						return d
					},
				}, func(method string, params any) {
					if p, ok := params.(protocol.PublishDiagnosticsParams); ok {
						published++
						for _, d := range p.Diagnostics {
							if *d.Severity == protocol.DiagnosticSeverityError {
								errs++
							}
						}
					}
				})
				uri := "file://" + filepath.ToSlash(path)
				s.Open(uri, string(src))
				published, errs = 0, 0
				cpu0 := cpuTime()
				for i := 0; b.Loop(); i++ {
					s.Change(uri, []any{protocol.TextDocumentContentChangeEventWhole{Text: edits[kind](i)}})
				}
				// CPU time (both cores, GC included) per edit: on a shared,
				// overloaded machine the wall-clock ns/op mostly measures the
				// other processes; this does not.
				b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
				if published == 0 || (kind == "error") != (errs > 0) {
					b.Fatalf("%s edit: %d publications, %d errors", kind, published, errs)
				}
			})
		}
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
