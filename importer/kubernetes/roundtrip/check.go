package roundtrip

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/kubernetes"
	"github.com/nbac/nbac/lang"
)

// Class says how a difference is accounted for.
type Class string

const (
	// Expected: one of nbac's documented additions or defaults.
	Expected Class = "expected"
	// Reported: the import reported the field as not imported.
	Reported Class = "reported"
	// Unexpected: nothing accounts for it; the import changed meaning.
	Unexpected Class = "unexpected"
)

// Diff is one difference between an original object and nbac's.
type Diff struct {
	Path     string `json:"path"`
	Original string `json:"original"` // JSON of the original value; "" when absent
	Nbac     string `json:"nbac"`     // JSON of nbac's value; "" when absent
	Class    Class  `json:"class"`
	Reason   string `json:"reason"`
}

// Pair is one original object and what nbac writes for it.
type Pair struct {
	Original string `json:"original"` // Kind/name
	Source   string `json:"source"`   // file:line
	Nbac     string `json:"nbac"`     // Kind/name; "" when nbac writes nothing for it
	Diffs    []Diff `json:"differences"`
}

// Report is the whole comparison.
type Report struct {
	Pairs []Pair `json:"objects"`
	// Added are objects nbac writes that have no original, with why.
	Added []Diff `json:"added"`
	// NotImported are originals the import reported whole.
	NotImported []string `json:"not_imported"`
	Counts      Counts   `json:"counts"`
}

// Counts are the comparison's figures.
type Counts struct {
	Compared   int `json:"compared"`
	Expected   int `json:"expected"`
	Reported   int `json:"reported"`
	Unexpected int `json:"unexpected"`
}

// Check builds e's HCL as `nbac build` would and compares. The build's
// diagnostics (errors stop the comparison) are returned with the files
// they point into, named "<import>/services.hcl" and so on.
func Check(e *kubernetes.Estate) (*Report, map[string]*hcl.File, hcl.Diagnostics) {
	dir, err := os.MkdirTemp("", "nbac-import-check-")
	if err != nil {
		return nil, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot build the imported files", Detail: err.Error()}}
	}
	defer os.RemoveAll(dir)
	if _, err := importer.Write(dir, e.Result, false); err != nil {
		return nil, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot build the imported files", Detail: err.Error()}}
	}
	res := lang.Load(dir, lang.Options{})
	files, diags := rename(dir, res.Files, res.Diags)
	if res.Model == nil || diags.HasErrors() {
		return nil, files, diags
	}
	arts, bd := build.Artifacts(res.Model)
	_, bd = rename(dir, nil, bd)
	diags = append(diags, bd...)
	if diags.HasErrors() {
		return nil, files, diags
	}
	scratch := importer.NewResult()
	var built []*kubernetes.Object
	for _, a := range arts {
		if strings.HasPrefix(a.Path, "kubernetes/") {
			built = append(built, kubernetes.ReadDocuments(a.Path, a.Data, scratch)...)
		}
	}
	if scratch.Diags.HasErrors() {
		return nil, files, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read nbac's own output back",
			Detail: scratch.Diags.Error() + ". This is a bug in nbac; please report it."})
	}
	return compare(e, built), files, diags
}

// rename points diagnostics and files at "<import>/NAME" instead of the
// temporary directory the build read.
func rename(dir string, files map[string]*hcl.File, diags hcl.Diagnostics) (map[string]*hcl.File, hcl.Diagnostics) {
	name := func(f string) string {
		if rel, err := filepath.Rel(dir, f); err == nil && !strings.HasPrefix(rel, "..") {
			return "<import>/" + filepath.ToSlash(rel)
		}
		return f
	}
	out := map[string]*hcl.File{}
	for n, f := range files {
		out[name(n)] = f
	}
	for _, d := range diags {
		for _, r := range []*hcl.Range{d.Subject, d.Context} {
			if r != nil {
				r.Filename = name(r.Filename)
			}
		}
	}
	return out, diags
}

// compare pairs each original with nbac's object and diffs them.
func compare(e *kubernetes.Estate, built []*kubernetes.Object) *Report {
	rep := &Report{}
	byKey := map[kubernetes.Key]*kubernetes.Object{}
	paired := map[*kubernetes.Object]bool{}
	for _, b := range built {
		byKey[b.Key()] = b
	}
	find := func(k kubernetes.Key) *kubernetes.Object {
		if b := byKey[k]; b != nil {
			return b
		}
		if k.Kind == "ConfigMap" && strings.HasSuffix(k.Name, "-env-") {
			for _, b := range built {
				if b.Kind == "ConfigMap" && strings.HasPrefix(b.Name, k.Name) {
					return b
				}
			}
		}
		return nil
	}
	envs := newEnvResolver(e.Objects, built)
	services := serviceNames(e)
	for _, o := range e.Objects {
		src := o.File + ":" + itoa(o.Line)
		if o.Target == (kubernetes.Key{}) {
			rep.NotImported = append(rep.NotImported, o.Key().String()+" ("+src+")")
			continue
		}
		b := find(o.Target)
		p := Pair{Original: o.Key().String(), Source: src}
		if b == nil {
			p.Diffs = []Diff{{Path: "", Original: "(object)", Class: Unexpected, Reason: "nbac writes no " + o.Target.String()}}
		} else {
			paired[b] = true
			p.Nbac = b.Key().String()
			p.Diffs = diffObjects(o, b, envs, services)
		}
		rep.Counts.Compared++
		rep.Pairs = append(rep.Pairs, p)
	}
	for _, b := range built {
		if paired[b] {
			continue
		}
		d := Diff{Path: b.Key().String(), Nbac: "(object)", Class: Unexpected, Reason: "nbac writes it and the estate has no such object"}
		if why, ok := additions[b.Kind]; ok {
			d.Class, d.Reason = Expected, why
		}
		rep.Added = append(rep.Added, d)
	}
	for _, p := range rep.Pairs {
		for _, d := range p.Diffs {
			rep.Counts.add(d.Class)
		}
	}
	for _, d := range rep.Added {
		rep.Counts.add(d.Class)
	}
	sort.Slice(rep.Added, func(i, j int) bool { return rep.Added[i].Path < rep.Added[j].Path })
	return rep
}

func (c *Counts) add(cl Class) {
	switch cl {
	case Expected:
		c.Expected++
	case Reported:
		c.Reported++
	default:
		c.Unexpected++
	}
}
