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

// Section names with a meaning of their own; every other section is an
// input file of the configuration.
const (
	argsSection  = "args"
	diagsSection = "diagnostics"
	outPrefix    = "out/"
)

// goldenCase is one parsed golden file.
type goldenCase struct {
	archive *txtar.Archive
	inputs  []txtar.File // in file order
	args    []string     // raw lines of the args section
	want    map[string][]byte
}

func parseCase(t *testing.T, name string) goldenCase {
	t.Helper()
	a, err := txtar.ParseFile(name)
	if err != nil {
		t.Fatal(err)
	}
	c := goldenCase{archive: a, want: map[string][]byte{}}
	for _, f := range a.Files {
		switch {
		case f.Name == argsSection:
			for _, l := range strings.Split(string(f.Data), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
					c.args = append(c.args, l)
				}
			}
		case f.Name == diagsSection || strings.HasPrefix(f.Name, outPrefix):
			c.want[f.Name] = f.Data
		default:
			c.inputs = append(c.inputs, f)
		}
	}
	if len(c.inputs) == 0 {
		t.Fatalf("%s has no input files", name)
	}
	return c
}

// options turns the args section into lang.Options. Each line is one
// option: `-var name=value`, `-var-file file.nbvars`, `-allow-env NAME`,
// or `-env NAME=value` (an entry of the environment the case runs with;
// nothing else of the real environment is visible).
func (c goldenCase) options(t *testing.T) lang.Options {
	var o lang.Options
	for _, l := range c.args {
		opt, val, _ := strings.Cut(l, " ")
		val = strings.TrimSpace(val)
		switch opt {
		case "-var":
			o.Vars = append(o.Vars, val)
		case "-var-file":
			o.VarFiles = append(o.VarFiles, val)
		case "-allow-env":
			o.AllowEnv = append(o.AllowEnv, val)
		case "-env":
			o.Environ = append(o.Environ, val)
		default:
			t.Fatalf("args: unknown option %q (want -var, -var-file, -allow-env or -env)", opt)
		}
	}
	return o
}

// writeInputs lays the input files out in dir. rename maps a configuration
// file's name to the one it gets there; order is the creation order.
func writeInputs(t *testing.T, dir string, files []txtar.File, rename func(string) string) {
	t.Helper()
	for _, f := range files {
		name := f.Name
		if rename != nil && isConfigFile(name) {
			name = rename(name)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func isConfigFile(name string) bool {
	return !strings.Contains(name, "/") && (strings.HasSuffix(name, ".hcl") || strings.HasSuffix(name, ".hcl.json"))
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
	opts := c.options(t)

	dir := t.TempDir()
	writeInputs(t, dir, c.inputs, nil)
	got := compileIn(t, dir, opts)

	if *update {
		rewrite(t, path, c, got)
	} else {
		compareSections(t, c.want, got.files)
	}

	// Deterministic: a second run, and a run with the configuration files
	// created in reverse order under other names (so the loader reads
	// them in another order), produce the same artifacts byte for byte.
	again := compileIn(t, dir, opts)
	if diff := cmp.Diff(got.files, again.files); diff != "" {
		t.Errorf("second run differs (-first +second):\n%s", diff)
	}
	shuffled := t.TempDir()
	rev := slices.Clone(c.inputs)
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
	for _, f := range c.inputs {
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
func rewrite(t *testing.T, path string, c goldenCase, got result) {
	a := &txtar.Archive{Comment: c.archive.Comment}
	for _, f := range c.archive.Files {
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
