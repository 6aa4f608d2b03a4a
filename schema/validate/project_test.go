package validate

import (
	"strings"
	"testing"

	"github.com/nbac/nbac/schema"
)

func TestProject(t *testing.T) {
	cases := []struct {
		name    string
		p       schema.Project
		summary string
	}{
		{"valid", schema.Project{Name: "nba-mcp", Namespace: "nba-mcp", Labels: map[string]string{"team": "data", "example.com/tier": "api"}, AllowEnv: []string{"IMAGE_TAG"}}, ""},
		{"namespace upper case", schema.Project{Name: "p", Namespace: "NBA"}, "Invalid namespace"},
		{"namespace too long", schema.Project{Name: "p", Namespace: strings.Repeat("a", 64)}, "Invalid namespace"},
		{"empty name", schema.Project{Name: "", Namespace: "p"}, "Invalid project name"},
		{"name with space", schema.Project{Name: "my project", Namespace: "p"}, "Invalid project name"},
		{"bad label key", schema.Project{Name: "p", Namespace: "p", Labels: map[string]string{"bad key": "x"}}, "Invalid label key"},
		{"reserved label key", schema.Project{Name: "p", Namespace: "p", Labels: map[string]string{"app.kubernetes.io/name": "x"}}, "Reserved label key"},
		{"bad label value", schema.Project{Name: "p", Namespace: "p", Labels: map[string]string{"team": "data team"}}, "Invalid label value"},
		{"bad env name", schema.Project{Name: "p", Namespace: "p", AllowEnv: []string{"1X"}}, "Invalid environment variable name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diags := project(&schema.Model{Project: c.p})
			if c.summary == "" {
				if len(diags) > 0 {
					t.Fatalf("unexpected: %v", diags)
				}
				return
			}
			if len(diags) != 1 || !strings.Contains(diags[0].Summary, c.summary) {
				t.Fatalf("got %v, want one %q", diags, c.summary)
			}
		})
	}
}
