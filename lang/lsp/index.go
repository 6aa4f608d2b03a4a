package lsp

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/nbac/nbac/lang"
)

// A def is a name expressions can refer to: a block (KIND.NAME), a
// variable (var.NAME) or a local (local.NAME).
type def struct {
	key   string    // "service.api", "var.env", "local.image"
	name  hcl.Range // the label or local's name
	whole hcl.Range // the block or local attribute
}

// A ref is one reference in an expression, ranged over ROOT.NAME.
type ref struct {
	key string
	rng hcl.Range
}

// indexedFile is one file's syntax tree with its definitions and
// references; kept while the file's bytes stay the same, so that a
// keystroke in one file of a large estate reparses only that file.
type indexedFile struct {
	src  []byte
	body *hclsyntax.Body
	defs []def
	refs []ref
}

type indexCache struct{ files map[string]*indexedFile }

// index is the definitions and references of one configuration directory.
type index struct {
	defs  map[string]def
	refs  []ref
	files map[string]*indexedFile
}

var roots = lang.ReferenceRoots()

// index reads the native-syntax files of dir (open buffers over the disk).
// JSON files have no positions worth navigating and are left out.
func (s *Server) index(dir string) *index {
	names := map[string]bool{}
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if !e.IsDir() {
				names[filepath.Join(dir, e.Name())] = true
			}
		}
	}
	for p := range s.docs {
		if filepath.Dir(p) == dir {
			names[p] = true
		}
	}
	ix := &index{defs: map[string]def{}, files: map[string]*indexedFile{}}
	sorted := make([]string, 0, len(names))
	for n := range names {
		if isConfig(n) && strings.HasSuffix(n, ".hcl") {
			sorted = append(sorted, n)
		}
	}
	sort.Strings(sorted)
	for _, name := range sorted {
		f := s.indexFile(name)
		if f == nil {
			continue
		}
		ix.files[name] = f
		for _, d := range f.defs {
			if _, dup := ix.defs[d.key]; !dup {
				ix.defs[d.key] = d
			}
		}
		ix.refs = append(ix.refs, f.refs...)
	}
	return ix
}

func (s *Server) indexFile(name string) *indexedFile {
	var src []byte
	if d := s.docs[name]; d != nil {
		src = d.src
	} else if b, err := readFile(name); err == nil {
		src = b
	} else {
		return nil
	}
	if f := s.idx.files[name]; f != nil && bytes.Equal(f.src, src) {
		return f
	}
	f := parseIndexed(name, src)
	s.idx.files[name] = f
	return f
}

// parseIndexed parses a file, however broken (hclsyntax recovers what it
// can), and collects its definitions and references.
func parseIndexed(name string, src []byte) *indexedFile {
	file, _ := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	f := &indexedFile{src: src}
	body, ok := file.Body.(*hclsyntax.Body)
	if !ok {
		return f
	}
	f.body = body
	for _, b := range body.Blocks {
		switch {
		case b.Type == "locals":
			for _, a := range b.Body.Attributes {
				f.defs = append(f.defs, def{key: "local." + a.Name, name: a.NameRange, whole: a.SrcRange})
			}
		case b.Type == "variable" && len(b.Labels) == 1:
			f.defs = append(f.defs, def{key: "var." + b.Labels[0], name: b.LabelRanges[0], whole: b.Range()})
		case slices.Contains(roots, b.Type) && len(b.Labels) == 1:
			f.defs = append(f.defs, def{key: b.Type + "." + b.Labels[0], name: b.LabelRanges[0], whole: b.Range()})
		}
	}
	f.refs = collectRefs(body, nil)
	return f
}

func collectRefs(body *hclsyntax.Body, out []ref) []ref {
	attrs := make([]*hclsyntax.Attribute, 0, len(body.Attributes))
	for _, a := range body.Attributes {
		attrs = append(attrs, a)
	}
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].SrcRange.Start.Byte < attrs[j].SrcRange.Start.Byte })
	for _, a := range attrs {
		for _, t := range a.Expr.Variables() {
			if r, ok := refOf(t); ok {
				out = append(out, r)
			}
		}
	}
	for _, b := range body.Blocks {
		out = collectRefs(b.Body, out)
	}
	return out
}

// refOf is a traversal's ROOT.NAME, when ROOT is a reference root.
func refOf(t hcl.Traversal) (ref, bool) {
	if len(t) < 2 || !slices.Contains(roots, t.RootName()) {
		return ref{}, false
	}
	a, ok := t[1].(hcl.TraverseAttr)
	if !ok {
		return ref{}, false
	}
	return ref{key: t.RootName() + "." + a.Name, rng: hcl.RangeBetween(t[0].SourceRange(), a.SrcRange)}, true
}

// names lists the declared names under root ("service" -> api, web).
func (ix *index) names(root string) []string {
	var out []string
	for k := range ix.defs {
		if r, n, _ := strings.Cut(k, "."); r == root {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// keyAt is the definition key at byte offset off of file: a reference
// under the cursor, or a definition's name.
func (ix *index) keyAt(file string, off int) (string, bool) {
	f := ix.files[file]
	if f == nil {
		return "", false
	}
	for _, r := range f.refs {
		if within(r.rng, off) {
			return r.key, true
		}
	}
	for _, d := range f.defs {
		if within(d.name, off) {
			return d.key, true
		}
	}
	return "", false
}

func within(r hcl.Range, off int) bool { return r.Start.Byte <= off && off <= r.End.Byte }
