package kube

import (
	"errors"
	"path/filepath"
	"testing"
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
