package main

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestConsolidateWarningsFoldsRepeatsAndKeepsErrors(t *testing.T) {
	warn := func(summary, detail string) *hcl.Diagnostic {
		return &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: detail}
	}
	errA := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Bad port", Detail: "a"}
	errB := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Bad port", Detail: "b"}
	in := hcl.Diagnostics{
		warn("Passive health checks only", "lb one"), errA,
		warn("Passive health checks only", "lb two"),
		warn("Cookie stickiness approximated", "lb one"),
		warn("Passive health checks only", "lb three"), errB,
	}
	out := consolidateWarnings(in)
	if len(out) != 4 {
		t.Fatalf("got %d diagnostics, want 4 (2 errors, 2 folded warnings): %v", len(out), out)
	}
	if out[1] != errA || out[3] != errB {
		t.Errorf("errors must pass through unfolded and in order: %v", out)
	}
	if got := out[0].Detail; !strings.HasPrefix(got, "lb one") || !strings.Contains(got, "(and 2 more similar warnings elsewhere") {
		t.Errorf("folded detail = %q", got)
	}
	if got := out[2].Detail; got != "lb one" {
		t.Errorf("a single warning must be unchanged, got %q", got)
	}
	if in[0].Detail != "lb one" {
		t.Errorf("the input diagnostic was modified: %q", in[0].Detail)
	}
}

type testKey string

func (k testKey) SimilarKey() string { return string(k) }

func TestConsolidateWarningsUsesSimilarKey(t *testing.T) {
	in := hcl.Diagnostics{
		{Severity: hcl.DiagWarning, Summary: `nginx: passive checks (load_balancer "a")`, Extra: testKey("passive")},
		{Severity: hcl.DiagWarning, Summary: `nginx: passive checks (load_balancer "b")`, Extra: testKey("passive")},
		{Severity: hcl.DiagWarning, Summary: `nginx: passive checks (load_balancer "c")`, Extra: testKey("other")},
	}
	out := consolidateWarnings(in)
	if len(out) != 2 || out[0].Summary != in[0].Summary || out[1].Summary != in[2].Summary {
		t.Fatalf("want the first of each key, got %v", out)
	}
	if !strings.Contains(out[0].Detail, "(and 1 more similar warning elsewhere") {
		t.Errorf("folded detail = %q", out[0].Detail)
	}
}
