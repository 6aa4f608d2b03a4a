package roundtrip

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/nbac/nbac/importer/kubernetes"
)

// rawTokens turns an HCL expression into hclwrite tokens.
func rawTokens(t *testing.T, expr string) hclwrite.Tokens {
	t.Helper()
	toks, diags := hclsyntax.LexExpression([]byte(expr), "expr", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	out := make(hclwrite.Tokens, 0, len(toks))
	for _, tk := range toks {
		if tk.Type == hclsyntax.TokenEOF {
			continue
		}
		out = append(out, &hclwrite.Token{Type: tk.Type, Bytes: tk.Bytes})
	}
	return out
}

// wantUnexpected checks e (whose attr was changed after the import) and
// fails unless the check shows an unexpected difference at wantPath.
func wantUnexpected(t *testing.T, e *kubernetes.Estate, attr, wantPath string) {
	t.Helper()
	rep, _, diags := Check(e)
	if diags.HasErrors() {
		t.Fatalf("build: %v", diags)
	}
	var hit []string
	for _, p := range rep.Pairs {
		for _, d := range p.Diffs {
			if d.Class == Unexpected {
				hit = append(hit, d.Path)
			}
		}
	}
	for _, h := range hit {
		if strings.HasPrefix(h, wantPath) {
			return
		}
	}
	var b strings.Builder
	rep.WriteText(&b)
	t.Fatalf("changing %s: unexpected differences at %q, want one at %s\n%s", attr, hit, wantPath, b.String())
}
