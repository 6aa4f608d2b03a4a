package golden

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/emit/kubernetes/kubecheck"
	"github.com/nbac/nbac/emit/lbcheck"
	"github.com/nbac/nbac/lang"
)

var update = flag.Bool("update", false, "rewrite the expected sections of golden/*.txtar from the current output")

// parseCase reads a golden file or fails the test.
func parseCase(t *testing.T, name string) Case {
	t.Helper()
	c, err := ReadCase(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// options is the case's args as lang.Options, or fails the test.
func options(t *testing.T, c Case) lang.Options {
	t.Helper()
	o, err := c.Options()
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// writeInputs is WriteInputs, failing the test on an error.
func writeInputs(t *testing.T, dir string, files []txtar.File, rename func(string) string) {
	t.Helper()
	if err := WriteInputs(dir, files, rename); err != nil {
		t.Fatal(err)
	}
}

// result is what one compilation produced: every artifact by its out/
// section name, and the rendered diagnostics.
type result struct {
	files map[string][]byte
	arts  []emit.Artifact
}

// compileIn compiles the configuration in dir, running from dir so that
// diagnostics name files as a user in that directory would see them.
func compileIn(t *testing.T, dir string, opts lang.Options) result {
	t.Helper()
	t.Chdir(dir)
	res := lang.Load(".", opts)
	diags := res.Diags
	var arts []emit.Artifact
	if res.Model != nil && !diags.HasErrors() {
		var d hcl.Diagnostics
		arts, d = build.Artifacts(res.Model)
		diags = append(diags, d...)
	}
	r := result{files: map[string][]byte{}}
	if len(diags) > 0 {
		var b bytes.Buffer
		hcl.NewDiagnosticTextWriter(&b, res.Files, 78, false).WriteDiagnostics(diags)
		r.files[diagsSection] = b.Bytes()
	}
	if !diags.HasErrors() {
		r.arts = arts
		for _, a := range arts {
			r.files[outPrefix+a.Path] = a.Data
		}
	}
	return r
}

func TestGolden(t *testing.T) {
	names, err := filepath.Glob("*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no golden cases")
	}
	for _, name := range names {
		t.Run(strings.TrimSuffix(name, ".txtar"), func(t *testing.T) {
			path, _ := filepath.Abs(name)
			runCase(t, path)
		})
	}
}

func runCase(t *testing.T, path string) {
	c := parseCase(t, path)
	opts := options(t, c)

	dir := t.TempDir()
	writeInputs(t, dir, c.Inputs, nil)
	got := compileIn(t, dir, opts)

	if *update {
		rewrite(t, path, c, got)
	} else {
		compareSections(t, c.Want, got.files)
	}

	// Deterministic: a second run, and a run with the configuration files
	// created in reverse order under other names (so the loader reads
	// them in another order), produce the same artifacts byte for byte.
	again := compileIn(t, dir, opts)
	if diff := cmp.Diff(got.files, again.files); diff != "" {
		t.Errorf("second run differs (-first +second):\n%s", diff)
	}
	shuffled := t.TempDir()
	rev := slices.Clone(c.Inputs)
	slices.Reverse(rev)
	n := 0
	writeInputs(t, shuffled, rev, func(name string) string {
		n++
		return fmt.Sprintf("%02d_%s", 99-n, name)
	})
	other := compileIn(t, shuffled, opts)
	if diff := cmp.Diff(artifactsOnly(got.files), artifactsOnly(other.files)); diff != "" {
		t.Errorf("shuffled file order changes the artifacts (-original +shuffled):\n%s", diff)
	}
	if (got.files[diagsSection] == nil) != (other.files[diagsSection] == nil) {
		t.Errorf("shuffled file order changes whether there are diagnostics")
	}

	validateArtifacts(t, got.arts)

	// fmt is idempotent on every native-syntax input.
	for _, f := range c.Inputs {
		if strings.HasSuffix(f.Name, ".hcl") || strings.HasSuffix(f.Name, ".nbvars") {
			once := hclwrite.Format(f.Data)
			if twice := hclwrite.Format(once); !bytes.Equal(once, twice) {
				t.Errorf("%s: formatting is not idempotent", f.Name)
			}
		}
	}
}

func artifactsOnly(files map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for k, v := range files {
		if strings.HasPrefix(k, outPrefix) {
			out[k] = v
		}
	}
	return out
}

// compareSections reports every missing, extra or different section.
func compareSections(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted)
	for _, k := range sorted {
		w, inWant := want[k]
		g, inGot := got[k]
		switch {
		case !inWant:
			t.Errorf("unexpected %s (run go test ./golden -update if intended):\n%s", k, g)
		case !inGot:
			t.Errorf("%s expected but not produced", k)
		case !bytes.Equal(w, g):
			t.Errorf("%s differs (-want +got):\n%s", k, cmp.Diff(string(w), string(g)))
		}
	}
}

// rewrite replaces a case's expected sections with what was produced,
// keeping its comment, inputs and args as they were.
func rewrite(t *testing.T, path string, c Case, got result) {
	a := &txtar.Archive{Comment: c.Archive.Comment}
	for _, f := range c.Archive.Files {
		if f.Name != diagsSection && !strings.HasPrefix(f.Name, outPrefix) {
			a.Files = append(a.Files, f)
		}
	}
	if d, ok := got.files[diagsSection]; ok {
		a.Files = append(a.Files, txtar.File{Name: diagsSection, Data: d})
	}
	for _, art := range got.arts {
		a.Files = append(a.Files, txtar.File{Name: outPrefix + art.Path, Data: art.Data})
	}
	if err := os.WriteFile(path, txtar.Format(a), 0o644); err != nil {
		t.Fatal(err)
	}
}

// validateArtifacts runs every artifact through its validator: Kubernetes
// manifests through kubecheck (strict schemas, semantic and cross-object
// checks, Pod Security "restricted"), HAProxy and Nginx configurations
// through `haproxy -c` and `nginx -t`.
func validateArtifacts(t *testing.T, arts []emit.Artifact) {
	t.Helper()
	for _, a := range arts {
		var err error
		switch {
		case strings.HasPrefix(a.Path, "kubernetes/"):
			err = kubecheck.Validate(a.Data)
		case strings.HasPrefix(a.Path, "haproxy/"):
			err = lbcheck.HAProxy(a.Data)
		case strings.HasPrefix(a.Path, "nginx/"):
			err = lbcheck.Nginx(a.Data)
		default:
			continue
		}
		if errors.Is(err, lbcheck.ErrMissing) {
			if os.Getenv("NBAC_REQUIRE_SERVICES") == "1" {
				t.Fatalf("%s: %v (NBAC_REQUIRE_SERVICES=1)", a.Path, err)
			}
			t.Logf("SKIPPING validation of %s: %v; install haproxy and nginx (see .ci/run)", a.Path, err)
			continue
		}
		if err != nil {
			t.Errorf("%s does not validate: %v", a.Path, err)
		}
	}
}
