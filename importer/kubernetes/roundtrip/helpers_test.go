package roundtrip

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
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
