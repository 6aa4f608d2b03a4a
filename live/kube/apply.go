package kube

import (
	"context"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// Applied is what Apply did, in the order it did it.
type Applied struct {
	Namespaces []string // created
	Objects    []string // Kind namespace/name, applied
	Pruned     []string // Kind namespace/name, deleted
}

// Apply makes the cluster match p: it creates the missing namespaces,
// widens the ApplySet parent to every group-kind and namespace it will
// hold (before any member, as the KEP asks, so a failure half-way leaves
// nothing unlisted), server-side applies the objects in dependency order
// and, when prune is set, deletes p.Prune, each only if it still has the
// UID planned, then narrows the parent to what the build holds.
func (c *Client) Apply(ctx context.Context, p *Plan, prune bool) (*Applied, error) {
	done := &Applied{}
	for _, ns := range p.MissingNamespaces {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion("v1")
		u.SetKind("Namespace")
		u.SetName(ns)
		if _, err := c.dyn.Resource(nsGVR).Apply(ctx, ns, u, metav1.ApplyOptions{FieldManager: FieldManager, Force: true}); err != nil {
			return done, fmt.Errorf("creating namespace %s: %w", ns, err)
		}
		done.Namespaces = append(done.Namespaces, ns)
	}
	var gks []schema.GroupKind
	var nss []string
	for _, op := range p.Objects {
		gks = append(gks, op.GroupVersionKind().GroupKind())
		nss = append(nss, op.GetNamespace())
	}
	prev := readParent(p.parent)
	if err := c.writeParent(ctx, p.Set, append(slices.Clone(gks), prev.groupKinds...), append(slices.Clone(nss), prev.namespaces...)); err != nil {
		return done, err
	}
	order := slices.Clone(p.Objects)
	slices.SortStableFunc(order, func(a, b ObjectPlan) int { return kindRank(a.GetKind()) - kindRank(b.GetKind()) })
	for _, op := range order {
		gvk := op.GroupVersionKind()
		m, err := c.mapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			return done, err
		}
		if _, err := c.apply(ctx, m, member(p.Set, op.Object), false); err != nil {
			return done, fmt.Errorf("%s: applying %s %s: %w", op.Path, op.GetKind(), op.GetName(), err)
		}
		done.Objects = append(done.Objects, op.GetKind()+" "+op.GetNamespace()+"/"+op.GetName())
	}
	if !prune {
		return done, nil
	}
	for _, mb := range p.Prune {
		uid := types.UID(mb.UID)
		err := c.resource(mb.GVR, mb.Namespace).Delete(ctx, mb.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
		if err != nil && !apierrors.IsNotFound(err) {
			return done, fmt.Errorf("pruning %s %s/%s: %w", mb.Kind, mb.Namespace, mb.Name, err)
		}
		done.Pruned = append(done.Pruned, mb.Kind+" "+mb.Namespace+"/"+mb.Name)
	}
	return done, c.writeParent(ctx, p.Set, gks, nss)
}

func (c *Client) writeParent(ctx context.Context, set ApplySet, gks []schema.GroupKind, nss []string) error {
	u := set.parentObject(gks, nss)
	if _, err := c.dyn.Resource(cmGVR).Namespace(set.Namespace).Apply(ctx, set.Name, u, metav1.ApplyOptions{FieldManager: FieldManager, Force: true}); err != nil {
		return fmt.Errorf("writing the ApplySet parent %s: %w", set, err)
	}
	return nil
}
