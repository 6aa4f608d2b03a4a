package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOverlay: unsaved buffers replace the files on disk, and a buffer for
// a file not yet saved joins the configuration; the disk is never read for
// an overlaid path.
func TestOverlay(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.hcl", `project "p" {}`+"\n")
	write("svc.hcl", `service "api" { image = "api:1" }`+"\n")

	if res := Load(dir, Options{}); res.Diags.HasErrors() || len(res.Model.Services) != 1 {
		t.Fatalf("disk alone: %v", res.Diags)
	}

	// The buffer of svc.hcl breaks the reference: the disk's file is valid.
	overlay := map[string][]byte{filepath.Join(dir, "svc.hcl"): []byte(`service "api" { image = var.nope }` + "\n")}
	res := Load(dir, Options{Overlay: overlay})
	if !res.Diags.HasErrors() || !strings.Contains(res.Diags.Error(), `"nope"`) {
		t.Fatalf("overlay not read: %v", res.Diags)
	}
	if got := res.Diags[0].Subject.Filename; got != filepath.Join(dir, "svc.hcl") {
		t.Fatalf("diagnostic in %q", got)
	}

	// A new, unsaved file adds a service; hidden and non-config names are ignored.
	overlay = map[string][]byte{
		filepath.Join(dir, "new.hcl"):      []byte(`service "web" { image = "web:1" }`),
		filepath.Join(dir, ".hidden.hcl"):  []byte(`broken {`),
		filepath.Join(dir, "notes.txt"):    []byte(`broken {`),
		filepath.Join(dir, "sub", "x.hcl"): []byte(`broken {`),
	}
	res = Load(dir, Options{Overlay: overlay})
	if res.Diags.HasErrors() || len(res.Model.Services) != 2 {
		t.Fatalf("unsaved file not loaded: %v", res.Diags)
	}
	if res.Roots["service"].GetAttr("web").IsNull() {
		t.Fatal("Roots lacks service.web")
	}

	// A single unsaved file given as the path.
	one := filepath.Join(dir, "only.hcl")
	res = Load(one, Options{Overlay: map[string][]byte{one: []byte(`project "q" {}`)}})
	if res.Diags.HasErrors() || res.Model.Project.Name != "q" {
		t.Fatalf("unsaved single file: %v", res.Diags)
	}
}
