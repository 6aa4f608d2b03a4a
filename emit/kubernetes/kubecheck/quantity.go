package kubecheck

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/api/resource"
)

// badQuantities finds resource quantities that do not parse, with their
// field paths. The JSON schemas accept any string where a quantity goes,
// and the typed decoder's error names no field, so without this a typo in
// "512Mi" would be reported without saying where.
func badQuantities(js []byte) []schemaProblem {
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		return nil
	}
	var out []schemaProblem
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(t)) {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if (k == "requests" || k == "limits") && isMap(t[k]) {
					for _, name := range slices.Sorted(maps.Keys(t[k].(map[string]any))) {
						q := t[k].(map[string]any)[name]
						s, ok := q.(string)
						if !ok {
							continue // numbers are valid quantities
						}
						if _, err := resource.ParseQuantity(s); err != nil {
							out = append(out, schemaProblem{field: p + "." + name, message: fmt.Sprintf("%q is not a Kubernetes quantity (write e.g. \"250m\", \"512Mi\", \"1Gi\")", s)})
						}
					}
					continue
				}
				walk(p, t[k])
			}
		case []any:
			for i, item := range t {
				walk(fmt.Sprintf("%s[%d]", path, i), item)
			}
		}
	}
	walk("", v)
	return out
}

func isMap(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}
