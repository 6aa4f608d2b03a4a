package lang

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestVariablesMatchesHCL checks that variables, which walks the syntax
// tree itself, finds the same traversals in the same order as HCL's
// Variables() for every expression in the examples and the error cases,
// plus expressions chosen for the node types it handles or defers.
func TestVariablesMatchesHCL(t *testing.T) {
	exprs := []string{
		`"a-${var.x}-${local.y.z}"`,
		`merge(local.env, { A = var.a, "b" = local.b, (var.k) = 1, true = 2 })`,
		`[for s in var.list : s.name if s.on]`,
		`{ for k, v in var.m : k => v }`,
		`var.list[*].name`,
		`var.a ? local.b : service.c.name`,
		`!var.a && (local.b || var.c[0])`,
		`-var.n + local.m * 2`,
		`var.m[local.k].x`,
		"<<EOT\n%{ for x in var.xs }${x}-${local.y}%{ endfor }\nEOT\n",
		`{ a = [1, "two", { b = null }] }`,
	}
	names, _ := filepath.Glob("../examples/*/*.hcl")
	errs, _ := filepath.Glob("testdata/errors/*.hcl")
	checked := 0
	check := func(where string, e hcl.Expression) {
		checked++
		if got, want := variables(e), e.Variables(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: variables = %v, Variables() = %v", where, got, want)
		}
	}
	for i, src := range exprs {
		e, diags := hclsyntax.ParseExpression([]byte(src), "expr.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("expression %d: %s", i, diags.Error())
		}
		check(src, e)
	}
	for _, name := range append(names, errs...) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := hclsyntax.ParseConfig(b, name, hcl.InitialPos)
		if body, ok := f.Body.(*hclsyntax.Body); ok {
			walkBody(body, func(a *hclsyntax.Attribute) { check(a.SrcRange.String(), a.Expr) })
		}
	}
	if checked < 100 {
		t.Errorf("checked only %d expressions; are the examples missing?", checked)
	}
}

func walkBody(b *hclsyntax.Body, fn func(*hclsyntax.Attribute)) {
	for _, a := range b.Attributes {
		fn(a)
	}
	for _, blk := range b.Blocks {
		walkBody(blk.Body, fn)
	}
}
