package kubetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"
)

// crdSources lists the CRDs nbac emits objects of (KEDA, prometheus-operator,
// the Gateway API), one "module@version path-in-module [versions]" line each.
// kubecheck generates its strict schemas from the same lists, so the server
// and the schemas always know the same CRDs.
const crdSources = "emit/kubernetes/kubecheck/testdata/crd-sources"

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// crdWait bounds the wait for a CRD to be Established (well under a
// second on an idle machine); a slow machine just waits.
const crdWait = 5 * time.Minute

// InstallCRDs creates, by server-side apply, the CustomResourceDefinitions
// of every kind nbac emits that the API server does not serve by itself,
// read from the module zips (go mod download), and waits until the server
// serves each. With them the live tests apply an estate's ScaledObjects,
// PodMonitors, PrometheusRules and Gateway API routes for real: the
// server validates them against the CRDs' schemas and CEL rules.
func (s *Server) InstallCRDs(ctx context.Context) error {
	files, err := crdFiles()
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(s.Config)
	if err != nil {
		return err
	}
	var names []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		js, err := yaml.YAMLToJSON(raw)
		if err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		var crd unstructured.Unstructured
		if err := crd.UnmarshalJSON(js); err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		body, err := crd.MarshalJSON()
		if err != nil {
			return err
		}
		force := true
		if _, err := dyn.Resource(crdResource).Patch(ctx, crd.GetName(), types.ApplyPatchType, body,
			metav1.PatchOptions{FieldManager: "nbac-test", Force: &force}); err != nil {
			return fmt.Errorf("installing the CRD %s from %s: %v", crd.GetName(), f, err)
		}
		names = append(names, crd.GetName())
	}
	deadline := time.Now().Add(crdWait)
	for _, n := range names {
		for !established(ctx, dyn, n) {
			if time.Now().After(deadline) {
				return fmt.Errorf("the CRD %s is not Established after %s", n, crdWait)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}

func established(ctx context.Context, dyn dynamic.Interface, name string) bool {
	u, err := dyn.Resource(crdResource).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return false
	}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Established" && m["status"] == "True" {
			return true
		}
	}
	return false
}

// crdFiles returns the CRD YAML files the crdSources lists name, from the
// module cache (downloading a module zip when it is not there yet).
func crdFiles() ([]string, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	lists, err := filepath.Glob(filepath.Join(root, crdSources, "*.txt"))
	if err != nil || len(lists) == 0 {
		return nil, fmt.Errorf("no CRD lists in %s", crdSources)
	}
	dirs := map[string]string{}
	var files []string
	for _, l := range lists {
		b, err := os.ReadFile(l)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
				continue
			}
			mod := fields[0]
			if _, ok := dirs[mod]; !ok {
				if dirs[mod], err = moduleDir(root, mod); err != nil {
					return nil, err
				}
			}
			files = append(files, filepath.Join(dirs[mod], filepath.FromSlash(fields[1])))
		}
	}
	return files, nil
}

// moduleDir is where `go mod download` put module@version.
func moduleDir(root, modVersion string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", modVersion)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %v", modVersion, err)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", err
	}
	if m.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %s", modVersion, m.Error)
	}
	return m.Dir, nil
}
