package plan

import (
	"regexp"
	"strings"
)

// hashSuffix matches the content-hash suffix the Kubernetes emitter gives
// ConfigMap (and Secret) names, so that pods roll when config changes:
// `api-config-5f7c9d8b6k`. The emitter's hash is at least 6 characters of
// lower-case letters and digits.
var hashSuffix = regexp.MustCompile(`^(.+)-[a-z0-9]{6,}$`)

// hashNamed kinds carry a content hash in their names.
var hashNamed = map[string]bool{"ConfigMap": true, "Secret": true}

// diffManifests compares two manifests object by object.
func diffManifests(before, after []byte) ([]ObjectChange, error) {
	oldObjs, err := parseObjects(before)
	if err != nil {
		return nil, err
	}
	newObjs, err := parseObjects(after)
	if err != nil {
		return nil, err
	}
	oldBy := make(map[string]object, len(oldObjs))
	for _, o := range oldObjs {
		oldBy[o.key()] = o
	}
	newKeys := make(map[string]bool, len(newObjs))
	for _, o := range newObjs {
		newKeys[o.key()] = true
	}
	renamed := pairRenamed(oldObjs, newObjs, oldBy, newKeys)

	var out []ObjectChange
	used := map[string]bool{}
	for _, n := range newObjs {
		oc := ObjectChange{Kind: n.Kind, Namespace: n.Namespace, Name: n.Name}
		o, ok := oldBy[n.key()]
		if prev, isRename := renamed[n.key()]; isRename && !ok {
			o, ok = prev, true
			oc.PreviousName = prev.Name
		}
		if !ok {
			oc.Action = Add
			out = append(out, oc)
			continue
		}
		used[o.key()] = true
		before, after := o.Body, n.Body
		if oc.PreviousName != "" {
			// The name change is the consequence, the data the cause:
			// compare as if the name had stayed, and say it was renamed.
			before = withName(before, n.Name)
		}
		fields := diffFields(before, after, n.Kind == "Secret")
		if len(fields) == 0 && oc.PreviousName == "" {
			continue
		}
		oc.Action, oc.Fields = Change, fields
		out = append(out, oc)
	}
	markRenameReferences(out, renamed)
	for _, o := range oldObjs {
		if !used[o.key()] && !newKeys[o.key()] {
			out = append(out, ObjectChange{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, Action: Remove})
		}
	}
	return out, nil
}

// pairRenamed pairs each new hash-named object that has no old object of
// its name with the one old object, of the same kind, namespace and name
// stem, that the new file no longer has. Ambiguous stems are not paired:
// an add and a remove is then the honest report.
func pairRenamed(oldObjs, newObjs []object, oldBy map[string]object, newKeys map[string]bool) map[string]object {
	stem := func(o object) (string, bool) {
		if !hashNamed[o.Kind] {
			return "", false
		}
		m := hashSuffix.FindStringSubmatch(o.Name)
		if m == nil {
			return "", false
		}
		return o.Kind + "/" + o.Namespace + "/" + m[1], true
	}
	gone := map[string][]object{}
	for _, o := range oldObjs {
		if newKeys[o.key()] {
			continue
		}
		if s, ok := stem(o); ok {
			gone[s] = append(gone[s], o)
		}
	}
	fresh := map[string][]object{}
	for _, n := range newObjs {
		if _, ok := oldBy[n.key()]; ok {
			continue
		}
		if s, ok := stem(n); ok {
			fresh[s] = append(fresh[s], n)
		}
	}
	pairs := map[string]object{}
	for s, ns := range fresh {
		if os := gone[s]; len(os) == 1 && len(ns) == 1 {
			pairs[ns[0].key()] = os[0]
		}
	}
	return pairs
}

// withName returns a shallow copy of body whose metadata.name is name.
func withName(body map[string]any, name string) map[string]any {
	out := make(map[string]any, len(body))
	for k, v := range body {
		out[k] = v
	}
	if md, ok := body["metadata"].(map[string]any); ok {
		m2 := make(map[string]any, len(md))
		for k, v := range md {
			m2[k] = v
		}
		m2["name"] = name
		out["metadata"] = m2
	}
	return out
}

// markRenameReferences flags the fields whose only change is a paired
// rename: before is the old name and after the new one.
func markRenameReferences(objs []ObjectChange, renamed map[string]object) {
	if len(renamed) == 0 {
		return
	}
	type pair struct{ before, after string }
	renames := map[pair]bool{}
	for newKey, old := range renamed {
		newName := newKey[strings.LastIndexByte(newKey, '/')+1:]
		renames[pair{old.Name, newName}] = true
	}
	for i := range objs {
		for j := range objs[i].Fields {
			f := &objs[i].Fields[j]
			b, _ := f.Before.(string)
			a, _ := f.After.(string)
			f.FollowsRename = f.HasBefore && f.HasAfter && renames[pair{b, a}]
		}
	}
}
