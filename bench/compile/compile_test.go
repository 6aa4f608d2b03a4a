package compile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/emit/haproxy"
	"github.com/nbac/nbac/emit/kubernetes"
	"github.com/nbac/nbac/emit/nginx"
	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/schema"
	"github.com/nbac/nbac/schema/validate"
)

var benchRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nbac-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	benchRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// outputDir returns a new directory for a benchmark's output. Outputs are
// only removed when the whole run ends (TestMain): this machine's disk is
// ext4 without a journal, and for 30 s after thousands of files are deleted
// it skips their inodes when creating new files, several times slower; a
// benchmark cleaning up after itself would slow down the next one.
func outputDir(tb testing.TB) string {
	tb.Helper()
	d, err := os.MkdirTemp(benchRoot, "out-")
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func estateDir(tb testing.TB, n int) string {
	tb.Helper()
	d, err := Dir(benchRoot, n)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func load(tb testing.TB, dir string) *schema.Model {
	tb.Helper()
	res := lang.Load(dir, lang.Options{})
	if res.Diags.HasErrors() {
		tb.Fatalf("estate does not compile:\n%s", res.Diags.Error())
	}
	return res.Model
}

// BenchmarkCompile times each stage of `nbac build` separately, per
// estate size. load is the whole front-end (parse, evaluate, lower and
// validate); validate repeats validation alone to show its share.
func BenchmarkCompile(b *testing.B) {
	for _, n := range Sizes() {
		dir := estateDir(b, n)
		m := load(b, dir)
		b.Run(fmt.Sprintf("N=%d/load", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if res := lang.Load(dir, lang.Options{}); res.Diags.HasErrors() {
					b.Fatal(res.Diags.Error())
				}
			}
		})
		b.Run(fmt.Sprintf("N=%d/validate", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if d := validate.Model(m); d.HasErrors() {
					b.Fatal(d.Error())
				}
			}
		})
		for _, e := range []struct {
			name string
			emit func(*schema.Model) ([]emitArtifact, error)
		}{
			{"kubernetes", wrap(kubernetes.Emit)},
			{"haproxy", wrap(haproxy.Emit)},
			{"nginx", wrap(nginx.Emit)},
		} {
			b.Run(fmt.Sprintf("N=%d/emit-%s", n, e.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := e.emit(m); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(fmt.Sprintf("N=%d/artifacts", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, d := build.Artifacts(m); d.HasErrors() {
					b.Fatal(d.Error())
				}
			}
		})
		arts, d := build.Artifacts(m)
		if d.HasErrors() {
			b.Fatal(d.Error())
		}
		b.Run(fmt.Sprintf("N=%d/write", n), func(b *testing.B) {
			b.ReportAllocs()
			// A directory of its own each time, so every file is written
			// as on a first build or a CI runner, and none deleted in
			// between (see outputDir).
			base := outputDir(b)
			i := 0
			for b.Loop() {
				i++
				if _, _, err := build.Write(filepath.Join(base, fmt.Sprintf("out%d", i)), arts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkKubernetes is nbac's side of the anchor comparison: from HCL
// files to Kubernetes YAML in memory, the work Helm and CUE do below.
func BenchmarkKubernetes(b *testing.B) {
	for _, n := range Sizes() {
		dir := estateDir(b, n)
		b.Run(fmt.Sprintf("N=%d/nbac", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := nbacKubernetes(dir); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAnchors renders the same estate's Kubernetes objects with Helm
// (chart + values, through Helm's loader and engine, as `helm template`)
// and CUE (definition + data, evaluated and exported to YAML, as `cue
// export`). Compare with BenchmarkKubernetes; TestAnchorsAgree checks
// that all three produce the same objects.
func BenchmarkAnchors(b *testing.B) {
	def, err := os.ReadFile("testdata/estate.cue")
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range Sizes() {
		in := anchorInput(Estate(n))
		values, data := in.YAML(), in.JSON()
		b.Run(fmt.Sprintf("N=%d/helm", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := helmRender("testdata/chart", values); err != nil {
					b.Fatal(err)
				}
			}
		})
		if n > cueMaxN() {
			continue
		}
		b.Run(fmt.Sprintf("N=%d/cue", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cueExport(def, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
