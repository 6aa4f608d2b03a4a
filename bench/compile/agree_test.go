package compile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// keyFields are the fields the agreement test compares, per kind, as
// dotted paths (list elements by index; "*" joins every element).
var keyFields = map[string][]string{
	"ServiceAccount": {"automountServiceAccountToken"},
	"ConfigMap":      {"data.*", "immutable"},
	"Service":        {"spec.type", "spec.ports.0.port", "spec.ports.0.targetPort", "spec.selector.*"},
	"Deployment": {
		"spec.replicas", "spec.selector.matchLabels.*", "spec.strategy.type",
		"spec.template.spec.serviceAccountName",
		"spec.template.spec.containers.0.image", "spec.template.spec.containers.0.ports.0.containerPort",
		"spec.template.spec.containers.0.resources.requests.*", "spec.template.spec.containers.0.resources.limits.*",
		"spec.template.spec.containers.0.env.*", "spec.template.spec.containers.0.envFrom.*",
		"spec.template.spec.containers.0.livenessProbe.httpGet.path", "spec.template.spec.containers.0.readinessProbe.periodSeconds",
		"spec.template.spec.containers.0.securityContext.runAsNonRoot", "spec.template.spec.securityContext.runAsUser",
		"spec.template.spec.volumes.*", "spec.template.metadata.labels.*",
	},
	"HorizontalPodAutoscaler": {"spec.minReplicas", "spec.maxReplicas", "spec.metrics.0.resource.target.averageUtilization", "spec.scaleTargetRef.name"},
	"PodDisruptionBudget":     {"spec.maxUnavailable", "spec.selector.matchLabels.*"},
	"Ingress":                 {"metadata.annotations.*", "spec.ingressClassName", "spec.rules.0.host", "spec.rules.0.http.paths.0.backend.service.name", "spec.tls.*"},
	"NetworkPolicy":           {"spec.policyTypes.*", "spec.podSelector.matchLabels.*"},
}

// modelHash is the content hash of a model ConfigMap's name: the three
// tools serialize the model slice with different whitespace, so the name
// is compared without it (its data is compared as parsed JSON instead).
var (
	modelHash = regexp.MustCompile(`-model-[0-9a-f]{10}$`)
	modelRef  = regexp.MustCompile(`-model-[0-9a-f]{10}\b`)
)

// summarize reduces a YAML stream to "kind namespace/name" -> key fields.
func summarize(t *testing.T, stream string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(stream), 4096)
	for {
		var obj map[string]any
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if obj == nil {
			continue
		}
		kind, _ := obj["kind"].(string)
		meta, _ := obj["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		ns, _ := meta["namespace"].(string)
		name = modelHash.ReplaceAllString(name, "-model-HASH")
		fields := map[string]string{"labels": flat(meta["labels"])}
		for _, p := range keyFields[kind] {
			fields[p] = lookup(obj, p)
		}
		// Model slices: the same JSON document, whatever its whitespace.
		if strings.Contains(fields["data.*"], "model.json") {
			fields["data.*"] = "model.json=" + canonicalJSON(t, obj["data"].(map[string]any)["model.json"].(string))
		}
		for p, v := range fields {
			fields[p] = modelRef.ReplaceAllString(v, "-model-HASH")
		}
		key := fmt.Sprintf("%s %s/%s", kind, ns, name)
		if _, dup := out[key]; dup {
			t.Errorf("%s appears twice", key)
		}
		out[key] = fields
	}
	return out
}

func lookup(v any, path string) string {
	for _, part := range strings.Split(path, ".") {
		if part == "*" {
			return flat(v)
		}
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			var i int
			if _, err := fmt.Sscan(part, &i); err != nil || i >= len(x) {
				return "<none>"
			}
			v = x[i]
		default:
			return "<none>"
		}
	}
	return flat(v)
}

// flat renders a value canonically: maps sorted by key, numbers as %v
// (YAML "2" and 2 differ, and should: Kubernetes reads them differently).
func flat(v any) string {
	switch x := v.(type) {
	case nil:
		return "<none>"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + flat(x[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = flat(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	default:
		return fmt.Sprintf("%T:%v", v, v)
	}
}

func canonicalJSON(t *testing.T, s string) string {
	t.Helper()
	var v any
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(s), 4096)
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("model.json: %v", err)
	}
	return flat(v)
}

// TestAnchorsAgree renders one estate with nbac, Helm and CUE and checks
// that they produce the same objects (kind, namespace, name) with the
// same key fields, so the benchmark compares equal work.
func TestAnchorsAgree(t *testing.T) {
	for _, n := range []int{10, 60} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := estateDir(t, n)
			arts, err := nbacKubernetes(dir)
			if err != nil {
				t.Fatal(err)
			}
			var ours bytes.Buffer
			for _, a := range arts {
				ours.Write(a.Data)
			}
			in := anchorInput(Estate(n))
			helmOut, err := helmRender("testdata/chart", in.YAML())
			if err != nil {
				t.Fatal(err)
			}
			def, err := os.ReadFile("testdata/estate.cue")
			if err != nil {
				t.Fatal(err)
			}
			cueOut, err := cueExport(def, in.JSON())
			if err != nil {
				t.Fatal(err)
			}
			want := summarize(t, ours.String())
			if len(want) < 5*n {
				t.Fatalf("nbac produced only %d objects for %d services", len(want), n)
			}
			for name, got := range map[string]map[string]map[string]string{
				"helm": summarize(t, helmOut),
				"cue":  summarize(t, cueOut),
			} {
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("%s differs from nbac (-nbac +%s):\n%s", name, name, d)
				}
			}
		})
	}
}
