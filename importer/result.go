package importer

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Options are the settings every importer accepts.
type Options struct {
	// Project names the estate's project block when the source does not
	// say (Kubernetes: the namespace otherwise).
	Project string
}

// Result is what one import produced.
type Result struct {
	// Files are the HCL files to write, by base name ("services.hcl").
	Files map[string]*hclwrite.File
	// Sources holds the bytes of every input file read, by the name the
	// diagnostics use, so a report can show the line it points at.
	Sources map[string][]byte
	// Diags is the report: a warning per thing not imported (NotImported),
	// errors for input that cannot be read at all. A Result with errors
	// must not be written.
	Diags hcl.Diagnostics
}

// NewResult returns an empty Result ready to be filled.
func NewResult() *Result {
	return &Result{Files: map[string]*hclwrite.File{}, Sources: map[string][]byte{}}
}

// File returns the HCL file called name, creating it on first use, so a
// reader can append blocks to "services.hcl" from wherever it meets them.
func (r *Result) File(name string) *hclwrite.File {
	f, ok := r.Files[name]
	if !ok {
		f = hclwrite.NewEmptyFile()
		r.Files[name] = f
	}
	return f
}

// FileNames returns the names of r.Files in a stable order.
func (r *Result) FileNames() []string {
	names := make([]string, 0, len(r.Files))
	for n := range r.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Why a thing was not imported: every NotImported warning gives one.
const (
	// NoEquivalent: nbac's language has nothing that means this.
	NoEquivalent = "nbac has no equivalent"
	// OutOfRange: nbac has the setting, but not this value of it.
	OutOfRange = "the value is outside what nbac allows"
	// EmittedByNbac: nbac produces this itself from the rest of the source.
	EmittedByNbac = "nbac emits it itself"
	// ServerSet: the cluster wrote it (status, uid, managedFields, ...): it
	// is state read back with `kubectl get -o yaml`, not configuration.
	ServerSet = "the cluster sets it"
	// Unsafe: the value is refused on purpose (a secret's data, a string that
	// would be injected into a config).
	Unsafe = "nbac refuses it on purpose"
)

// NotImported records that what (a field path or a directive) at file:line
// was not imported, and why (one of the constants above), with detail
// saying what the user can do.
func (r *Result) NotImported(file string, line int, what, why, detail string) {
	d := &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  "Not imported: " + what + " (" + why + ")",
		Detail:   detail,
	}
	if file != "" {
		pos := hcl.Pos{Line: max(line, 1), Column: 1}
		d.Subject = &hcl.Range{Filename: file, Start: pos, End: pos}
	}
	r.Diags = append(r.Diags, d)
}

// Fail records input that cannot be imported at all (unreadable, invalid
// YAML or config syntax). file and line may be zero when unknown.
func (r *Result) Fail(file string, line int, summary, detail string) {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
	if file != "" {
		pos := hcl.Pos{Line: max(line, 1), Column: 1}
		d.Subject = &hcl.Range{Filename: file, Start: pos, End: pos}
	}
	r.Diags = append(r.Diags, d)
}
