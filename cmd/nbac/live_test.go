package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/internal/kubetest"
)

// TestLiveScripts runs testdata/live against one real API server
// (internal/kubetest), started for this test alone: the scripts apply,
// edit with other field managers and prune, and `kube` checks the cluster
// through client-go, not through nbac.
func TestLiveScripts(t *testing.T) {
	dir, err := os.MkdirTemp("", "nbac-live-")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := kubetest.Start(dir)
	t.Cleanup(func() { srv.Stop(); os.RemoveAll(dir) })
	srv = kubetest.Require(t, srv, err)
	if err := srv.InstallCRDs(context.Background()); err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(srv.Config)
	if err != nil {
		t.Fatal(err)
	}
	nba, err := filepath.Abs("../../examples/nba")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/live",
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "")
			env.Setenv("KUBECONFIG", srv.Kubeconfig)
			env.Setenv("NBA", nba)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"kube":       func(ts *testscript.TestScript, neg bool, args []string) { cmdKube(ts, neg, args, dyn) },
			"planschema": cmdPlanSchema,
		},
	})
}

var kubeResources = map[string]schema.GroupVersionResource{
	"deployment": {Group: "apps", Version: "v1", Resource: "deployments"},
	"configmap":  {Version: "v1", Resource: "configmaps"},
	"service":    {Version: "v1", Resource: "services"},
	"namespace":  {Version: "v1", Resource: "namespaces"},
	// Kinds of the CRDs kubetest installs.
	"httproute":      {Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"},
	"scaledobject":   {Group: "keda.sh", Version: "v1alpha1", Resource: "scaledobjects"},
	"prometheusrule": {Group: "monitoring.coreos.com", Version: "v1", Resource: "prometheusrules"},
}

// cmdKube is the scripts' kubectl:
//
//	kube patch KIND NS NAME MANAGER JSON    merge patch as field manager MANAGER
//	kube configmap NS NAME MANAGER [LABEL=VALUE]  server-side apply a ConfigMap
//	kube exists KIND NS NAME                 (with !, the object is absent)
func cmdKube(ts *testscript.TestScript, neg bool, args []string, dyn dynamic.Interface) {
	if len(args) < 1 {
		ts.Fatalf("usage: kube patch|configmap|exists ...")
	}
	ctx := context.Background()
	res := func(kind, ns string) dynamic.ResourceInterface {
		gvr, ok := kubeResources[kind]
		if !ok {
			ts.Fatalf("kube: unknown kind %q", kind)
		}
		if ns == "-" {
			return dyn.Resource(gvr)
		}
		return dyn.Resource(gvr).Namespace(ns)
	}
	switch {
	case args[0] == "patch" && len(args) == 6:
		_, err := res(args[1], args[2]).Patch(ctx, args[3], types.MergePatchType, []byte(args[5]), metav1.PatchOptions{FieldManager: args[4]})
		ts.Check(err)
	case args[0] == "configmap" && (len(args) == 4 || len(args) == 5):
		u := &unstructured.Unstructured{}
		u.SetAPIVersion("v1")
		u.SetKind("ConfigMap")
		u.SetName(args[2])
		u.SetNamespace(args[1])
		if len(args) == 5 {
			k, v, _ := strings.Cut(args[4], "=")
			u.SetLabels(map[string]string{k: v})
		}
		_, err := res("configmap", args[1]).Apply(ctx, args[2], u, metav1.ApplyOptions{FieldManager: args[3]})
		ts.Check(err)
	case args[0] == "exists" && len(args) == 4:
		_, err := res(args[1], args[2]).Get(ctx, args[3], metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			if !neg {
				ts.Fatalf("%s %s/%s does not exist", args[1], args[2], args[3])
			}
		case err != nil:
			ts.Fatalf("kube exists: %v", err)
		case neg:
			ts.Fatalf("%s %s/%s exists", args[1], args[2], args[3])
		}
	default:
		ts.Fatalf("usage: kube patch KIND NS NAME MANAGER JSON | kube configmap NS NAME MANAGER [LABEL=VALUE] | kube exists KIND NS NAME")
	}
}

// cmdPlanSchema is `planschema FILE`: FILE is a plan document that
// plan.schema.json (docs/cli.md) accepts.
func cmdPlanSchema(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: planschema FILE")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(plan.Schema))
	ts.Check(err)
	c := jsonschema.NewCompiler()
	ts.Check(c.AddResource("plan.schema.json", doc))
	s, err := c.Compile("plan.schema.json")
	ts.Check(err)
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(ts.ReadFile(args[0])))
	ts.Check(err)
	if err := s.Validate(inst); err != nil {
		ts.Fatalf("%s does not match plan.schema.json: %v", args[0], err)
	}
}
