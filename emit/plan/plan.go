package plan

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/rogpeppe/go-internal/diff"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/build"
)

// Action is what a build would do to a file or an object.
type Action string

const (
	Add    Action = "add"
	Change Action = "change"
	Remove Action = "remove"
)

// Plan is the difference between an output directory and a build.
type Plan struct {
	Changes []FileChange // sorted by Path; unchanged files are left out
	// Live marks a plan against running systems (`nbac plan -live`, package
	// live): its summary counts objects (Kubernetes objects, HAProxy
	// servers, broker queues), not files.
	Live bool
	// Notes are what a live plan could not compare and why (Nginx has no
	// runtime API); printed before the summary.
	Notes []string
}

// FileChange is one artifact a build would add, change or remove.
type FileChange struct {
	Path   string // relative to the output directory, slash-separated
	Action Action
	// Origin is the block the file comes from (`service "api"`); for a
	// removed file it is what the manifest recorded.
	Origin string
	Range  *hcl.Range // nil for model.json and removed files
	// Objects is set for Kubernetes manifests that parse: only the objects
	// that differ, in the new file's document order, removed ones last.
	Objects []ObjectChange
	// Diff is a unified diff for a changed file that is not compared as
	// Kubernetes objects. It is empty for added and removed files.
	Diff string
}

// ObjectChange is one Kubernetes object that differs.
type ObjectChange struct {
	Kind, Namespace, Name string
	// PreviousName is set when a hash-named ConfigMap or Secret was paired
	// with its predecessor: the object was renamed because its content did.
	PreviousName string
	Action       Action
	Fields       []FieldChange // for Change only
	// Note qualifies a live object: a prune candidate, or a broker queue
	// whose arguments conflict with the model (which apply never deletes).
	Note string
}

// Summary counts files by action, or objects when the plan is Live.
func (p *Plan) Summary() (add, change, remove int) {
	tally := func(a Action) {
		switch a {
		case Add:
			add++
		case Change:
			change++
		case Remove:
			remove++
		}
	}
	for _, c := range p.Changes {
		if !p.Live {
			tally(c.Action)
			continue
		}
		for _, o := range c.Objects {
			tally(o.Action)
		}
	}
	return
}

// Empty reports whether a build would change nothing.
func (p *Plan) Empty() bool { return len(p.Changes) == 0 }

// Compute compares arts, what a build would write, with dir, exactly as
// build.Write would act: a file is added when it does not exist, changed
// when its bytes differ, and removed when the manifest lists it and the
// build no longer produces it. It reads dir and writes nothing.
func Compute(dir string, arts []emit.Artifact) (*Plan, error) {
	man, err := build.ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	p := &Plan{}
	produced := make(map[string]bool, len(arts))
	for _, a := range arts {
		produced[a.Path] = true
		cur, err := readRegular(dir, a.Path)
		if err != nil {
			return nil, err
		}
		switch {
		case cur == nil:
			fc := FileChange{Path: a.Path, Action: Add, Origin: a.Origin, Range: a.Range}
			fc.Objects = objectsOf(a.Path, a.Data, Add)
			p.Changes = append(p.Changes, fc)
		case !bytes.Equal(cur, a.Data):
			fc := FileChange{Path: a.Path, Action: Change, Origin: a.Origin, Range: a.Range}
			if isManifest(a.Path) {
				fc.Objects, err = diffManifests(cur, a.Data)
			}
			if !isManifest(a.Path) || err != nil {
				// A manifest edited by hand into invalid YAML still gets a
				// readable plan: the text diff.
				fc.Objects, fc.Diff = nil, unified(a.Path, cur, a.Data)
			}
			p.Changes = append(p.Changes, fc)
		}
	}
	for _, f := range man.Files {
		if produced[f.Path] {
			continue
		}
		cur, err := readRegular(dir, f.Path)
		if err != nil {
			return nil, err
		}
		if cur == nil {
			continue // gone already: build has nothing to delete
		}
		fc := FileChange{Path: f.Path, Action: Remove, Origin: f.Origin}
		fc.Objects = objectsOf(f.Path, cur, Remove)
		p.Changes = append(p.Changes, fc)
	}
	slices.SortFunc(p.Changes, func(a, b FileChange) int { return strings.Compare(a.Path, b.Path) })
	return p, nil
}

// readRegular returns the content of dir/p, or nil when there is no regular
// file there (build.Write would create it, or would not delete it).
func readRegular(dir, p string) ([]byte, error) {
	name := filepath.Join(dir, filepath.FromSlash(p))
	info, err := os.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// isManifest reports whether an artifact is compared as Kubernetes objects.
func isManifest(p string) bool {
	return strings.HasPrefix(p, "kubernetes/") && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml"))
}

// objectsOf lists the objects of an added or removed manifest; nil for
// other files or a manifest that does not parse.
func objectsOf(p string, data []byte, a Action) []ObjectChange {
	if !isManifest(p) {
		return nil
	}
	objs, err := parseObjects(data)
	if err != nil {
		return nil
	}
	out := make([]ObjectChange, 0, len(objs))
	for _, o := range objs {
		out = append(out, ObjectChange{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, Action: a})
	}
	return out
}

// unified returns a unified diff of a changed text file with a/ and b/
// names as git prints them. The diff algorithm is go-internal's copy of
// the Go team's anchored (patience-style) diff: O(n log n) and aligned on
// unique lines, so it never pairs unrelated braces or blank lines.
func unified(p string, before, after []byte) string {
	out := diff.Diff("a/"+p, before, "b/"+p, after)
	// Drop the leading "diff a/x b/x" line; the file is already named.
	if i := bytes.IndexByte(out, '\n'); i >= 0 && bytes.HasPrefix(out, []byte("diff ")) {
		out = out[i+1:]
	}
	return string(out)
}
