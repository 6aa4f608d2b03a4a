package nginx

import (
	"bytes"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit/lbcheck"
	"github.com/nbac/nbac/emit/lbconf/lbtest"
)

// TestFromModelJSON: a model read back from model.json (no source ranges)
// gives the same bytes, the same warnings, and still validates.
func TestFromModelJSON(t *testing.T) {
	m := lbtest.Model(lbtest.Full("edge"))
	want, wantDiags := Emit(m)
	got, gotDiags := Emit(lbtest.RoundTrip(t, m))
	if len(want) != 1 || len(got) != 1 || !bytes.Equal(want[0].Data, got[0].Data) {
		t.Fatalf("round trip changed the output:\n%s\n---\n%s", want[0].Data, got[0].Data)
	}
	if got[0].Range != nil || got[0].Path != "nginx/edge.conf" {
		t.Errorf("artifact %q range %v", got[0].Path, got[0].Range)
	}
	if len(wantDiags) == 0 || len(gotDiags) != len(wantDiags) || gotDiags.HasErrors() {
		t.Fatalf("diagnostics %v, want %v", gotDiags, wantDiags)
	}
	for i := range gotDiags {
		if gotDiags[i].Summary != wantDiags[i].Summary || gotDiags[i].Severity != hcl.DiagWarning {
			t.Errorf("diagnostic %d: %q, want %q", i, gotDiags[i].Summary, wantDiags[i].Summary)
		}
	}
	lbcheck.Require(t)
	if err := lbcheck.Nginx(got[0].Data); err != nil {
		t.Fatal(err)
	}
}
