package kube

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/nbac/nbac/internal/kubetest"
)

// With nothing pointing at a cluster, Connect says so with ErrNoKubeconfig
// (plan -live then leaves Kubernetes out with a note); a kubeconfig file or a
// context that was named but cannot be used is an ordinary error.
func TestConnectWithoutKubeconfig(t *testing.T) {
	t.Setenv("KUBECONFIG", "")
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBERNETES_SERVICE_HOST", "") // not the in-cluster config either
	if _, err := Connect("", ""); !errors.Is(err, ErrNoKubeconfig) {
		t.Fatalf("no kubeconfig anywhere: err = %v, want ErrNoKubeconfig", err)
	}
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	if _, err := Connect(missing, ""); err == nil || errors.Is(err, ErrNoKubeconfig) {
		t.Fatalf("-kubeconfig %s: err = %v, want an error other than ErrNoKubeconfig", missing, err)
	}
	if _, err := Connect("", "production"); err == nil || errors.Is(err, ErrNoKubeconfig) {
		t.Fatalf("-context production without a kubeconfig: err = %v, want an error other than ErrNoKubeconfig", err)
	}
}

// Contexts are picked the way kubectl picks them: the kubeconfig's current
// context unless -context names another, the file from -kubeconfig or else
// $KUBECONFIG. A current context whose server refuses connections fails the
// plan with an error that names that server.
func TestContextIsChosenAsKubectlDoes(t *testing.T) {
	s := kubetest.Require(t, server, serverErr)
	cfg, err := clientcmd.LoadFromFile(s.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Clusters["dead"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1", InsecureSkipTLSVerify: true}
	cfg.AuthInfos["dead"] = &clientcmdapi.AuthInfo{Token: "unused"}
	cfg.Contexts["dead"] = &clientcmdapi.Context{Cluster: "dead", AuthInfo: "dead"}
	cfg.CurrentContext = "dead"
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, kc); err != nil {
		t.Fatal(err)
	}
	ns := "live-context"
	set := ForProject(ns, ns)
	objs := desired(t, map[string]string{"main.hcl": project(ns) + service("web", 1)})
	ctx := context.Background()

	dead, err := Connect(kc, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dead.Plan(ctx, set, objs); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("plan on the current context (a refused server): err = %v, want one naming 127.0.0.1:1", err)
	}
	for _, how := range []struct {
		name, kubeconfig, env string
	}{{"-kubeconfig and -context", kc, ""}, {"$KUBECONFIG and -context", "", kc}} {
		t.Setenv("KUBECONFIG", how.env)
		c, err := Connect(how.kubeconfig, "nbac-test")
		if err != nil {
			t.Fatalf("%s: %v", how.name, err)
		}
		if c.Server != s.URL {
			t.Fatalf("%s: server %s, want %s", how.name, c.Server, s.URL)
		}
		if p, err := c.Plan(ctx, set, objs); err != nil || len(p.Objects) != len(objs) {
			t.Fatalf("%s: plan: %v", how.name, err)
		}
	}
	if _, err := Connect(kc, "staging"); err == nil || !strings.Contains(err.Error(), "staging") {
		t.Fatalf("-context staging (not in the file): err = %v, want one naming it", err)
	}
}
