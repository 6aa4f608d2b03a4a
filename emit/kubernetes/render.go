package kubernetes

import (
	"bytes"
	"encoding/json"

	"sigs.k8s.io/yaml"
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
// object is turned into plain JSON values, cleaned, and marshalled again
// (sigs.k8s.io/yaml sorts map keys, so the output order never depends on
// Go's map iteration).
func render(obj any) ([]byte, error) {
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
	clean(v)
	return yaml.Marshal(v)
}

// clean removes, in place and depth first, null values and empty objects
// under noiseKeys. Deleting while ranging is safe in Go and the order of
// the walk does not reach the output.
func clean(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			clean(child)
			if child == nil {
				delete(t, k)
				continue
			}
			if m, ok := child.(map[string]any); ok && len(m) == 0 && noiseKeys[k] {
				delete(t, k)
			}
		}
	case []any:
		for _, child := range t {
			clean(child)
		}
	}
}
