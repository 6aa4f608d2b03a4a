package validate

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// TestQueueType checks queue_type on models built in Go, where the HCL
// lowering's allow-list does not apply: each case must yield exactly the
// expected errors, located at the named attribute.
func TestQueueType(t *testing.T) {
	cases := []struct {
		name    string
		set     func(m *schema.Model)
		summary string // "" = no diagnostic
		attr    string
		detail  string
	}{
		{"unset", func(m *schema.Model) {}, "", "", ""},
		{"classic", func(m *schema.Model) { m.Queues[0].QueueType = "classic" }, "", "", ""},
		{"quorum", func(m *schema.Model) { m.Queues[0].QueueType = "quorum" }, "", "", ""},
		{"quorum fifo", func(m *schema.Model) { m.Queues[0].QueueType, m.Queues[0].Ordering = "quorum", "fifo" }, "", "", ""},
		{"classic priorities", func(m *schema.Model) { m.Queues[0].QueueType, m.Queues[0].Priorities = "classic", true }, "", "", ""},
		{"unknown type", func(m *schema.Model) { m.Queues[0].QueueType = "stream" }, "Invalid value", "queue_type", `got "stream"`},
		{"quorum priorities", func(m *schema.Model) { m.Queues[0].QueueType, m.Queues[0].Priorities = "quorum", true },
			"Priorities not supported by quorum queues", "priorities", "4.x has only two levels"},
		{"kafka broker", func(m *schema.Model) {
			m.Brokers[0].Type, m.Brokers[0].URLEnv = "kafka", "KAFKA_URL"
			m.Queues[0].QueueType = "classic"
		}, "queue_type on a non-RabbitMQ broker", "queue_type", `is of type "kafka"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := runtimeModel()
			// Every attribute on its own line, so that the subject tells
			// which attribute a diagnostic points at.
			for i, a := range []string{"queue_type", "priorities", "ordering"} {
				m.Queues[0].Src.Set(a, hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 10 + i, Column: 3}, End: hcl.Pos{Line: 10 + i, Column: 9}})
			}
			tc.set(m)
			diags := runtimeBlocks(m)
			if tc.summary == "" {
				if len(diags) > 0 {
					t.Fatalf("want no diagnostics, got %v", diags)
				}
				return
			}
			if len(diags) != 1 {
				t.Fatalf("want one diagnostic %q, got %v", tc.summary, diags)
			}
			d := diags[0]
			want, _ := m.Queues[0].Src.Attr(tc.attr)
			if d.Severity != hcl.DiagError || d.Summary != tc.summary || !strings.Contains(d.Detail, tc.detail) || d.Subject == nil || *d.Subject != want {
				t.Fatalf("got %s %q %q at %v; want error %q containing %q at %s (%v)", severity(d), d.Summary, d.Detail, d.Subject, tc.summary, tc.detail, tc.attr, want)
			}
		})
	}
}

func severity(d *hcl.Diagnostic) string {
	if d.Severity == hcl.DiagError {
		return "error"
	}
	return "warning"
}
