package plan

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
)

// FieldChange is one differing field of a Kubernetes object. Before or
// After is absent (HasBefore/HasAfter false) when the field is added or
// removed.
type FieldChange struct {
	Path      string
	Before    any
	After     any
	HasBefore bool
	HasAfter  bool
	// Sensitive fields (a Secret's data) are reported without values.
	Sensitive bool
	// FollowsRename marks a reference that changed only because the
	// hash-named object it points at was renamed (a Deployment's
	// configMapRef): a consequence of another change, not a change of its
	// own. Text output folds these into one note per object.
	FollowsRename bool
}

// byNameTransform is the name of the go-cmp transformer that turns a list
// of named items into a map by name; the path printer recognises it.
const byNameTransform = "byName"

// listKind classifies a pair of lists for comparison.
type listKind int

const (
	listByIndex listKind = iota // maps without unique names, or a mix
	listNamed                   // every item a map with a unique "name"
	listScalar                  // only scalars: compared as one value
)

func classify(x, y []any) listKind {
	if len(x)+len(y) > 0 && uniqueNames(x) && uniqueNames(y) {
		return listNamed
	}
	for _, s := range [][]any{x, y} {
		for _, v := range s {
			switch v.(type) {
			case map[string]any, []any:
				return listByIndex
			}
		}
	}
	return listScalar
}

func uniqueNames(items []any) bool {
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return false
		}
		n, ok := m["name"].(string)
		if !ok || seen[n] {
			return false
		}
		seen[n] = true
	}
	return true
}

// compareOptions make go-cmp compare decoded YAML the way a reviewer reads
// it. The filters are mutually exclusive, as go-cmp requires.
var compareOptions = cmp.Options{
	// Named items are matched by name, so reordering them is no change
	// and a change inside one is reported under its name.
	cmp.FilterValues(func(x, y []any) bool { return classify(x, y) == listNamed },
		cmp.Transformer(byNameTransform, func(items []any) map[string]any {
			out := make(map[string]any, len(items))
			for _, it := range items {
				m := it.(map[string]any)
				out[m["name"].(string)] = it
			}
			return out
		})),
	// A list of scalars (args, capabilities.drop, hosts) is one value:
	// "[a b] -> [a c]" reads better than element-wise noise.
	cmp.FilterValues(func(x, y []any) bool { return classify(x, y) == listScalar },
		cmp.Comparer(func(x, y []any) bool { return reflect.DeepEqual(x, y) })),
}

// diffFields returns the differing fields of two decoded objects, in
// go-cmp's traversal order (map keys sorted), so the result is stable.
func diffFields(before, after map[string]any, secret bool) []FieldChange {
	r := &fieldReporter{secret: secret}
	cmp.Equal(before, after, compareOptions, cmp.Reporter(r))
	return r.changes
}

type fieldReporter struct {
	path    cmp.Path
	changes []FieldChange
	secret  bool
}

func (r *fieldReporter) PushStep(ps cmp.PathStep) { r.path = append(r.path, ps) }
func (r *fieldReporter) PopStep()                 { r.path = r.path[:len(r.path)-1] }

func (r *fieldReporter) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	vx, vy := r.path.Last().Values()
	fc := FieldChange{Path: renderPath(r.path), HasBefore: vx.IsValid(), HasAfter: vy.IsValid()}
	if fc.HasBefore {
		fc.Before = vx.Interface()
	}
	if fc.HasAfter {
		fc.After = vy.Interface()
	}
	if r.secret && (strings.HasPrefix(fc.Path, "data") || strings.HasPrefix(fc.Path, "stringData")) {
		// Never print what a Secret holds, even in a diff.
		fc.Before, fc.After, fc.Sensitive = nil, nil, true
	}
	r.changes = append(r.changes, fc)
}

// plainKey is a map key that prints without quoting in a field path.
var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// renderPath prints a go-cmp path the way kubectl users write fields:
// `spec.template.spec.containers[api].resources.limits.memory`, with
// `metadata.labels["app.kubernetes.io/name"]` for keys that hold dots and
// `[0]` for positions in lists that are not matched by name.
func renderPath(p cmp.Path) string {
	var b strings.Builder
	named := false
	for _, step := range p {
		switch s := step.(type) {
		case cmp.MapIndex:
			k := s.Key().String()
			switch {
			case named:
				b.WriteString("[" + k + "]")
				named = false
			case plainKey.MatchString(k):
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(k)
			default:
				b.WriteString("[" + strconv.Quote(k) + "]")
			}
		case cmp.SliceIndex:
			// The new position, or the old one for a removed item.
			ix, iy := s.SplitKeys()
			if iy < 0 {
				iy = ix
			}
			b.WriteString("[" + strconv.Itoa(iy) + "]")
		case cmp.Transform:
			named = s.Name() == byNameTransform
		}
	}
	return b.String()
}

// bareString is a string that prints unquoted in text output because it
// cannot be mistaken for anything else: `1Gi`, `registry/x:v2`.
var bareString = regexp.MustCompile(`^[A-Za-z0-9._/:@%+=-]+$`)

// FormatValue prints a field value for text output: plain strings and
// numbers as they are, other strings quoted, maps and lists as compact JSON.
func FormatValue(v any) string {
	switch x := v.(type) {
	case string:
		if bareString.MatchString(x) && x != "true" && x != "false" && x != "null" {
			if _, err := strconv.ParseFloat(x, 64); err != nil {
				return x
			}
		}
		return strconv.Quote(x)
	case json.Number:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}
