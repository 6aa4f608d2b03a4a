package kube

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/nbac/nbac/emit/plan"
)

// Plan is what applying a build would do to the cluster.
type Plan struct {
	Set     ApplySet
	Objects []ObjectPlan // the build's objects, in build order
	// Prune are the ApplySet's members the build no longer has.
	Prune []Member
	// MissingNamespaces are created by apply before anything else.
	MissingNamespaces []string
	parent            *unstructured.Unstructured // live parent, nil before the first apply
}

// ObjectPlan is one object of the build against the cluster.
type ObjectPlan struct {
	Object
	Action plan.Action // "" when the object is as applying would leave it
	Fields []plan.FieldChange
	// Drift counts the fields another field manager set (their Manager is set).
	Drift int
	// Adopt is set when the object exists on the cluster without this
	// ApplySet's label: apply takes it over. It names the ApplySet the
	// object belongs to now, or is "-" for none.
	Adopt string
}

// Member is a live object of the ApplySet.
type Member struct {
	GVR                   schema.GroupVersionResource
	Kind, Namespace, Name string
	UID                   string
}

// Plan compares objs with the cluster: for each object a server-side
// dry-run apply (field manager nbac, force, the part-of label added)
// against the live object, then the ApplySet's members that objs lack.
func (c *Client) Plan(ctx context.Context, set ApplySet, objs []Object) (*Plan, error) {
	p := &Plan{Set: set}
	missing := map[string]bool{}
	for _, ns := range namespacesOf(set, objs) {
		_, err := c.dyn.Resource(nsGVR).Get(ctx, ns, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			missing[ns] = true
			p.MissingNamespaces = append(p.MissingNamespaces, ns)
		case err != nil:
			return nil, fmt.Errorf("namespace %s: %w", ns, err)
		}
	}
	parent, err := c.get(ctx, cmGVR, set.Namespace, set.Name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", set, err)
	}
	p.parent = parent
	want := map[string]bool{}
	for _, o := range objs {
		want[o.Key()] = true
		op, err := c.planObject(ctx, set, o, missing[o.GetNamespace()])
		if err != nil {
			return nil, err
		}
		p.Objects = append(p.Objects, op)
	}
	if parent != nil {
		if p.Prune, err = c.members(ctx, set, readParent(parent), want); err != nil {
			return nil, err
		}
	}
	return p, nil
}

var (
	namespaceKind = schema.GroupKind{Kind: "Namespace"}
	nsGVR         = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	cmGVR         = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

// namespacesOf lists the namespaces the objects and the parent live in.
func namespacesOf(set ApplySet, objs []Object) []string {
	nss := []string{set.Namespace}
	for _, o := range objs {
		if ns := o.GetNamespace(); ns != "" && !slices.Contains(nss, ns) {
			nss = append(nss, ns)
		}
	}
	return nss
}

func (c *Client) get(ctx context.Context, gvr schema.GroupVersionResource, ns, name string) (*unstructured.Unstructured, error) {
	u, err := c.resource(gvr, ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return u, err
}

func (c *Client) resource(gvr schema.GroupVersionResource, ns string) dynamic.ResourceInterface {
	if ns == "" {
		return c.dyn.Resource(gvr)
	}
	return c.dyn.Resource(gvr).Namespace(ns)
}

// mapping finds an object's resource; a kind the server does not serve is
// an error that names it.
func (c *Client) mapping(gk schema.GroupKind, version string) (*meta.RESTMapping, error) {
	m, err := c.mapper.RESTMapping(gk, version)
	if err != nil {
		return nil, fmt.Errorf("the API server does not serve %s: %w", gk, err)
	}
	return m, nil
}

// member is an object as nbac applies it: with the ApplySet's part-of label.
func member(set ApplySet, o Object) *unstructured.Unstructured {
	u := o.DeepCopy()
	labels := u.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelPartOf] = set.ID()
	u.SetLabels(labels)
	return u
}

func (c *Client) apply(ctx context.Context, m *meta.RESTMapping, u *unstructured.Unstructured, dryRun bool) (*unstructured.Unstructured, error) {
	opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: true}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	ns := u.GetNamespace()
	if m.Scope.Name() != meta.RESTScopeNameNamespace {
		ns = ""
	}
	return c.resource(m.Resource, ns).Apply(ctx, u.GetName(), u, opts)
}

func (c *Client) planObject(ctx context.Context, set ApplySet, o Object, nsMissing bool) (ObjectPlan, error) {
	op := ObjectPlan{Object: o}
	gvk := o.GroupVersionKind()
	m, err := c.mapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return op, fmt.Errorf("%s: %s %s: %w", o.Path, o.GetKind(), o.GetName(), err)
	}
	if nsMissing {
		// Nothing to dry-run against: the namespace is created first.
		op.Action = plan.Add
		return op, nil
	}
	ns := o.GetNamespace()
	if m.Scope.Name() != meta.RESTScopeNameNamespace {
		ns = ""
	}
	live, err := c.get(ctx, m.Resource, ns, o.GetName())
	if err != nil {
		return op, fmt.Errorf("%s %s: %w", o.GetKind(), o.GetName(), err)
	}
	predicted, err := c.apply(ctx, m, member(set, o), true)
	if err != nil {
		return op, fmt.Errorf("%s: %s %s: the API server refuses it: %w", o.Path, o.GetKind(), o.GetName(), err)
	}
	if live == nil {
		op.Action = plan.Add
		return op, nil
	}
	if owner := live.GetLabels()[LabelPartOf]; owner != set.ID() {
		op.Adopt = cmp.Or(owner, "-")
	}
	op.Fields = plan.DiffObjects(comparable(live), comparable(predicted), o.GetKind() == "Secret")
	if len(op.Fields) == 0 {
		return op, nil
	}
	op.Action = plan.Change
	owners := fieldOwners(live)
	for i := range op.Fields {
		if mgr := owners.otherOwner(op.Fields[i].Path); mgr != "" {
			op.Fields[i].Manager = mgr
			op.Drift++
		}
	}
	return op, nil
}

// comparable is the part of an object that apply decides: no status and
// none of the metadata the server keeps for itself.
func comparable(u *unstructured.Unstructured) map[string]any {
	obj := u.DeepCopy().Object
	delete(obj, "status")
	if md, ok := obj["metadata"].(map[string]any); ok {
		for _, k := range []string{"managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink"} {
			delete(md, k)
		}
	}
	return obj
}

// members lists the ApplySet's live objects that want lacks: every object
// of the parent's group-kinds, in its namespaces, with the part-of label.
func (c *Client) members(ctx context.Context, set ApplySet, st parentState, want map[string]bool) ([]Member, error) {
	var out []Member
	nss := append([]string{set.Namespace}, st.namespaces...)
	for _, gk := range st.groupKinds {
		if gk == namespaceKind {
			// Deleting a namespace deletes everything in it, applied by
			// nbac or not: never a prune candidate, whatever the parent
			// lists (a parent is a ConfigMap anyone can edit).
			continue
		}
		m, err := c.mapper.RESTMapping(gk)
		if meta.IsNoMatchError(err) {
			continue // the kind is gone from the server, and its objects with it
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", gk, err)
		}
		scopes := nss
		if m.Scope.Name() != meta.RESTScopeNameNamespace {
			scopes = []string{""}
		}
		for _, ns := range scopes {
			list, err := c.resource(m.Resource, ns).List(ctx, metav1.ListOptions{LabelSelector: LabelPartOf + "=" + set.ID()})
			if err != nil {
				return nil, fmt.Errorf("listing %s in %q: %w", m.Resource.Resource, ns, err)
			}
			for _, it := range list.Items {
				if want[key(gk, it.GetNamespace(), it.GetName())] {
					continue
				}
				out = append(out, Member{GVR: m.Resource, Kind: gk.Kind, Namespace: it.GetNamespace(), Name: it.GetName(), UID: string(it.GetUID())})
			}
		}
	}
	slices.SortFunc(out, func(a, b Member) int {
		return strings.Compare(a.Kind+"/"+a.Namespace+"/"+a.Name, b.Kind+"/"+b.Namespace+"/"+b.Name)
	})
	return out, nil
}
