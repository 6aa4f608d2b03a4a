package kubernetes

import (
	"slices"

	"bufio"
	"bytes"
	"errors"
	"github.com/nbac/nbac/emit"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"io"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	yamlutil "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/nbac/nbac/emit/kubernetes/kedaapi"
	"github.com/nbac/nbac/emit/kubernetes/kubecheck"
	"github.com/nbac/nbac/schema"
)

// objects is one emitted file decoded back into typed objects, in order.
type objects struct {
	kinds       []string
	sa          *corev1.ServiceAccount
	configMaps  []*corev1.ConfigMap
	service     *corev1.Service
	deployment  *appsv1.Deployment
	hpa         *autoscalingv2.HorizontalPodAutoscaler
	pdb         *policyv1.PodDisruptionBudget
	ingress     *networkingv1.Ingress
	netpol      *networkingv1.NetworkPolicy
	scaled      *kedaapi.ScaledObject
	triggerAuth []*kedaapi.TriggerAuthentication
	podMonitor  *monitoringv1.PodMonitor
	allMetadata []map[string]string // labels of every object
}

// emitOne emits m, expects exactly one artifact without errors that passes
// kubecheck, and decodes it.
func emitOne(t *testing.T, m *schema.Model) (*objects, []byte) {
	t.Helper()
	arts, diags := Emit(m)
	if diags.HasErrors() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	arts = slices.DeleteFunc(arts, func(a emit.Artifact) bool { return a.Path == AlertsPath }) // alerts_test.go
	if len(arts) != 1 {
		t.Fatalf("want 1 artifact, got %d", len(arts))
	}
	if err := kubecheck.Validate(arts[0].Data); err != nil {
		t.Fatalf("kubecheck rejected %s:\n%v\n%s", arts[0].Path, err, arts[0].Data)
	}
	return decodeAll(t, arts[0].Data), arts[0].Data
}

func decodeAll(t *testing.T, data []byte) *objects {
	t.Helper()
	out := &objects{}
	r := yamlutil.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		var head struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			t.Fatal(err)
		}
		if head.Kind == "" {
			continue // the header comment
		}
		out.kinds = append(out.kinds, head.Kind)
		out.allMetadata = append(out.allMetadata, head.Metadata.Labels)
		var v any
		switch head.Kind {
		case "ServiceAccount":
			out.sa = &corev1.ServiceAccount{}
			v = out.sa
		case "ConfigMap":
			cm := &corev1.ConfigMap{}
			out.configMaps = append(out.configMaps, cm)
			v = cm
		case "Service":
			out.service = &corev1.Service{}
			v = out.service
		case "Deployment":
			out.deployment = &appsv1.Deployment{}
			v = out.deployment
		case "HorizontalPodAutoscaler":
			out.hpa = &autoscalingv2.HorizontalPodAutoscaler{}
			v = out.hpa
		case "PodDisruptionBudget":
			out.pdb = &policyv1.PodDisruptionBudget{}
			v = out.pdb
		case "Ingress":
			out.ingress = &networkingv1.Ingress{}
			v = out.ingress
		case "NetworkPolicy":
			out.netpol = &networkingv1.NetworkPolicy{}
			v = out.netpol
		case "ScaledObject":
			out.scaled = &kedaapi.ScaledObject{}
			v = out.scaled
		case "TriggerAuthentication":
			ta := &kedaapi.TriggerAuthentication{}
			out.triggerAuth = append(out.triggerAuth, ta)
			v = ta
		case "PodMonitor":
			out.podMonitor = &monitoringv1.PodMonitor{}
			v = out.podMonitor
		default:
			t.Fatalf("unexpected kind %q", head.Kind)
		}
		if err := yaml.UnmarshalStrict(doc, v); err != nil {
			t.Fatalf("%s: %v", head.Kind, err)
		}
	}
}

func (o *objects) container(t *testing.T) corev1.Container {
	t.Helper()
	if o.deployment == nil || len(o.deployment.Spec.Template.Spec.Containers) != 1 {
		t.Fatal("want a Deployment with one container")
	}
	return o.deployment.Spec.Template.Spec.Containers[0]
}
