package build

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/schema"
)

func TestArtifactsIncludeModelJSON(t *testing.T) {
	m := &schema.Model{Version: schema.Version, Project: schema.Project{Name: "p", Namespace: "p"}}
	arts, diags := Artifacts(m)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want, _ := schema.Encode(m)
	var found bool
	for i, a := range arts {
		if i > 0 && arts[i-1].Path >= a.Path {
			t.Errorf("artifacts not sorted: %s before %s", arts[i-1].Path, a.Path)
		}
		if a.Path == ModelPath {
			found = true
			if string(a.Data) != string(want) || a.Origin != "configuration" {
				t.Errorf("model.json = %q from %q", a.Data, a.Origin)
			}
		}
	}
	if !found {
		t.Fatal("no model.json")
	}
}

func TestArtifactsRejectsTwoFilesAtOnePath(t *testing.T) {
	saved := emitters
	t.Cleanup(func() { emitters = saved })
	r := &hcl.Range{Filename: "lb.hcl", Start: hcl.Pos{Line: 3, Column: 1}, End: hcl.Pos{Line: 3, Column: 5}}
	emitters = []emitter{{"twice", func(*schema.Model) ([]emit.Artifact, hcl.Diagnostics) {
		return []emit.Artifact{
			{Path: "haproxy/a.cfg", Origin: `load_balancer "a"`, Range: r},
			{Path: "haproxy/a.cfg", Origin: `load_balancer "A"`, Range: r},
		}, nil
	}}}
	arts, diags := Artifacts(&schema.Model{Version: schema.Version})
	if !diags.HasErrors() || arts != nil {
		t.Fatalf("got %d artifacts, diags %v; want an error and none", len(arts), diags)
	}
	if d := diags[0].Detail; !strings.Contains(d, `load_balancer "a" (lb.hcl:3)`) || !strings.Contains(d, "haproxy/a.cfg") {
		t.Errorf("detail %q does not name both blocks and the file", d)
	}
}

func TestArtifactsPassesWarningsThrough(t *testing.T) {
	saved := emitters
	t.Cleanup(func() { emitters = saved })
	emitters = []emitter{{"warn", func(*schema.Model) ([]emit.Artifact, hcl.Diagnostics) {
		return []emit.Artifact{{Path: "nginx/x.conf", Data: []byte("x")}},
			hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "approximated"}}
	}}}
	arts, diags := Artifacts(&schema.Model{Version: schema.Version})
	if len(arts) != 2 || len(diags) != 1 || diags.HasErrors() {
		t.Fatalf("arts %d diags %v", len(arts), diags)
	}
}
