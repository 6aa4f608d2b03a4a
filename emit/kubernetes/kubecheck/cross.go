package kubecheck

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Order is the fixed rank of kinds inside one nbac file.
var Order = []string{"ServiceAccount", "ConfigMap", "Secret", "Service", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "ReferenceGrant", "HTTPRoute", "GRPCRoute", "NetworkPolicy", "Gateway"}

func rank(kind string) int {
	for i, k := range Order {
		if k == kind {
			return i
		}
	}
	return len(Order)
}

// matches reports whether a selector selects a pod with these labels.
func matches(s *metav1.LabelSelector, podLabels map[string]string) bool {
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil || sel.Empty() {
		return false
	}
	return sel.Matches(labels.Set(podLabels))
}

// crossChecks checks references between the objects of one file.
func (c *checker) crossChecks() {
	if c.undecoded {
		return
	}
	byKey := map[string]*object{}
	var deployments []*object
	var namespace string
	prev := -1
	for _, o := range c.objects {
		if o.kind != "" && o.name != "" {
			k := o.kind + "/" + o.name
			if first, dup := byKey[k]; dup {
				c.add(o, "metadata.name", "duplicate object: document %d is also %s", first.doc, k)
			}
			byKey[k] = o
		}
		if r := rank(o.kind); r == len(Order) {
			// Unknown kinds are reported by the schema step.
		} else if r < prev {
			c.add(o, "", "out of order: nbac writes %v in that order", Order)
		} else {
			prev = r
		}
		if ns := namespaceOf(o); ns != "" {
			if namespace == "" {
				namespace = ns
			} else if ns != namespace {
				c.add(o, "metadata.namespace", "%q differs from %q used earlier in the file", ns, namespace)
			}
		}
		if _, ok := o.typed.(*appsv1.Deployment); ok {
			deployments = append(deployments, o)
		}
	}
	has := func(kind, name string) bool { return byKey[kind+"/"+name] != nil && byKey[kind+"/"+name].typed != nil }
	selectsPods := func(s *metav1.LabelSelector) *appsv1.Deployment {
		for _, d := range deployments {
			dep := d.typed.(*appsv1.Deployment)
			if matches(s, dep.Spec.Template.Labels) {
				return dep
			}
		}
		return nil
	}

	for _, o := range c.objects {
		switch t := o.typed.(type) {
		case *appsv1.Deployment:
			c.deploymentRefs(o, t, has)
		case *corev1.Service:
			sel := &metav1.LabelSelector{MatchLabels: t.Spec.Selector}
			dep := selectsPods(sel)
			if dep == nil {
				c.add(o, "spec.selector", "selects no pod template in this file")
				continue
			}
			for i, p := range t.Spec.Ports {
				if p.TargetPort.Type == intstr.String && !containerPortNamed(dep, p.TargetPort.StrVal) {
					c.add(o, fmt.Sprintf("spec.ports[%d].targetPort", i), "no container port named %q in Deployment %s", p.TargetPort.StrVal, dep.Name)
				}
			}
		case *autoscalingv2.HorizontalPodAutoscaler:
			ref := t.Spec.ScaleTargetRef
			if ref.Kind != "Deployment" || ref.APIVersion != "apps/v1" || !has("Deployment", ref.Name) {
				c.add(o, "spec.scaleTargetRef", "targets %s %s/%s, which is not a Deployment in this file", ref.APIVersion, ref.Kind, ref.Name)
				continue
			}
			dep := byKey["Deployment/"+ref.Name].typed.(*appsv1.Deployment)
			if dep.Spec.Replicas != nil {
				c.add(o, "spec.scaleTargetRef", "Deployment %s sets spec.replicas, which would fight this autoscaler on every apply", dep.Name)
			}
			for i, m := range t.Spec.Metrics {
				if m.Resource == nil {
					continue
				}
				for _, ct := range dep.Spec.Template.Spec.Containers {
					if _, ok := ct.Resources.Requests[m.Resource.Name]; !ok {
						c.add(o, fmt.Sprintf("spec.metrics[%d].resource", i), "container %s of Deployment %s has no %s request, so utilisation is undefined", ct.Name, dep.Name, m.Resource.Name)
					}
				}
			}
		case *policyv1.PodDisruptionBudget:
			if t.Spec.Selector != nil && selectsPods(t.Spec.Selector) == nil {
				c.add(o, "spec.selector", "selects no pod template in this file")
			}
		case *networkingv1.NetworkPolicy:
			sel := t.Spec.PodSelector
			if selectsPods(&sel) == nil {
				c.add(o, "spec.podSelector", "selects no pod template in this file")
			}
		case *CustomObject:
			if t.Kind == "HTTPRoute" || t.Kind == "GRPCRoute" {
				c.routeRefs(o, t.Spec, byKey) // gatewayapi.go
			}
		case *networkingv1.Ingress:
			for i, r := range t.Spec.Rules {
				if r.HTTP == nil {
					continue
				}
				for j, p := range r.HTTP.Paths {
					if p.Backend.Service == nil {
						continue
					}
					f := fmt.Sprintf("spec.rules[%d].http.paths[%d].backend.service", i, j)
					b := p.Backend.Service
					so := byKey["Service/"+b.Name]
					if so == nil || so.typed == nil {
						c.add(o, f+".name", "no Service %q in this file", b.Name)
						continue
					}
					if !servicePort(so.typed.(*corev1.Service), b.Port) {
						c.add(o, f+".port", "Service %s has no port %s", b.Name, portString(b.Port))
					}
				}
			}
		}
	}
}

// deploymentRefs checks that what a pod refers to (service account,
// ConfigMaps) is in the same file.
func (c *checker) deploymentRefs(o *object, d *appsv1.Deployment, has func(kind, name string) bool) {
	spec := &d.Spec.Template.Spec
	if sa := spec.ServiceAccountName; sa != "" && sa != "default" && !has("ServiceAccount", sa) {
		c.add(o, "spec.template.spec.serviceAccountName", "no ServiceAccount %q in this file", sa)
	}
	for i, v := range spec.Volumes {
		if v.ConfigMap != nil && !has("ConfigMap", v.ConfigMap.Name) {
			c.add(o, fmt.Sprintf("spec.template.spec.volumes[%d].configMap.name", i), "no ConfigMap %q in this file", v.ConfigMap.Name)
		}
	}
	for ci, ct := range spec.Containers {
		for i, e := range ct.EnvFrom {
			if e.ConfigMapRef != nil && !has("ConfigMap", e.ConfigMapRef.Name) {
				c.add(o, fmt.Sprintf("spec.template.spec.containers[%d].envFrom[%d].configMapRef.name", ci, i), "no ConfigMap %q in this file", e.ConfigMapRef.Name)
			}
		}
	}
}

func containerPortNamed(d *appsv1.Deployment, name string) bool {
	for _, ct := range d.Spec.Template.Spec.Containers {
		for _, p := range ct.Ports {
			if p.Name == name {
				return true
			}
		}
	}
	return false
}

func servicePort(s *corev1.Service, p networkingv1.ServiceBackendPort) bool {
	for _, sp := range s.Spec.Ports {
		if (p.Name != "" && sp.Name == p.Name) || (p.Name == "" && sp.Port == p.Number) {
			return true
		}
	}
	return false
}

func portString(p networkingv1.ServiceBackendPort) string {
	if p.Name != "" {
		return fmt.Sprintf("named %q", p.Name)
	}
	return fmt.Sprintf("%d", p.Number)
}

func namespaceOf(o *object) string {
	if m, ok := o.typed.(metav1.Object); ok {
		return m.GetNamespace()
	}
	return ""
}
