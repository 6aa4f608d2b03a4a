package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
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

// render marshals a typed object to YAML without zero-value noise: the
// object is turned into plain JSON values (through its JSON tags, as
// sigs.k8s.io/yaml does), cleaned, and written by writeYAML, which sorts
// map keys, so the output order never depends on Go's map iteration.
func render(obj any) ([]byte, error) {
	v, err := toValue(obj)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := writeYAML(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// toValue turns a typed object into cleaned plain values: maps, slices,
// strings, int64 and bools.
func toValue(obj any) (map[string]any, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep integers exact
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	// An emitted object never carries status: the cluster owns it.
	delete(v, "status")
	if err := clean(v); err != nil {
		return nil, err
	}
	return v, nil
}

// clean removes, in place and depth first, null values and empty objects
// under noiseKeys, and turns JSON numbers into integers (every number in
// the Kubernetes API objects nbac writes is an integer; a float would mean
// a bug, so it is an error rather than a silent rounding). Deleting while
// ranging is safe in Go and the order of the walk does not reach the output.
func clean(v any) error {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if n, ok := child.(json.Number); ok {
				i, err := n.Int64()
				if err != nil {
					return fmt.Errorf("field %s: %v is not an integer", k, n)
				}
				t[k] = i
				continue
			}
			if err := clean(child); err != nil {
				return err
			}
			if child == nil {
				delete(t, k)
				continue
			}
			if m, ok := child.(map[string]any); ok && len(m) == 0 && noiseKeys[k] {
				delete(t, k)
			}
		}
	case []any:
		for i, child := range t {
			if n, ok := child.(json.Number); ok {
				v, err := n.Int64()
				if err != nil {
					return fmt.Errorf("list item %v is not an integer", n)
				}
				t[i] = v
				continue
			}
			if err := clean(child); err != nil {
				return err
			}
		}
	}
	return nil
}
