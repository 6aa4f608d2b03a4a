package lang

import (
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

var projectSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "namespace"},
		{Name: "labels"},
		{Name: "allow_env"},
	},
}

// openProject decodes the project block and reads allow_env first: it
// decides what env() may read, so it must be known before any function is
// available and may hold only literal names.
func (l *loader) openProject() (*body, *schema.Project) {
	p := &schema.Project{}
	b := l.cfg.project
	if b == nil {
		return nil, p
	}
	p.Name = b.Labels[0]
	p.Src.Block = b.DefRange
	pb, _ := l.open(b.Body, projectSchema, &p.Src, schema.Describe("project", p.Name))
	if a := pb.c.Attributes["allow_env"]; a != nil {
		if _, d := l.cfg.references(a.Expr, noRefs, "allow_env"); d.HasErrors() {
			l.add(d...)
		} else {
			p.AllowEnv = pb.strings("allow_env")
		}
	}
	sort.Strings(p.AllowEnv)
	return pb, p
}

// lowerProject reads the rest of the project block once variables and
// locals are known.
func (l *loader) lowerProject(pb *body, p *schema.Project) {
	if pb == nil {
		return
	}
	p.Namespace = pb.str("namespace", p.Name)
	p.Labels = pb.stringMap("labels")
}
