package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/lang"
)

// exampleDirs lists examples/* directories holding a configuration.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("../examples/*")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range dirs {
		if hcl, _ := filepath.Glob(filepath.Join(d, "*.hcl")); len(hcl) > 0 {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Fatal("no examples found")
	}
	return out
}

// compileExample compiles dir with the given var files and fails the test
// on any error.
func compileExample(t *testing.T, dir string, varFiles ...string) []emit.Artifact {
	t.Helper()
	res := lang.Load(dir, lang.Options{VarFiles: varFiles})
	if res.Diags.HasErrors() || res.Model == nil {
		t.Fatalf("%s %v: %v", dir, varFiles, res.Diags)
	}
	// The examples are what users copy: the configuration itself draws no
	// warning (the emitters' notes on what a target cannot express are
	// another matter).
	for _, d := range res.Diags {
		t.Errorf("%s %v: warning: %s: %s", dir, varFiles, d.Summary, d.Detail)
	}
	arts, diags := build.Artifacts(res.Model)
	if diags.HasErrors() {
		t.Fatalf("%s %v: %v", dir, varFiles, diags)
	}
	return arts
}

// TestExamples builds every example with its defaults and with each of its
// var files, validates every artifact, and checks the build is repeatable.
func TestExamples(t *testing.T) {
	for _, dir := range exampleDirs(t) {
		varFiles, _ := filepath.Glob(filepath.Join(dir, "*.nbvars"))
		for _, vf := range append([]string{""}, varFiles...) {
			name := filepath.Base(dir) + "/" + strings.TrimSuffix(filepath.Base(vf), ".nbvars")
			t.Run(name, func(t *testing.T) {
				var files []string
				if vf != "" {
					files = []string{vf}
				}
				res := lang.Load(dir, lang.Options{VarFiles: files})
				if res.Model == nil {
					if len(res.Diags) > 0 && vf == "" && strings.Contains(res.Diags.Error(), "No value for required variable") {
						t.Skip("the example needs a var file")
					}
					t.Fatalf("%v", res.Diags)
				}
				arts := compileExample(t, dir, files...)
				if !slices.ContainsFunc(arts, func(a emit.Artifact) bool { return strings.HasPrefix(a.Path, "kubernetes/") }) {
					t.Errorf("no Kubernetes manifest")
				}
				validateArtifacts(t, arts)
				again := compileExample(t, dir, files...)
				if diff := cmp.Diff(arts, again); diff != "" {
					t.Errorf("second build differs:\n%s", diff)
				}
			})
		}
	}
}

// TestExamplesAreFormatted is `nbac fmt -check examples/`: every example
// file is already in canonical form.
func TestExamplesAreFormatted(t *testing.T) {
	for _, dir := range exampleDirs(t) {
		for _, pat := range []string{"*.hcl", "*.nbvars"} {
			names, _ := filepath.Glob(filepath.Join(dir, pat))
			for _, n := range names {
				src, err := os.ReadFile(n)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(hclwrite.Format(src), src) {
					t.Errorf("%s is not formatted: run nbac fmt %s", n, dir)
				}
			}
		}
	}
}

// TestPlanOnNBAExample is the acceptance scenario of `nbac plan`: build
// examples/nba for production, plan again (no changes), then raise the
// production replica minimum and change an environment variable: the plan
// shows exactly those two field changes in the manifests.
func TestPlanOnNBAExample(t *testing.T) {
	src := "../examples/nba"
	work := t.TempDir()
	cfg := filepath.Join(work, "nba")
	if err := os.CopyFS(cfg, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "out")
	prod := filepath.Join(cfg, "production.nbvars")
	if _, _, err := build.Write(out, compileExample(t, cfg, prod)); err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compute(out, compileExample(t, cfg, prod))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Empty() {
		t.Fatalf("plan after build is not empty: %s", p.SummaryLine())
	}

	vars, err := os.ReadFile(prod)
	if err != nil {
		t.Fatal(err)
	}
	edited := vars
	for _, e := range []struct{ re, repl string }{
		{`(autoscale\s*=\s*\{\s*min\s*=\s*)3\b`, "${1}4"},
		{`(log_level\s*=\s*)"info"`, `${1}"warning"`},
	} {
		re := regexp.MustCompile(e.re)
		if !re.Match(edited) {
			t.Fatalf("production.nbvars no longer matches %s; update this test with the example", e.re)
		}
		edited = re.ReplaceAll(edited, []byte(e.repl))
	}
	if err := os.WriteFile(prod, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err = plan.Compute(out, compileExample(t, cfg, prod))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range p.Changes {
		for _, o := range c.Objects {
			for _, f := range o.Fields {
				if !f.FollowsRename {
					got = append(got, o.Kind+" "+plan.FieldText(f))
				}
			}
		}
	}
	want := []string{
		"ConfigMap data.LOG_LEVEL: INFO -> WARNING", // nba-ingest-worker shares local.common_env
		"ConfigMap data.LOG_LEVEL: INFO -> WARNING",
		"HorizontalPodAutoscaler spec.minReplicas: 3 -> 4",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		var b strings.Builder
		p.WriteText(&b, false)
		t.Fatalf("field changes (-want +got):\n%s\nplan:\n%s", diff, b.String())
	}
}
