package lsp

import (
	"slices"
	"testing"

	"github.com/nbac/nbac/lang"
)

// TestReferenceMatchesSchema: docs/language.md and the schema Load decodes
// with describe the same attributes. Every attribute of every block is
// documented in its block's section (so hover always has something to
// say), and every attribute a table documents exists in that block.
func TestReferenceMatchesSchema(t *testing.T) {
	root := lang.Schema()
	var walk func(b *lang.BlockSchema)
	walk = func(b *lang.BlockSchema) {
		for _, c := range b.Blocks {
			if !c.AnyAttributes {
				if _, ok := reference.blocks[c.Path]; !ok {
					t.Errorf("block %s is not introduced in docs/language.md", c.Path)
				}
			}
			for _, a := range c.Attributes {
				if _, ok := reference.attrs[c.Path][a.Name]; !ok {
					t.Errorf("attribute %s of %s is not documented in docs/language.md", a.Name, c.Path)
				}
			}
			walk(c)
		}
	}
	walk(root)
	for path, attrs := range reference.attrs {
		b := root.Find(path)
		if b == nil {
			t.Errorf("docs/language.md documents block %s, which the schema lacks", path)
			continue
		}
		for name := range attrs {
			if !slices.ContainsFunc(b.Attributes, func(a lang.AttributeSchema) bool { return a.Name == name }) {
				t.Errorf("docs/language.md documents attribute %s of %s, which the schema lacks", name, path)
			}
		}
	}
}

func TestReferenceEnums(t *testing.T) {
	for _, c := range []struct {
		path, attr string
		want       []string
	}{
		{"service", "expose", []string{"ClusterIP", "NodePort", "LoadBalancer"}},
		{"service.ingress.alb", "scheme", []string{"internet-facing", "internal"}},
		{"queue.retry", "backoff", []string{"exponential", "constant"}},
		{"broker", "type", []string{"rabbitmq", "kafka", "redis", "memory", "sqs"}},
	} {
		got := reference.attrs[c.path][c.attr].Enum
		if !slices.Equal(got, c.want) {
			t.Errorf("%s.%s enum = %q, want %q", c.path, c.attr, got, c.want)
		}
	}
	if p := reference.attrs["load_balancer.tls.hsts"]["max_age"].Prose; p == "" {
		t.Error("hsts max_age has no prose documentation")
	}
}
