package lang

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestSchemaTreeComplete: every block type the loader's schemas declare has
// its body schema registered in bodySchemas, so completion and hover know
// its attributes; a new nested block without its line fails here.
func TestSchemaTreeComplete(t *testing.T) {
	var walk func(path string, s *hcl.BodySchema)
	seen := map[string]bool{}
	walk = func(path string, s *hcl.BodySchema) {
		for _, b := range s.Blocks {
			child := b.Type
			if path != "" {
				child = path + "." + b.Type
			}
			seen[child] = true
			cs, ok := bodySchemas[child]
			if !ok && !freeFormBlocks[child] {
				t.Errorf("block %s has no entry in bodySchemas (lang/schematree.go)", child)
				continue
			}
			if cs != nil {
				walk(child, cs)
			}
		}
	}
	walk("", rootSchema)
	for path := range bodySchemas {
		if !seen[path] {
			t.Errorf("bodySchemas has %s, which no schema declares as a block", path)
		}
	}
}

func TestSchemaFind(t *testing.T) {
	root := Schema()
	alb := root.Find("service.ingress.alb")
	if alb == nil || alb.Path != "service.ingress.alb" || len(alb.Attributes) == 0 {
		t.Fatalf("service.ingress.alb = %+v", alb)
	}
	if l := root.Find("locals"); l == nil || !l.AnyAttributes {
		t.Fatalf("locals = %+v", l)
	}
	if root.Find("service.nope") != nil {
		t.Fatal("found a block that does not exist")
	}
	svc := root.Find("service")
	if len(svc.Labels) != 1 || svc.Attributes[0].Name != "image" || !svc.Attributes[0].Required {
		t.Fatalf("service = %+v", svc)
	}
}
