package kube

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/internal/kubetest"
	"github.com/nbac/nbac/lang"
)

// One real API server for the package (kubetest: k8s.io/kubernetes v1.33
// with etcd in-process); each test works in namespaces of its own.
var (
	server    *kubetest.Server
	serverErr error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nbac-kube-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	server, serverErr = kubetest.Start(dir)
	if serverErr == nil {
		serverErr = server.InstallCRDs(context.Background())
	}
	code := m.Run()
	server.Stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

func connect(t *testing.T) (*Client, dynamic.Interface) {
	t.Helper()
	s := kubetest.Require(t, server, serverErr)
	c, err := Connect(s.Kubeconfig, "")
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(s.Config)
	if err != nil {
		t.Fatal(err)
	}
	return c, dyn
}

// compileHCL builds an nbac configuration written in the test.
func compileHCL(t *testing.T, files map[string]string) []emit.Artifact {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := lang.Load(dir, lang.Options{})
	if res.Diags.HasErrors() {
		t.Fatalf("compile: %s", res.Diags.Error())
	}
	arts, diags := build.Artifacts(res.Model)
	if diags.HasErrors() {
		t.Fatalf("build: %s", diags.Error())
	}
	return arts
}

func project(ns string) string {
	return fmt.Sprintf("project %q {\n  namespace = %q\n}\n", ns, ns)
}

func service(name string, replicas int) string {
	return fmt.Sprintf("service %q {\n  image = \"registry.example.com/%s:1.0.0\"\n  port = 8080\n  replicas = %d\n  env = { MODE = \"live\" }\n}\n", name, name, replicas)
}

func desired(t *testing.T, files map[string]string) []Object {
	t.Helper()
	objs, err := Desired(compileHCL(t, files))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func planOf(t *testing.T, c *Client, set ApplySet, objs []Object) *Plan {
	t.Helper()
	p, err := c.Plan(context.Background(), set, objs)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func changed(p *Plan) []string {
	var out []string
	for _, op := range p.Objects {
		if op.Action != "" {
			out = append(out, string(op.Action)+" "+op.GetKind()+" "+op.GetName())
		}
	}
	return out
}

var deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}

// The first apply creates the namespace and every object; a plan right
// after finds nothing to change and nothing to prune: the API server's
// defaults are not changes, because the plan is a dry-run apply.
func TestApplyThenPlanIsEmpty(t *testing.T) {
	c, _ := connect(t)
	ctx := context.Background()
	objs := desired(t, map[string]string{"main.hcl": project("live-empty") + service("web", 2)})
	set := ForProject("live-empty", "live-empty")
	p := planOf(t, c, set, objs)
	if !slices.Equal(p.MissingNamespaces, []string{"live-empty"}) {
		t.Fatalf("missing namespaces = %v, want [live-empty]", p.MissingNamespaces)
	}
	if got := changed(p); len(got) != len(objs) || !strings.HasPrefix(got[0], "add ") {
		t.Fatalf("first plan = %v, want every one of %d objects added", got, len(objs))
	}
	done, err := c.Apply(ctx, p, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Objects) != len(objs) || !slices.Equal(done.Namespaces, []string{"live-empty"}) {
		t.Fatalf("applied %v in %v", done.Objects, done.Namespaces)
	}
	again := planOf(t, c, set, objs)
	if got := changed(again); len(got) != 0 || len(again.Prune) != 0 || len(again.MissingNamespaces) != 0 {
		t.Fatalf("plan after apply: changes %v, prune %v, namespaces %v; want none", got, again.Prune, again.MissingNamespaces)
	}
	// Every applied object carries the ApplySet's label, and the parent
	// lists their group-kinds as the KEP asks.
	parent, err := c.get(ctx, cmGVR, "live-empty", set.Name)
	if err != nil || parent == nil {
		t.Fatalf("parent: %v %v", parent, err)
	}
	if parent.GetLabels()[LabelID] != set.ID() {
		t.Fatalf("parent id label = %q, want %q", parent.GetLabels()[LabelID], set.ID())
	}
	kinds := parent.GetAnnotations()[AnnotationGroupKinds]
	for _, want := range []string{"Deployment.apps", "Service", "ConfigMap"} {
		if !slices.Contains(strings.Split(kinds, ","), want) {
			t.Errorf("contains-group-kinds %q lacks %s", kinds, want)
		}
	}
}

// A field nbac set and another manager changed is drift, named after that
// manager; a plan shows it as a change back to the source's value.
func TestDriftNamesTheOtherManager(t *testing.T) {
	c, dyn := connect(t)
	ctx := context.Background()
	objs := desired(t, map[string]string{"main.hcl": project("live-drift") + service("web", 2)})
	set := ForProject("live-drift", "live-drift")
	if _, err := c.Apply(ctx, planOf(t, c, set, objs), false); err != nil {
		t.Fatal(err)
	}
	patch := []byte(`{"spec":{"replicas":7}}`)
	if _, err := dyn.Resource(deployments).Namespace("live-drift").Patch(ctx, "web", types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	// An annotation nbac never set is someone else's business: no change.
	patch = []byte(`{"metadata":{"annotations":{"example.com/owner":"ops"}}}`)
	if _, err := dyn.Resource(deployments).Namespace("live-drift").Patch(ctx, "web", types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "ops-tool"}); err != nil {
		t.Fatal(err)
	}
	p := planOf(t, c, set, objs)
	if got := changed(p); !slices.Equal(got, []string{"change Deployment web"}) {
		t.Fatalf("changes = %v, want only the Deployment", got)
	}
	var dep ObjectPlan
	for _, op := range p.Objects {
		if op.GetKind() == "Deployment" {
			dep = op
		}
	}
	if len(dep.Fields) != 1 || dep.Drift != 1 {
		t.Fatalf("fields = %+v, want one drifted field", dep.Fields)
	}
	f := dep.Fields[0]
	if f.Path != "spec.replicas" || f.Manager != "kubectl-edit" || fmt.Sprint(f.Before) != "7" || fmt.Sprint(f.After) != "2" {
		t.Fatalf("field = %+v, want spec.replicas 7 -> 2 set by kubectl-edit", f)
	}
	if _, err := c.Apply(ctx, p, false); err != nil {
		t.Fatal(err)
	}
	if got := changed(planOf(t, c, set, objs)); len(got) != 0 {
		t.Fatalf("after apply the drift remains: %v", got)
	}
}

// A service removed from the source leaves prune candidates: exactly its
// objects. apply -prune deletes them and nothing else, not an object
// another tool made in the same namespace, not one labelled for another
// ApplySet.
func TestPruneDeletesOnlyWhatNbacApplied(t *testing.T) {
	c, dyn := connect(t)
	ctx := context.Background()
	ns := "live-prune"
	set := ForProject(ns, ns)
	both := desired(t, map[string]string{"main.hcl": project(ns) + service("web", 1) + service("worker", 1)})
	if _, err := c.Apply(ctx, planOf(t, c, set, both), false); err != nil {
		t.Fatal(err)
	}
	// Bystanders: a Deployment another tool applied, and a ConfigMap that
	// claims to be part of another ApplySet.
	other := &unstructured.Unstructured{}
	if err := other.UnmarshalJSON([]byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"by-hand","namespace":"live-prune","labels":{"app":"by-hand"}},
		"spec":{"selector":{"matchLabels":{"app":"by-hand"}},"template":{"metadata":{"labels":{"app":"by-hand"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(deployments).Namespace(ns).Apply(ctx, "by-hand", other, metav1.ApplyOptions{FieldManager: "kubectl"}); err != nil {
		t.Fatal(err)
	}
	foreign := &unstructured.Unstructured{}
	foreign.SetAPIVersion("v1")
	foreign.SetKind("ConfigMap")
	foreign.SetName("foreign")
	foreign.SetNamespace(ns)
	foreign.SetLabels(map[string]string{LabelPartOf: ForProject("someone-else", ns).ID()})
	if _, err := dyn.Resource(cmGVR).Namespace(ns).Apply(ctx, "foreign", foreign, metav1.ApplyOptions{FieldManager: "helm"}); err != nil {
		t.Fatal(err)
	}

	webOnly := desired(t, map[string]string{"main.hcl": project(ns) + service("web", 1)})
	p := planOf(t, c, set, webOnly)
	var want, got []string
	for _, o := range both {
		if !slices.ContainsFunc(webOnly, func(w Object) bool { return w.Key() == o.Key() }) {
			want = append(want, o.GetKind()+"/"+o.GetName())
		}
	}
	for _, m := range p.Prune {
		got = append(got, m.Kind+"/"+m.Name)
	}
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("prune candidates = %v, want the worker's objects %v", got, want)
	}
	// Without -prune nothing is deleted.
	if _, err := c.Apply(ctx, p, false); err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(deployments).Namespace(ns).Get(ctx, "worker", metav1.GetOptions{}); err != nil {
		t.Fatalf("apply without -prune deleted the worker: %v", err)
	}
	p = planOf(t, c, set, webOnly)
	done, err := c.Apply(ctx, p, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Pruned) != len(want) {
		t.Fatalf("pruned %v, want %v", done.Pruned, want)
	}
	for _, m := range p.Prune {
		if _, err := dyn.Resource(m.GVR).Namespace(ns).Get(ctx, m.Name, metav1.GetOptions{}); err == nil {
			t.Errorf("%s %s survived the prune", m.Kind, m.Name)
		}
	}
	for _, keep := range []struct {
		gvr  schema.GroupVersionResource
		name string
	}{{deployments, "by-hand"}, {cmGVR, "foreign"}, {deployments, "web"}} {
		if _, err := dyn.Resource(keep.gvr).Namespace(ns).Get(ctx, keep.name, metav1.GetOptions{}); err != nil {
			t.Errorf("%s %s was deleted: %v", keep.gvr.Resource, keep.name, err)
		}
	}
	after := planOf(t, c, set, webOnly)
	if len(after.Prune) != 0 || len(changed(after)) != 0 {
		t.Fatalf("after prune: candidates %v, changes %v", after.Prune, changed(after))
	}
}

// The source's own edits are changes without a manager: not drift.
func TestSourceChangeIsNotDrift(t *testing.T) {
	c, _ := connect(t)
	ctx := context.Background()
	ns := "live-source"
	set := ForProject(ns, ns)
	if _, err := c.Apply(ctx, planOf(t, c, set, desired(t, map[string]string{"main.hcl": project(ns) + service("web", 2)})), false); err != nil {
		t.Fatal(err)
	}
	p := planOf(t, c, set, desired(t, map[string]string{"main.hcl": project(ns) + service("web", 3)}))
	var fields []plan.FieldChange
	for _, op := range p.Objects {
		fields = append(fields, op.Fields...)
	}
	if len(fields) != 1 || fields[0].Path != "spec.replicas" || fields[0].Manager != "" {
		t.Fatalf("fields = %+v, want spec.replicas 2 -> 3 with no other manager", fields)
	}
	if got := changed(p); len(got) != 1 || len(p.Changes()) != 1 || p.Changes()[0].Objects[0].Note != "" {
		t.Fatalf("changes = %v / %+v", got, p.Changes())
	}
}

// An object that exists without this ApplySet's label is shown as adopted
// before apply takes it over; a namespace is never a prune candidate, even
// when a hand-edited parent lists Namespace and a namespace carries the
// label (deleting it would delete everything in it).
func TestAdoptionIsShownAndNamespacesAreNeverPruned(t *testing.T) {
	c, dyn := connect(t)
	ctx := context.Background()
	ns := "live-adopt"
	set := ForProject(ns, ns)
	nsObj := func(name string, labels map[string]string) {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion("v1")
		u.SetKind("Namespace")
		u.SetName(name)
		u.SetLabels(labels)
		if _, err := dyn.Resource(nsGVR).Apply(ctx, name, u, metav1.ApplyOptions{FieldManager: "kubectl"}); err != nil {
			t.Fatal(err)
		}
	}
	nsObj(ns, nil)
	byHand := &unstructured.Unstructured{}
	if err := byHand.UnmarshalJSON([]byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"live-adopt"},
		"spec":{"selector":{"matchLabels":{"app.kubernetes.io/name":"web","app.kubernetes.io/instance":"web"}},
		"template":{"metadata":{"labels":{"app.kubernetes.io/name":"web","app.kubernetes.io/instance":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(deployments).Namespace(ns).Apply(ctx, "web", byHand, metav1.ApplyOptions{FieldManager: "kubectl"}); err != nil {
		t.Fatal(err)
	}
	objs := desired(t, map[string]string{"main.hcl": project(ns) + service("web", 1)})
	p := planOf(t, c, set, objs)
	var dep plan.ObjectChange
	for _, fc := range p.Changes() {
		for _, oc := range fc.Objects {
			if oc.Kind == "Deployment" {
				dep = oc
			}
		}
	}
	if dep.Action != plan.Change || !strings.Contains(dep.Note, "adopt: exists on the cluster but nbac did not apply it") {
		t.Fatalf("Deployment made by hand: %+v, want a change noted as adopted", dep)
	}
	if _, err := c.Apply(ctx, p, false); err != nil {
		t.Fatal(err)
	}
	for _, op := range planOf(t, c, set, objs).Objects {
		if op.Adopt != "" || op.Action != "" {
			t.Fatalf("after apply %s %s: action %q adopt %q, want nothing", op.GetKind(), op.GetName(), op.Action, op.Adopt)
		}
	}

	// A parent edited to list Namespace, and a namespace wearing the label.
	extra := "live-adopt-extra"
	nsObj(extra, map[string]string{LabelPartOf: set.ID()})
	parent, err := c.get(ctx, cmGVR, ns, set.Name)
	if err != nil || parent == nil {
		t.Fatalf("parent: %v %v", parent, err)
	}
	ann := parent.GetAnnotations()
	ann[AnnotationGroupKinds] += ",Namespace"
	parent.SetAnnotations(ann)
	parent.SetManagedFields(nil)
	if _, err := dyn.Resource(cmGVR).Namespace(ns).Update(ctx, parent, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	p = planOf(t, c, set, objs)
	for _, m := range p.Prune {
		if m.Kind == "Namespace" {
			t.Fatalf("namespace %s is a prune candidate", m.Name)
		}
	}
	if _, err := c.Apply(ctx, p, true); err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(nsGVR).Get(ctx, extra, metav1.GetOptions{}); err != nil {
		t.Fatalf("apply -prune deleted namespace %s: %v", extra, err)
	}
}
