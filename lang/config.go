package lang

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Block kinds that are declared with one label and can be referenced as
// KIND.NAME from expressions.
var refKinds = []string{"service", "load_balancer", "redis", "cache", "broker", "queue", "gateway"}

var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "project", LabelNames: []string{"name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "service", LabelNames: []string{"name"}},
		{Type: "load_balancer", LabelNames: []string{"name"}},
		{Type: "redis", LabelNames: []string{"name"}},
		{Type: "cache", LabelNames: []string{"name"}},
		{Type: "broker", LabelNames: []string{"name"}},
		{Type: "queue", LabelNames: []string{"name"}},
		{Type: "gateway", LabelNames: []string{"name"}},
	},
}

// config is a configuration after the first, purely structural pass: every
// top-level block found, grouped by kind, with duplicates rejected. Nothing
// is evaluated yet.
type config struct {
	project   *hcl.Block
	variables []*hcl.Block // sorted by name
	locals    []*hcl.Attribute
	// blocks maps a referenceable kind to its blocks, sorted by name.
	blocks map[string][]*hcl.Block
	// names maps a kind ("var", "local", "service", ...) to its declared
	// names, for reference checks and suggestions.
	names map[string]map[string]hcl.Range
}

// decodeConfig sorts the top-level blocks of files (already in name order)
// into a config.
func decodeConfig(files []*hcl.File) (*config, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	cfg := &config{blocks: map[string][]*hcl.Block{}, names: map[string]map[string]hcl.Range{}}
	for _, k := range append([]string{"var", "local"}, refKinds...) {
		cfg.names[k] = map[string]hcl.Range{}
	}
	seen := map[string]*hcl.Block{}
	for _, f := range files {
		content, d := f.Body.Content(rootSchema)
		diags = append(diags, d...)
		for _, b := range content.Blocks {
			if b.Type == "locals" {
				diags = append(diags, cfg.addLocals(b)...)
				continue
			}
			key := b.Type + "." + b.Labels[0]
			if b.Type == "project" {
				key = "project"
			}
			if prev := seen[key]; prev != nil {
				diags = append(diags, duplicateBlock(b, prev))
				continue
			}
			seen[key] = b
			if b.Type != "project" && !hclsyntax.ValidIdentifier(b.Labels[0]) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid block name",
					Detail:   fmt.Sprintf("%q cannot name a %s: a name starts with a letter and holds only letters, digits, '_' and '-', so that %s.NAME can refer to it.", b.Labels[0], b.Type, refRoot(b.Type)),
					Subject:  b.LabelRanges[0].Ptr(),
				})
				continue
			}
			switch b.Type {
			case "project":
				cfg.project = b
			case "variable":
				cfg.variables = append(cfg.variables, b)
				cfg.names["var"][b.Labels[0]] = b.DefRange
			default:
				cfg.blocks[b.Type] = append(cfg.blocks[b.Type], b)
				cfg.names[b.Type][b.Labels[0]] = b.DefRange
			}
		}
	}
	byLabel := func(bs []*hcl.Block) {
		sort.Slice(bs, func(i, j int) bool { return bs[i].Labels[0] < bs[j].Labels[0] })
	}
	byLabel(cfg.variables)
	for _, bs := range cfg.blocks {
		byLabel(bs)
	}
	sort.Slice(cfg.locals, func(i, j int) bool { return cfg.locals[i].Name < cfg.locals[j].Name })
	if cfg.project == nil && !diags.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing project block",
			Detail:   `A configuration needs exactly one project block, e.g. project "shop" { namespace = "shop" }; it names the estate and its Kubernetes namespace.`,
			Subject:  firstFileRange(files),
		})
	}
	return cfg, diags
}

func (cfg *config) addLocals(b *hcl.Block) hcl.Diagnostics {
	attrs, diags := b.Body.JustAttributes()
	for _, a := range attrs {
		if prev, ok := cfg.names["local"][a.Name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate local value",
				Detail:   fmt.Sprintf("local.%s is already defined at %s. Each local value is defined once across all files; rename or remove one.", a.Name, prev),
				Subject:  a.NameRange.Ptr(),
			})
			continue
		}
		cfg.names["local"][a.Name] = a.NameRange
		cfg.locals = append(cfg.locals, a)
	}
	return diags
}

func refRoot(kind string) string {
	if kind == "variable" {
		return "var"
	}
	return kind
}

func duplicateBlock(b, prev *hcl.Block) *hcl.Diagnostic {
	what := b.Type
	if len(b.Labels) > 0 && b.Type != "project" {
		what = fmt.Sprintf("%s %q", b.Type, b.Labels[0])
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Duplicate " + b.Type + " block",
		Detail:   fmt.Sprintf("%s is already declared at %s. Each block is declared once across all files of a configuration; rename or remove one of them.", what, prev.DefRange),
		Subject:  b.DefRange.Ptr(),
	}
}

// firstFileRange points at the start of the first file, for problems of the
// configuration as a whole.
func firstFileRange(files []*hcl.File) *hcl.Range {
	if len(files) == 0 {
		return nil
	}
	r := files[0].Body.MissingItemRange()
	return &r
}
