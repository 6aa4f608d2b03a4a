package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/build"
)

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// hashDir fingerprints every path, mode and byte under dir.
func hashDir(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, _ := d.Info()
		fmt.Fprintf(h, "%s %v\n", p, info.Mode())
		if d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			h.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

var apiRange = &hcl.Range{Filename: "infra/main.hcl", Start: hcl.Pos{Line: 12, Column: 1, Byte: 200}, End: hcl.Pos{Line: 12, Column: 14, Byte: 213}}

// setup builds an output directory holding before.yaml as api.yaml, an
// HAProxy config, a manifest for an old service, and a foreign file.
func setup(t *testing.T) (string, []emit.Artifact) {
	dir := t.TempDir()
	first := []emit.Artifact{
		{Path: "haproxy/edge.cfg", Data: []byte("global\n  maxconn 100\n\nbackend app\n  server a 10.0.0.1:80 weight 100\n  server b 10.0.0.2:80 weight 100\n"), Origin: `load_balancer "edge"`},
		{Path: "kubernetes/api.yaml", Data: readTestdata(t, "before.yaml"), Origin: `service "api"`},
		{Path: "kubernetes/old.yaml", Data: []byte("kind: Deployment\nmetadata: {name: old, namespace: shop}\n"), Origin: `service "old"`},
		{Path: "model.json", Data: []byte("{\"version\": \"1\"}\n"), Origin: "configuration"},
	}
	if _, _, err := build.Write(dir, first); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "kubernetes", "mine.yaml"), []byte("kind: X\n"), 0o644)
	next := []emit.Artifact{
		{Path: "haproxy/edge.cfg", Data: []byte("global\n  maxconn 100\n\nbackend app\n  server a 10.0.0.1:80 weight 50\n  server b 10.0.0.2:80 weight 100\n"), Origin: `load_balancer "edge"`},
		{Path: "kubernetes/api.yaml", Data: readTestdata(t, "after.yaml"), Origin: `service "api"`, Range: apiRange},
		{Path: "model.json", Data: []byte("{\"version\": \"1\"}\n"), Origin: "configuration"},
		{Path: "nginx/edge.conf", Data: []byte("events {}\n"), Origin: `load_balancer "edge"`},
	}
	return dir, next
}

func TestComputeMatchesWhatBuildWouldDo(t *testing.T) {
	dir, next := setup(t)
	before := hashDir(t, dir)
	p, err := Compute(dir, next)
	if err != nil {
		t.Fatal(err)
	}
	if after := hashDir(t, dir); after != before {
		t.Fatal("Compute changed the output directory")
	}
	var b bytes.Buffer
	if err := p.WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	want := `~ haproxy/edge.cfg  (from load_balancer "edge")
    --- a/haproxy/edge.cfg
    +++ b/haproxy/edge.cfg
    @@ -2,5 +2,5 @@
       maxconn 100

     backend app
    -  server a 10.0.0.1:80 weight 100
    +  server a 10.0.0.1:80 weight 50
       server b 10.0.0.2:80 weight 100
~ kubernetes/api.yaml  (from service "api" at infra/main.hcl:12)
    ~ ConfigMap shop/api-config-c8d4x2p1 (was api-config-7h2k9m4t)
        data.LOG_LEVEL: info -> debug
    ~ Deployment shop/api
        metadata.labels["app.kubernetes.io/version"]: v1.0.0 -> v1.1.0
        spec.template.spec.containers[api].args: ["--port","8000"] -> ["--port","9000"]
        spec.template.spec.containers[api].env[C]: (none) -> {"name":"C","value":"3"}
        spec.template.spec.containers[api].image: registry.example.com/api:v1.0.0 -> registry.example.com/api:v1.1.0
        spec.template.spec.containers[api].resources.limits.memory: 1Gi -> 2Gi
        (1 reference(s) follow the renamed object above; pods roll)
    + PodDisruptionBudget shop/api
    - Service shop/api
- kubernetes/old.yaml  (from service "old")
    - Deployment shop/old
+ nginx/edge.conf  (from load_balancer "edge")

Plan: 1 to add, 2 to change, 1 to remove.
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Fatalf("plan text (-want +got):\n%s", diff)
	}
}

func TestComputeNoChanges(t *testing.T) {
	dir := t.TempDir()
	arts := []emit.Artifact{{Path: "model.json", Data: []byte("{}\n")}, {Path: "kubernetes/a.yaml", Data: []byte("kind: A\nmetadata: {name: a}\n")}}
	if _, _, err := build.Write(dir, arts); err != nil {
		t.Fatal(err)
	}
	p, err := Compute(dir, arts)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Empty() || p.SummaryLine() != "No changes." {
		t.Fatalf("plan %+v, %q", p.Changes, p.SummaryLine())
	}
}

func TestComputeOnMissingDirectoryAddsEverything(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	p, err := Compute(dir, []emit.Artifact{{Path: "model.json", Data: []byte("{}\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if p.SummaryLine() != "Plan: 1 to add, 0 to change, 0 to remove." {
		t.Fatal(p.SummaryLine())
	}
	if _, err := os.Stat(dir); err == nil {
		t.Fatal("Compute created the output directory")
	}
}

func TestComputeFallsBackToTextForBrokenManifest(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "kubernetes"), 0o755)
	os.WriteFile(filepath.Join(dir, "kubernetes", "a.yaml"), []byte("kind: [\n"), 0o644)
	p, err := Compute(dir, []emit.Artifact{{Path: "kubernetes/a.yaml", Data: []byte("kind: A\nmetadata: {name: a}\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Changes[0]; c.Action != Change || c.Objects != nil || !strings.Contains(c.Diff, "-kind: [") {
		t.Fatalf("change %+v", c)
	}
}

func TestJSONDocumentMatchesSchema(t *testing.T) {
	dir, next := setup(t)
	p, err := Compute(dir, next)
	if err != nil {
		t.Fatal(err)
	}
	diag := map[string]any{
		"severity": "warning", "summary": "approximated", "detail": "d",
		"range":   RangeJSON(apiRange),
		"snippet": map[string]any{"context": nil, "code": "service \"api\" {", "start_line": 12, "highlight_start_offset": 0, "highlight_end_offset": 13},
	}
	doc := p.Document([]any{diag})
	js := mustJSON(t, doc)

	c := jsonschema.NewCompiler()
	sch, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("plan.schema.json", sch); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Fatalf("plan JSON does not match its schema: %v\n%s", err, js)
	}
	// The schema is not vacuous: a change without an action fails it.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(strings.Replace(js, `"action": "change"`, `"action": "rename"`, 1)))
	if s.Validate(bad) == nil {
		t.Fatal("schema accepted an unknown action")
	}
	// Spot-check the content, not only its shape.
	var got struct {
		Changes []struct {
			Path   string
			Fields []struct {
				Object, Path  string
				Before, After json.RawMessage
			}
		}
		Summary JSONSummary
	}
	json.Unmarshal([]byte(js), &got)
	if got.Summary != (JSONSummary{1, 2, 1, "Plan: 1 to add, 2 to change, 1 to remove."}) {
		t.Errorf("summary %+v", got.Summary)
	}
	var found bool
	for _, c := range got.Changes {
		for _, f := range c.Fields {
			if f.Path == "spec.template.spec.containers[api].resources.limits.memory" {
				found = f.Object == "Deployment/shop/api" && string(f.Before) == `"1Gi"` && string(f.After) == `"2Gi"`
			}
		}
	}
	if !found {
		t.Errorf("memory change missing or wrong in JSON:\n%s", js)
	}
}
