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
	// Manager is set on a live plan's drift: the field manager other than
	// nbac that last set this field on the running object.
	Manager string
}

// byNameTransform is the name of the go-cmp transformer that turns a list
// of named items into a map by name; the path printer recognises it.
const byNameTransform = "byName"

// identityKeys are the fields, in order of preference, that can identify
// the items of a list of maps: `name` (containers, env, ports, volumes),
// then what Kubernetes lists use where items have no name (an HPA metric's
// resource, an Ingress rule's host or path, a mount's path, a TLS entry's
// secret). A dotted key is a nested field.
var identityKeys = []string{"name", "resource.name", "host", "path", "mountPath", "secretName", "containerPort", "port", "key"}

// listKind classifies a pair of lists for comparison.
type listKind int

const (
	listByIndex listKind = iota // maps without a common identity, or a mix
	listKeyed                   // maps identified by one of identityKeys
	listScalar                  // only scalars: compared as one value
)

func classify(x, y []any) listKind {
	if _, ok := pairKey(x, y); ok {
		return listKeyed
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

// pairKey returns the identity key both lists can be matched by; an empty
// list agrees with any key of the other.
func pairKey(x, y []any) (string, bool) {
	kx, okx := identity(x)
	ky, oky := identity(y)
	switch {
	case len(x) == 0 && len(y) == 0:
		return "", false
	case len(x) == 0:
		return ky, oky
	case len(y) == 0:
		return kx, okx
	}
	return kx, okx && oky && kx == ky
}

// identity returns the first identity key whose value every item has, as a
// string or number, and that no two items share.
func identity(items []any) (string, bool) {
	if len(items) == 0 {
		return "", false
	}
next:
	for _, k := range identityKeys {
		seen := make(map[string]bool, len(items))
		for _, it := range items {
			id, ok := itemID(it, k)
			if !ok || seen[id] {
				continue next
			}
			seen[id] = true
		}
		return k, true
	}
	return "", false
}

// itemID reads the identity field k (possibly dotted) of a list item.
func itemID(item any, k string) (string, bool) {
	v := item
	for _, part := range strings.Split(k, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		v = m[part]
	}
	switch id := v.(type) {
	case string:
		return id, true
	case json.Number:
		return id.String(), true
	}
	return "", false
}

// compareOptions make go-cmp compare decoded YAML the way a reviewer reads
// it. The filters are mutually exclusive, as go-cmp requires.
var compareOptions = cmp.Options{
	// Items with an identity are matched by it, so reordering them is no
	// change and a change inside one is reported under its name. The
	// filter sees both lists, the transformer one: it finds the same key
	// because the filter only passes pairs that agree on it.
	cmp.FilterValues(func(x, y []any) bool { return classify(x, y) == listKeyed },
		cmp.Transformer(byNameTransform, func(items []any) map[string]any {
			k, _ := identity(items)
			out := make(map[string]any, len(items))
			for _, it := range items {
				id, _ := itemID(it, k)
				out[id] = it
			}
			return out
		})),
	// A list of scalars (args, capabilities.drop, hosts) is one value:
	// "[a b] -> [a c]" reads better than element-wise noise.
	cmp.FilterValues(func(x, y []any) bool { return classify(x, y) == listScalar },
		cmp.Comparer(func(x, y []any) bool { return reflect.DeepEqual(x, y) })),
}

// DiffObjects returns the differing fields of two decoded Kubernetes
// objects (before: the live object, after: what applying would make of
// it) by the rules of a file plan; secret hides Secret data values.
func DiffObjects(before, after map[string]any, secret bool) []FieldChange {
	return diffFields(before, after, secret)
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
