package kube

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// owners maps each field manager of a live object to the fields it owns,
// printed like emit/plan's field paths with list items as [] (plan names an
// item by `name`, managedFields by its whole key; the list is what matters).
type owners map[string][]string

// fieldOwners reads a live object's managedFields.
func fieldOwners(u *unstructured.Unstructured) owners {
	out := owners{}
	for _, e := range u.GetManagedFields() {
		if e.FieldsV1 == nil || e.Subresource != "" {
			continue
		}
		var tree map[string]any
		if json.Unmarshal(e.FieldsV1.Raw, &tree) != nil {
			continue
		}
		var paths []string
		walkFields(tree, "", &paths)
		out[e.Manager] = append(out[e.Manager], paths...)
	}
	return out
}

// walkFields collects the leaves of a fieldsV1 tree: `f:name` is a field,
// `k:{...}`, `v:...` and `i:N` are list items, `.` the item itself.
func walkFields(tree map[string]any, prefix string, out *[]string) {
	if len(tree) == 0 || (len(tree) == 1 && tree["."] != nil) {
		*out = append(*out, prefix)
		return
	}
	for k, v := range tree {
		var p string
		switch {
		case k == ".":
			*out = append(*out, prefix)
			continue
		case strings.HasPrefix(k, "f:"):
			p = fieldStep(prefix, k[2:])
		default:
			p = prefix + "[]"
		}
		sub, _ := v.(map[string]any)
		walkFields(sub, p, out)
	}
}

// plainKey matches emit/plan's rule for keys printed without quotes.
var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

func fieldStep(prefix, name string) string {
	if !plainKey.MatchString(name) {
		return prefix + "[" + strconv.Quote(name) + "]"
	}
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// itemIndex matches a list position or item name in a plan path, not a
// quoted map key.
var itemIndex = regexp.MustCompile(`\[[^"\]][^\]]*\]`)

// otherOwner names the manager other than nbac that owns the field at a
// plan path (or a field inside it, or the field it is inside); "" when
// none does: the change is the source's, not drift.
func (o owners) otherOwner(path string) string {
	p := itemIndex.ReplaceAllString(path, "[]")
	managers := make([]string, 0, len(o))
	for m := range o {
		if m != FieldManager {
			managers = append(managers, m)
		}
	}
	slices.Sort(managers)
	for _, m := range managers {
		for _, f := range o[m] {
			if f == p || within(f, p) || within(p, f) {
				return m
			}
		}
	}
	return ""
}

// within reports whether path a lies inside path b.
func within(a, b string) bool {
	return b != "" && strings.HasPrefix(a, b) && (a[len(b)] == '.' || a[len(b)] == '[')
}
