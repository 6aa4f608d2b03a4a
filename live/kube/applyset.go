package kube

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ApplySet labels and annotations (KEP-3659), as kubectl writes them.
const (
	LabelPartOf          = "applyset.kubernetes.io/part-of"
	LabelID              = "applyset.kubernetes.io/id"
	AnnotationTooling    = "applyset.kubernetes.io/tooling"
	AnnotationGroupKinds = "applyset.kubernetes.io/contains-group-kinds"
	AnnotationNamespaces = "applyset.kubernetes.io/additional-namespaces"
	Tooling              = "nbac/v1"
)

// ApplySet is nbac's parent object: a ConfigMap in the project's namespace
// whose ID every object nbac applies carries in its part-of label.
type ApplySet struct {
	Name, Namespace string
}

// ForProject is the ApplySet of a project: ConfigMap nbac-applyset-PROJECT.
func ForProject(project, namespace string) ApplySet {
	return ApplySet{Name: "nbac-applyset-" + project, Namespace: namespace}
}

// ID is the KEP's parent ID: applyset-<base64url(sha256(name.namespace.kind.group))>-v1.
func (s ApplySet) ID() string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s.%s.%s.%s", s.Name, s.Namespace, "ConfigMap", "")))
	return "applyset-" + base64.RawURLEncoding.EncodeToString(sum[:]) + "-v1"
}

func (s ApplySet) String() string { return "ConfigMap " + s.Namespace + "/" + s.Name }

// parentState is what the live parent records.
type parentState struct {
	groupKinds []schema.GroupKind
	namespaces []string
}

func readParent(u *unstructured.Unstructured) parentState {
	var st parentState
	if u == nil {
		return st
	}
	ann := u.GetAnnotations()
	for _, s := range splitList(ann[AnnotationGroupKinds]) {
		st.groupKinds = append(st.groupKinds, schema.ParseGroupKind(s))
	}
	st.namespaces = splitList(ann[AnnotationNamespaces])
	return st
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parentObject is the parent as apply writes it, listing gks and the
// namespaces other than its own.
func (s ApplySet) parentObject(gks []schema.GroupKind, namespaces []string) *unstructured.Unstructured {
	var kinds []string
	for _, gk := range gks {
		kinds = append(kinds, gk.String()) // Kind.group, as the KEP writes it
	}
	slices.Sort(kinds)
	kinds = slices.Compact(kinds)
	var extra []string
	for _, ns := range namespaces {
		if ns != "" && ns != s.Namespace {
			extra = append(extra, ns)
		}
	}
	slices.Sort(extra)
	extra = slices.Compact(extra)
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("v1")
	u.SetKind("ConfigMap")
	u.SetName(s.Name)
	u.SetNamespace(s.Namespace)
	u.SetLabels(map[string]string{LabelID: s.ID()})
	u.SetAnnotations(map[string]string{
		AnnotationTooling:    Tooling,
		AnnotationGroupKinds: strings.Join(kinds, ","),
		AnnotationNamespaces: strings.Join(extra, ","),
	})
	return u
}
