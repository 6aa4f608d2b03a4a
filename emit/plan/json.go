package plan

import (
	_ "embed"
	"encoding/json"

	"github.com/hashicorp/hcl/v2"
)

// FormatVersion is the version of the JSON plan format. Adding a field does
// not change it; changing or removing one does.
const FormatVersion = "1"

// Schema is the JSON Schema (draft 2020-12) of Document, the contract that
// docs/cli.md describes.
//
//go:embed plan.schema.json
var Schema []byte

// Document is the JSON form of a plan, as `nbac plan -json` prints it.
type Document struct {
	FormatVersion string       `json:"format_version"`
	Changes       []JSONChange `json:"changes"`
	Summary       JSONSummary  `json:"summary"`
	// Live is true for `nbac plan -live`: the summary counts objects.
	Live bool `json:"live,omitempty"`
	// Notes are what a live plan could not compare (package live).
	Notes []string `json:"notes,omitempty"`
	// Errored is true when the plan could not be made (the configuration
	// has errors): Changes is then empty and Diagnostics says why.
	Errored bool `json:"errored"`
	// Diagnostics are the warnings (or, when planning failed, the errors)
	// in the CLI's JSON diagnostic form; the CLI fills them in.
	Diagnostics any `json:"diagnostics"`
}

// JSONChange is one file.
type JSONChange struct {
	Path    string       `json:"path"`
	Action  Action       `json:"action"`
	Origin  string       `json:"origin"`
	Range   *JSONRange   `json:"range"`
	Objects []JSONObject `json:"objects"`
	Fields  []JSONField  `json:"fields"`
	Diff    string       `json:"diff"`
}

// JSONObject is one Kubernetes object of a manifest that differs.
type JSONObject struct {
	Kind         string `json:"kind"`
	Namespace    string `json:"namespace"`
	Name         string `json:"name"`
	PreviousName string `json:"previous_name,omitempty"`
	Action       Action `json:"action"`
	Note         string `json:"note,omitempty"`
}

// JSONField is one differing field. Before is absent when the field is
// added, After when it is removed; both are absent when Sensitive.
type JSONField struct {
	Object    string          `json:"object"` // kind/namespace/name
	Path      string          `json:"path"`
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
	Sensitive bool            `json:"sensitive,omitempty"`
	// FollowsRename marks a reference to a renamed hash-named object.
	FollowsRename bool `json:"follows_rename,omitempty"`
	// Manager names the other field manager of a drifted live field.
	Manager string `json:"manager,omitempty"`
}

// JSONSummary counts files by action; Text is the summary line.
type JSONSummary struct {
	Add    int    `json:"add"`
	Change int    `json:"change"`
	Remove int    `json:"remove"`
	Text   string `json:"text"`
}

// JSONRange is a source range, the same shape as in JSON diagnostics.
type JSONRange struct {
	Filename string  `json:"filename"`
	Start    JSONPos `json:"start"`
	End      JSONPos `json:"end"`
}

// JSONPos is a position: 1-based line and column (in characters), 0-based byte offset.
type JSONPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// RangeJSON converts an hcl.Range; nil stays nil.
func RangeJSON(r *hcl.Range) *JSONRange {
	if r == nil {
		return nil
	}
	return &JSONRange{
		Filename: r.Filename,
		Start:    JSONPos{r.Start.Line, r.Start.Column, r.Start.Byte},
		End:      JSONPos{r.End.Line, r.End.Column, r.End.Byte},
	}
}

// Document returns the plan's JSON form; diags is put in as is (the CLI's
// diagnostics, or nil for an empty list).
func (p *Plan) Document(diags any) Document {
	if diags == nil {
		diags = []any{}
	}
	d := Document{FormatVersion: FormatVersion, Changes: []JSONChange{}, Diagnostics: diags, Live: p.Live, Notes: p.Notes}
	for _, c := range p.Changes {
		jc := JSONChange{
			Path: c.Path, Action: c.Action, Origin: c.Origin, Range: RangeJSON(c.Range),
			Objects: []JSONObject{}, Fields: []JSONField{}, Diff: c.Diff,
		}
		for _, o := range c.Objects {
			jc.Objects = append(jc.Objects, JSONObject{o.Kind, o.Namespace, o.Name, o.PreviousName, o.Action, o.Note})
			for _, f := range o.Fields {
				jf := JSONField{Object: o.Kind + "/" + o.Namespace + "/" + o.Name, Path: f.Path, Sensitive: f.Sensitive, FollowsRename: f.FollowsRename, Manager: f.Manager}
				if f.HasBefore && !f.Sensitive {
					jf.Before = rawJSON(f.Before)
				}
				if f.HasAfter && !f.Sensitive {
					jf.After = rawJSON(f.After)
				}
				jc.Fields = append(jc.Fields, jf)
			}
		}
		d.Changes = append(d.Changes, jc)
	}
	d.Summary.Add, d.Summary.Change, d.Summary.Remove = p.Summary()
	d.Summary.Text = p.SummaryLine()
	return d
}

func rawJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		// Values come from decoding YAML as JSON, so they always encode.
		return json.RawMessage(`null`)
	}
	return b
}
