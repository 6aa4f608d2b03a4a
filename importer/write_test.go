package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func sample() *Result {
	r := NewResult()
	b := r.File("services.hcl").Body().AppendNewBlock("service", []string{"api"}).Body()
	b.SetAttributeValue("image", cty.StringVal("api:1"))
	b.SetAttributeValue("replicas", cty.NumberIntVal(3))
	return r
}

func TestWriteRefusesToOverwriteWithoutForce(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "services.hcl")
	if err := os.WriteFile(p, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, sample(), false); err == nil || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("Write over an existing file: err = %v, want a refusal naming -force", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "keep me\n" {
		t.Fatalf("the existing file changed to %q", got)
	}
	if _, err := Write(dir, sample(), true); err != nil {
		t.Fatalf("Write -force: %v", err)
	}
	got, _ := os.ReadFile(p)
	want := "service \"api\" {\n  image    = \"api:1\"\n  replicas = 3\n}\n"
	if string(got) != want {
		t.Fatalf("written file:\n%s\nwant:\n%s", got, want)
	}
}

func TestNotImportedIsALocatedWarning(t *testing.T) {
	r := NewResult()
	r.NotImported("in.yaml", 7, "spec.template.spec.hostNetwork", NoEquivalent, "Remove it or keep the object outside nbac.")
	if len(r.Diags) != 1 || r.Diags.HasErrors() {
		t.Fatalf("diags = %v", r.Diags)
	}
	d := r.Diags[0]
	if d.Subject == nil || d.Subject.Filename != "in.yaml" || d.Subject.Start.Line != 7 {
		t.Fatalf("subject = %v, want in.yaml:7", d.Subject)
	}
	if !strings.Contains(d.Summary, "hostNetwork") || !strings.Contains(d.Summary, NoEquivalent) {
		t.Fatalf("summary %q names neither the field nor the reason", d.Summary)
	}
}

func TestLocatePointsAtTheReportedLine(t *testing.T) {
	r := NewResult()
	r.Sources["in.yaml"] = []byte("a: 1\r\nbb: 2\nccc: 3")
	r.NotImported("in.yaml", 2, "bb", NoEquivalent, "")
	r.NotImported("in.yaml", 3, "ccc", NoEquivalent, "")
	r.NotImported("in.yaml", 9, "past the end", NoEquivalent, "")
	r.Locate()
	src := r.Sources["in.yaml"]
	for i, want := range []string{"bb: 2", "ccc: 3"} {
		s := r.Diags[i].Subject
		if got := string(src[s.Start.Byte:s.End.Byte]); got != want {
			t.Errorf("diagnostic %d spans %q, want %q", i, got, want)
		}
	}
	if s := r.Diags[2].Subject; s.Start.Byte != 0 || s.Start.Line != 9 {
		t.Errorf("a line past the end changed its subject: %+v", s)
	}
}
