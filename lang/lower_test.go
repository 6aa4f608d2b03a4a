package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestConcurrentLoweringKeepsOrder lowers enough services to spread them
// over several goroutines and checks that the result is what lowering them
// one by one gives: diagnostics in block order (and, within a block, in
// attribute order), every env() read recorded, the model in name order.
// Run it with -race to check the forks share nothing mutable.
func TestConcurrentLoweringKeepsOrder(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	}
	const n = 8 * minBlocksPerWorker
	var src strings.Builder
	src.WriteString("project \"p\" {}\n")
	// Declared in reverse so that order comes from sorting, not the file.
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&src, "service \"s%03d\" {\n  image = \"img:${env(\"TAG_%d\")}\"\n", i, i%5)
		if i%3 == 0 {
			src.WriteString("  port = 70000\n  replicas = -1\n")
		}
		src.WriteString("}\n")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := Options{AllowEnv: []string{"TAG_0", "TAG_1", "TAG_2", "TAG_3", "TAG_4"}, Environ: []string{"TAG_0=a", "TAG_1=b", "TAG_2=c", "TAG_3=d", "TAG_4=e"}}
	res := Load(dir, opts)
	var want []string
	for i := 0; i < n; i += 3 {
		want = append(want, fmt.Sprintf("port in service %q", fmt.Sprintf("s%03d", i)), fmt.Sprintf("replicas in service %q", fmt.Sprintf("s%03d", i)))
	}
	if len(res.Diags) != len(want) {
		t.Fatalf("got %d diagnostics, want %d:\n%s", len(res.Diags), len(want), renderDiags(res))
	}
	for i, d := range res.Diags {
		if !strings.HasPrefix(d.Detail, want[i]) {
			t.Errorf("diagnostic %d: got %q, want it to start with %q", i, d.Detail, want[i])
		}
	}

	// Without the errors the model lists every service in name order and
	// every variable env() read.
	fixed := strings.NewReplacer("  port = 70000\n  replicas = -1\n", "").Replace(src.String())
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	res = Load(dir, opts)
	if res.Model == nil {
		t.Fatalf("diagnostics:\n%s", renderDiags(res))
	}
	if len(res.Model.Services) != n {
		t.Fatalf("got %d services, want %d", len(res.Model.Services), n)
	}
	for i, s := range res.Model.Services {
		if want := fmt.Sprintf("s%03d", i); s.Name != want {
			t.Fatalf("service %d is %s, want %s", i, s.Name, want)
		}
		if want := "img:" + string(rune('a'+i%5)); s.Image != want {
			t.Errorf("%s: image %q, want %q", s.Name, s.Image, want)
		}
	}
	if got := strings.Join(res.Model.EnvReads, ","); got != "TAG_0,TAG_1,TAG_2,TAG_3,TAG_4" {
		t.Errorf("EnvReads = %s", got)
	}
}
