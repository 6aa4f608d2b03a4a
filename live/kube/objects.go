package kube

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/nbac/nbac/emit"
)

// Object is one Kubernetes object of a build, with the artifact it is in.
type Object struct {
	*unstructured.Unstructured
	Path   string // the manifest, e.g. kubernetes/api.yaml
	Origin string // the block it comes from
	Range  *hcl.Range
}

// Key identifies an object in the cluster: group/Kind/namespace/name.
func (o Object) Key() string {
	return key(o.GroupVersionKind().GroupKind(), o.GetNamespace(), o.GetName())
}

func key(gk schema.GroupKind, ns, name string) string {
	return gk.Group + "/" + gk.Kind + "/" + ns + "/" + name
}

// Desired decodes the Kubernetes manifests among a build's artifacts, in
// artifact and document order.
func Desired(arts []emit.Artifact) ([]Object, error) {
	var out []Object
	seen := map[string]bool{}
	for _, a := range arts {
		if !strings.HasPrefix(a.Path, "kubernetes/") || !(strings.HasSuffix(a.Path, ".yaml") || strings.HasSuffix(a.Path, ".yml")) {
			continue
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(a.Data)))
		for {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", a.Path, err)
			}
			js, err := yaml.YAMLToJSON(doc)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", a.Path, err)
			}
			if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
				continue
			}
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(js); err != nil {
				return nil, fmt.Errorf("%s: %w", a.Path, err)
			}
			o := Object{Unstructured: u, Path: a.Path, Origin: a.Origin, Range: a.Range}
			if seen[o.Key()] {
				return nil, fmt.Errorf("%s: %s %s appears twice in the build", a.Path, o.GetKind(), o.GetName())
			}
			seen[o.Key()] = true
			out = append(out, o)
		}
	}
	return out, nil
}

// kindOrder is the order apply creates kinds in, so that what a workload
// refers to exists first; unknown kinds go last, in build order.
var kindOrder = []string{
	"Namespace", "ResourceQuota", "LimitRange", "PriorityClass", "ServiceAccount", "Secret", "ConfigMap",
	"StorageClass", "PersistentVolume", "PersistentVolumeClaim", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
	"Service", "DaemonSet", "Deployment", "StatefulSet", "ReplicaSet", "Job", "CronJob",
	"HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "NetworkPolicy",
}

func kindRank(kind string) int {
	for i, k := range kindOrder {
		if k == kind {
			return i
		}
	}
	return len(kindOrder)
}
