package kubernetes

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/nbac/nbac/importer"
)

// Estate is one import: the report and HCL (Result), every object read
// with what it became, and the services built.
type Estate struct {
	Result    *importer.Result
	Objects   []*Object
	Project   string
	Namespace string
	Services  []*Service
	Gateways  []*Gateway
}

// Stats are the import's figures.
type Stats struct {
	Objects, ObjectsImported, ObjectsReported int
	Fields                                    Counts
}

// Stats counts objects (imported: they became an nbac object; reported:
// whole objects not imported) and leaf fields.
func (e *Estate) Stats() Stats {
	var s Stats
	for _, o := range e.Objects {
		s.Objects++
		if o.Target != (Key{}) {
			s.ObjectsImported++
		} else {
			s.ObjectsReported++
		}
		c := o.count()
		s.Fields.Imported += c.Imported
		s.Fields.Reported += c.Reported
	}
	return s
}

// Import reads paths and maps them to nbac HCL. The Result's files are
// project.hcl and services.hcl; its Diags hold the located report.
func Import(paths []string, opts importer.Options) *Estate {
	res := importer.NewResult()
	e := &Estate{Result: res}
	e.Objects = ReadPaths(paths, res)
	if res.Diags.HasErrors() {
		return e
	}
	return finish(e, opts)
}

// finish maps the objects read and writes the HCL.
func finish(e *Estate, opts importer.Options) *Estate {
	res := e.Result
	e.pickProject(opts)
	if res.Diags.HasErrors() {
		return e
	}
	m := newMapper(e)
	m.run()
	for _, o := range e.Objects {
		if !o.wholeReported() {
			o.leftover(res, importer.NoEquivalent, "nbac's language has no setting for this field, so nbac's output will not have it. Keep the object outside nbac if you need it.")
		}
	}
	if len(e.Services) == 0 {
		res.Fail("", 0, "Nothing to import", "No apps/v1 Deployment was found: nbac's services are Deployments (with their Service, HPA, PDB, Ingress and NetworkPolicy).")
		return e
	}
	writeHCL(e)
	sortReport(res)
	return e
}

// sortReport orders the report by file and line, so it reads top to
// bottom beside the input whatever order the mapping found things in.
func sortReport(res *importer.Result) {
	sort.SliceStable(res.Diags, func(i, j int) bool {
		a, b := res.Diags[i].Subject, res.Diags[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		}
		return a.Start.Line < b.Start.Line
	})
}

func (o *Object) wholeReported() bool {
	for _, r := range o.reported {
		if len(r) == 0 {
			return true
		}
	}
	return false
}

// pickProject takes -project, else the namespace most objects name (ties:
// the first met), else "default", which is where kubectl puts objects
// that name none.
func (e *Estate) pickProject(opts importer.Options) {
	count := map[string]int{}
	best := ""
	for _, o := range e.Objects {
		if o.Namespace == "" || isGateway(o) {
			continue
		}
		count[o.Namespace]++
		if best == "" || count[o.Namespace] > count[best] {
			best = o.Namespace
		}
	}
	e.Namespace = best
	if e.Namespace == "" {
		e.Namespace = "default"
	}
	e.Project = opts.Project
	if e.Project == "" {
		e.Project = e.Namespace
	}
	if errs := validation.IsDNS1123Label(e.Namespace); len(errs) > 0 {
		e.Result.Fail("", 0, "Invalid namespace", fmt.Sprintf("Namespace %q: %s.", e.Namespace, strings.Join(errs, "; ")))
	}
	if errs := validation.IsValidLabelValue(e.Project); len(errs) > 0 || !validIdent(e.Project) {
		e.Result.Fail("", 0, "Invalid project name", fmt.Sprintf("%q cannot name an nbac project (letters, digits, '_' and '-', starting with a letter, at most 63 characters); give one with -project.", e.Project))
	}
}

func validIdent(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func itoa(i int) string { return strconv.Itoa(i) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
