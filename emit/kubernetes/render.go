package kubernetes

import (
	"bytes"
	"encoding/json"
	"sync"
	"unsafe"
)

// noiseKeys are fields the typed structs marshal as empty objects although
// they carry nothing (the API fills them in or ignores them). Dropping them
// keeps the files short and their diffs about real changes. An empty map
// under any other key is kept: `emptyDir: {}` means something.
var noiseKeys = map[string]bool{
	"strategy":     true,
	"resources":    true,
	"loadBalancer": true,
	"metadata":     true,
}

// renderer holds the buffers one render reuses; renderers are pooled, so
// a large build allocates them once per worker rather than per object.
type renderer struct {
	json bytes.Buffer
	enc  *json.Encoder
	tree tree
}

var renderers = sync.Pool{New: func() any {
	r := new(renderer)
	r.enc = json.NewEncoder(&r.json)
	// Only the decoded strings matter, so HTML-safe escapes (\u003c for
	// '<') would just send more strings down the slow unescaping path.
	r.enc.SetEscapeHTML(false)
	return r
}}

// render appends a typed object to out as YAML without zero-value noise:
// the object is marshalled through its JSON tags (as sigs.k8s.io/yaml
// does), parsed into a cleaned tree with sorted keys (jsontree.go), and
// written by writeTree, so the output order never depends on Go's map
// iteration.
func render(out *bytes.Buffer, obj any) error {
	r := renderers.Get().(*renderer)
	defer renderers.Put(r)
	if err := r.parse(obj); err != nil {
		return err
	}
	writeTree(out, &r.tree)
	return nil
}

// parse marshals obj into r.json and parses it into r.tree.
func (r *renderer) parse(obj any) error {
	r.json.Reset()
	if err := r.enc.Encode(obj); err != nil {
		return err
	}
	// The tree's strings point into r.json's bytes without a copy. That
	// is safe because the bytes are not written again until the next
	// parse, and every use of the tree (writing it, toAny) ends before it.
	raw := r.json.Bytes()
	return r.tree.parseObject(unsafe.String(unsafe.SliceData(raw), len(raw)))
}

// toValue turns a typed object into cleaned plain values: maps, slices,
// strings, int64 and bools (what render writes, as plain Go values).
func toValue(obj any) (map[string]any, error) {
	var r renderer
	r.enc = json.NewEncoder(&r.json)
	if err := r.parse(obj); err != nil {
		return nil, err
	}
	if r.tree.null {
		return nil, nil
	}
	return r.tree.toAny(r.tree.root).(map[string]any), nil
}
