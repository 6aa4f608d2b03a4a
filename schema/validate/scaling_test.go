package validate

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// TestReplicasWithAutoscale warns at replicas, and only when replicas was
// written and an autoscale block is present.
func TestReplicasWithAutoscale(t *testing.T) {
	scaled := func(attrs ...string) schema.Service {
		s := validService()
		s.Src = src(1, attrs...)
		s.Replicas = 3
		s.Autoscale = &schema.Autoscale{Min: 2, Max: 6, CPUPercent: 70}
		return s
	}
	for _, c := range []struct {
		name string
		svc  schema.Service
		warn bool
	}{
		{"both", scaled("image", "replicas"), true},
		{"autoscale only", scaled("image"), false},
		{"replicas only", func() schema.Service { s := scaled("image", "replicas"); s.Autoscale = nil; return s }(), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			diags := Model(&schema.Model{Project: schema.Project{Name: "p", Namespace: "p"}, Services: []schema.Service{c.svc}})
			var got []*hcl.Diagnostic
			for _, d := range diags {
				if strings.Contains(d.Summary, "replicas is overridden by autoscale") {
					got = append(got, d)
				}
			}
			if !c.warn {
				if len(got) > 0 {
					t.Fatalf("unexpected warning: %v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one warning, got %v (all: %v)", got, diags)
			}
			d := got[0]
			if d.Severity != hcl.DiagWarning || d.Subject == nil || d.Subject.Start.Line != svcAttrLines["replicas"] {
				t.Errorf("want a warning at replicas (line %d), got %v", svcAttrLines["replicas"], d)
			}
			if !strings.Contains(d.Detail, "replicas = 3 has no effect") || !strings.Contains(d.Detail, "min = 2 to max = 6") {
				t.Errorf("detail: %s", d.Detail)
			}
		})
	}
}
