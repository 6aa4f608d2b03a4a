package kubernetes

import (
	"bytes"
	"sync"
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

// trees are reused between renders, so a large build allocates their
// slices once per worker rather than per object.
var trees = sync.Pool{New: func() any { return new(tree) }}

// render appends a typed object to out as YAML without zero-value noise:
// the object is walked through its JSON tags (as sigs.k8s.io/yaml would
// marshal it) into a cleaned tree with sorted keys (objtree.go), which
// writeTree writes, so the output order never depends on Go's map
// iteration.
func render(out *bytes.Buffer, obj any) error {
	t := trees.Get().(*tree)
	defer trees.Put(t)
	if err := t.build(obj); err != nil {
		return err
	}
	writeTree(out, t)
	return nil
}

// toValue turns a typed object into cleaned plain values: maps, slices,
// strings, int64 and bools (what render writes, as plain Go values).
func toValue(obj any) (map[string]any, error) {
	var t tree
	if err := t.build(obj); err != nil {
		return nil, err
	}
	if t.null {
		return nil, nil
	}
	return t.toAny(t.root).(map[string]any), nil
}
