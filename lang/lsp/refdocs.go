package lsp

import (
	"regexp"
	"strings"

	"github.com/nbac/nbac/docs"
	"github.com/nbac/nbac/lang"
)

// refDocs is what docs/language.md says about each block and attribute,
// keyed by block path ("service.ingress") and attribute name. The
// reference is the one source: hover shows its rows, and enum values for
// completion come from the attribute's values column, so the editor never
// says something the documentation does not.
type refDocs struct {
	blocks map[string]string             // block path -> its introducing paragraph
	attrs  map[string]map[string]attrDoc // block path -> attribute -> row
}

// attrDoc is one documented attribute: a table row (header -> cell), or the
// paragraph that documents a small block in prose.
type attrDoc struct {
	Cells []cell
	Prose string
	Enum  []string
}

type cell struct{ Header, Text string }

var backticked = regexp.MustCompile("`([^`]+)`")

// parseRefDocs reads the language reference's structure: "## KIND"
// sections for top-level blocks, paragraphs starting with a nested block's
// name in backticks ("**`probe ...`**", "`alb` block inside") for nested
// ones, and tables whose first column is `attribute` for attributes.
func parseRefDocs(md string, root *lang.BlockSchema) *refDocs {
	d := &refDocs{blocks: map[string]string{}, attrs: map[string]map[string]attrDoc{}}
	lines := strings.Split(md, "\n")
	var section *lang.BlockSchema // top-level block of the current "## " section
	path := ""
	var header []string
	inCode := false
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(line, "```"):
			inCode = !inCode
			continue
		case inCode:
			continue
		case strings.HasPrefix(line, "#"):
			section, path = nil, ""
			if name, ok := strings.CutPrefix(line, "## "); ok {
				if b := root.Find(strings.TrimSpace(name)); b != nil {
					section, path = b, b.Path
					d.blocks[path] = paragraphAfter(lines, i+1)
				}
			}
			continue
		case section == nil:
			continue
		case strings.HasPrefix(line, "|"):
			cells := splitRow(line)
			if len(cells) == 0 || strings.HasPrefix(cells[0], "---") {
				continue
			}
			if cells[0] == "attribute" {
				header = cells
				continue
			}
			m := backticked.FindStringSubmatch(cells[0])
			if m == nil || header == nil {
				continue
			}
			doc := attrDoc{}
			for j, c := range cells {
				if j > 0 && j < len(header) {
					doc.Cells = append(doc.Cells, cell{Header: header[j], Text: c})
				}
			}
			doc.Enum = enumValues(header, cells)
			d.attr(path, m[1], doc)
		case strings.HasPrefix(line, "**`") || strings.HasPrefix(line, "`"):
			m := backticked.FindStringSubmatch(line)
			name, _, _ := strings.Cut(m[1], " ")
			nested := findNested(section, name)
			if nested == nil {
				continue
			}
			path, header = nested.Path, nil
			para := paragraphAfter(lines, i)
			d.blocks[path] = para
			// A small block documented in prose: each of its attributes
			// named in the paragraph gets the paragraph.
			for _, a := range nested.Attributes {
				if strings.Contains(para, "`"+a.Name+"`") || strings.Contains(para, "`"+a.Name+" ") {
					d.attr(path, a.Name, attrDoc{Prose: para})
				}
			}
		}
	}
	return d
}

func (d *refDocs) attr(path, name string, doc attrDoc) {
	if d.attrs[path] == nil {
		d.attrs[path] = map[string]attrDoc{}
	}
	if _, dup := d.attrs[path][name]; !dup || doc.Prose == "" {
		d.attrs[path][name] = doc
	}
}

// findNested finds the block called name anywhere below b (nested block
// types are unique within a top-level block).
func findNested(b *lang.BlockSchema, name string) *lang.BlockSchema {
	for _, c := range b.Blocks {
		if c.Type == name {
			return c
		}
		if f := findNested(c, name); f != nil {
			return f
		}
	}
	return nil
}

func splitRow(line string) []string {
	line = strings.Trim(line, "|")
	parts := strings.Split(line, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// enumValues are the backticked words of the values column of an enum
// attribute's row ("`ClusterIP`, `NodePort`").
func enumValues(header, cells []string) []string {
	if len(header) < 2 || len(cells) < 2 || !strings.Contains(cells[1], "enum") || len(cells) < len(header) {
		return nil
	}
	var out []string
	for _, m := range backticked.FindAllStringSubmatch(cells[len(header)-1], -1) {
		v := strings.Trim(m[1], `"`)
		if v != "" && !strings.ContainsAny(v, " =") {
			out = append(out, v)
		}
	}
	return out
}

// paragraphAfter joins the lines from i up to the next blank line, table
// or code block.
func paragraphAfter(lines []string, i int) string {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	var b []string
	for ; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "|") || strings.HasPrefix(l, "```") || strings.HasPrefix(l, "#") {
			break
		}
		b = append(b, l)
	}
	return strings.Join(b, " ")
}

// markdown renders an attribute's documentation for hover.
func (a attrDoc) markdown(path, name string) string {
	var b strings.Builder
	b.WriteString("**" + name + "** (`" + path + "`)\n\n")
	if a.Prose != "" {
		b.WriteString(a.Prose + "\n")
		return b.String()
	}
	for _, c := range a.Cells {
		if c.Text == "" {
			continue
		}
		b.WriteString("- " + c.Header + ": " + c.Text + "\n")
	}
	return b.String()
}

// reference is the parsed docs/language.md, read once.
var reference = parseRefDocs(docs.Language, lang.Schema())
