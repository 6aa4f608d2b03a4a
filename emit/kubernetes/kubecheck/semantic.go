package kubecheck

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// RecommendedLabels are the app.kubernetes.io labels nbac puts on every
// object it emits.
var RecommendedLabels = []string{
	"app.kubernetes.io/name",
	"app.kubernetes.io/instance",
	"app.kubernetes.io/version",
	"app.kubernetes.io/component",
	"app.kubernetes.io/part-of",
	"app.kubernetes.io/managed-by",
}

// semantic runs the per-object checks the schemas cannot express.
func (c *checker) semantic(o *object) {
	switch t := o.typed.(type) {
	case *corev1.ServiceAccount:
		c.meta(o, &t.ObjectMeta, validation.IsDNS1123Subdomain)
		if t.AutomountServiceAccountToken == nil || *t.AutomountServiceAccountToken {
			c.add(o, "automountServiceAccountToken", "must be false (nbac mounts no API token unless asked)")
		}
	case *corev1.ConfigMap:
		c.meta(o, &t.ObjectMeta, validation.IsDNS1123Subdomain)
		for _, k := range slices.Sorted(maps.Keys(t.Data)) {
			c.errs(o, "data."+k, validation.IsConfigMapKey(k))
		}
		if t.Immutable == nil || !*t.Immutable {
			c.add(o, "immutable", "nbac's ConfigMaps are content-hashed and must be immutable: true")
		}
	case *corev1.Secret:
		c.meta(o, &t.ObjectMeta, validation.IsDNS1123Subdomain)
	case *corev1.Service:
		// A Service name becomes a DNS label, and must start with a letter.
		c.meta(o, &t.ObjectMeta, validation.IsDNS1035Label)
		c.service(o, t)
	case *appsv1.Deployment:
		c.meta(o, &t.ObjectMeta, validation.IsDNS1123Subdomain)
		c.deployment(o, t)
	case *autoscalingv2.HorizontalPodAutoscaler:
		c.meta(o, &t.ObjectMeta, validation.IsDNS1123Subdomain)
		c.hpa(o, t)
	case *policyv1.PodDisruptionBudget:
		c.meta(o, &t.ObjectMeta, validation.IsDNS1123Subdomain)
		if t.Spec.MaxUnavailable == nil && t.Spec.MinAvailable == nil {
			c.add(o, "spec", "set maxUnavailable or minAvailable")
		}
		c.selector(o, "spec.selector", t.Spec.Selector)
	case *networkingv1.Ingress:
		c.meta(o, &t.ObjectMeta, validation.IsDNS1123Subdomain)
		c.ingress(o, t)
	case *CustomObject:
		c.meta(o, &t.ObjectMeta, validation.IsDNS1123Subdomain)
	case *networkingv1.NetworkPolicy:
		c.meta(o, &t.ObjectMeta, validation.IsDNS1123Subdomain)
		sel := t.Spec.PodSelector
		c.selector(o, "spec.podSelector", &sel)
		for i, r := range t.Spec.Ingress {
			for j, p := range r.Ports {
				if p.Port != nil {
					c.intOrStringPort(o, fmt.Sprintf("spec.ingress[%d].ports[%d].port", i, j), *p.Port)
				}
			}
		}
	}
}

// errs records the messages of an apimachinery validation helper.
func (c *checker) errs(o *object, field string, msgs []string) {
	for _, m := range msgs {
		c.add(o, field, "%s", m)
	}
}

// meta checks name, namespace, labels, annotations, and that the six
// recommended labels are present.
func (c *checker) meta(o *object, m *metav1.ObjectMeta, nameRule func(string) []string) {
	if m.Name == "" {
		c.add(o, "metadata.name", "required")
	} else {
		c.errs(o, "metadata.name", nameRule(m.Name))
	}
	if m.Namespace != "" {
		c.errs(o, "metadata.namespace", validation.IsDNS1123Label(m.Namespace))
	}
	c.labels(o, "metadata.labels", m.Labels)
	for _, k := range slices.Sorted(maps.Keys(m.Annotations)) {
		c.errs(o, "metadata.annotations", qualified(k))
	}
	for _, l := range RecommendedLabels {
		if m.Labels[l] == "" {
			c.add(o, "metadata.labels", "missing recommended label %s", l)
		}
	}
}

func (c *checker) labels(o *object, field string, l map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(l)) {
		c.errs(o, field, qualified(k))
		for _, m := range validation.IsValidLabelValue(l[k]) {
			c.add(o, field+"."+k, "%s", m)
		}
	}
}

func qualified(key string) []string {
	var out []string
	for _, m := range validation.IsQualifiedName(key) {
		out = append(out, fmt.Sprintf("key %q: %s", key, m))
	}
	return out
}

// selector checks a label selector is set, non-empty, and only uses
// matchLabels with valid labels.
func (c *checker) selector(o *object, field string, s *metav1.LabelSelector) {
	if s == nil || (len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0) {
		c.add(o, field, "a selector is required and must not be empty (it would select every pod)")
		return
	}
	if _, err := metav1.LabelSelectorAsSelector(s); err != nil {
		c.add(o, field, "%v", err)
	}
	c.labels(o, field+".matchLabels", s.MatchLabels)
}

func (c *checker) service(o *object, s *corev1.Service) {
	switch s.Spec.Type {
	case "", corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
	default:
		c.add(o, "spec.type", "%q is not ClusterIP, NodePort or LoadBalancer", s.Spec.Type)
	}
	if len(s.Spec.Selector) == 0 {
		c.add(o, "spec.selector", "a Service without a selector routes to no pod")
	}
	c.labels(o, "spec.selector", s.Spec.Selector)
	if len(s.Spec.Ports) == 0 {
		c.add(o, "spec.ports", "at least one port is required")
	}
	seen := map[string]bool{}
	for i, p := range s.Spec.Ports {
		f := fmt.Sprintf("spec.ports[%d]", i)
		c.errs(o, f+".port", validation.IsValidPortNum(int(p.Port)))
		if p.Name != "" {
			c.errs(o, f+".name", validation.IsValidPortName(p.Name))
			if seen[p.Name] {
				c.add(o, f+".name", "duplicate port name %q", p.Name)
			}
			seen[p.Name] = true
		}
		c.intOrStringPort(o, f+".targetPort", p.TargetPort)
	}
}

// intOrStringPort checks a port given by number or by name.
func (c *checker) intOrStringPort(o *object, field string, p intstr.IntOrString) {
	if p.Type == intstr.String {
		c.errs(o, field, validation.IsValidPortName(p.StrVal))
		return
	}
	c.errs(o, field, validation.IsValidPortNum(int(p.IntVal)))
}

func (c *checker) deployment(o *object, d *appsv1.Deployment) {
	c.selector(o, "spec.selector", d.Spec.Selector)
	if d.Spec.Selector != nil {
		if _, ok := d.Spec.Selector.MatchLabels["app.kubernetes.io/version"]; ok {
			c.add(o, "spec.selector.matchLabels", "must not use app.kubernetes.io/version: a Deployment's selector is immutable, so every release would need a delete")
		}
		if !matches(d.Spec.Selector, d.Spec.Template.Labels) {
			c.add(o, "spec.selector", "does not match the pod template's labels")
		}
	}
	if d.Spec.Replicas != nil && *d.Spec.Replicas < 0 {
		c.add(o, "spec.replicas", "must be >= 0")
	}
	if d.Spec.RevisionHistoryLimit == nil {
		c.add(o, "spec.revisionHistoryLimit", "required by nbac's defaults (old ReplicaSets would pile up)")
	}
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || d.Spec.Strategy.RollingUpdate == nil {
		c.add(o, "spec.strategy", "must be a RollingUpdate with maxSurge and maxUnavailable")
	}
	c.labels(o, "spec.template.metadata.labels", d.Spec.Template.Labels)
	spec := &d.Spec.Template.Spec
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		c.add(o, "spec.template.spec.automountServiceAccountToken", "must be false (nbac mounts no API token unless asked)")
	}
	if len(spec.TopologySpreadConstraints) == 0 {
		c.add(o, "spec.template.spec.topologySpreadConstraints", "required by nbac's defaults (spread across zones)")
	}
	if len(spec.Containers) == 0 {
		c.add(o, "spec.template.spec.containers", "at least one container is required")
	}
	volumes := map[string]bool{}
	for i, v := range spec.Volumes {
		f := fmt.Sprintf("spec.template.spec.volumes[%d]", i)
		c.errs(o, f+".name", validation.IsDNS1123Label(v.Name))
		if volumes[v.Name] {
			c.add(o, f+".name", "duplicate volume %q", v.Name)
		}
		volumes[v.Name] = true
	}
	for i := range spec.Containers {
		c.container(o, fmt.Sprintf("spec.template.spec.containers[%d]", i), &spec.Containers[i], volumes)
	}
}

func (c *checker) container(o *object, f string, ct *corev1.Container, volumes map[string]bool) {
	c.errs(o, f+".name", validation.IsDNS1123Label(ct.Name))
	if strings.TrimSpace(ct.Image) == "" {
		c.add(o, f+".image", "required")
	}
	ports := map[string]bool{}
	for i, p := range ct.Ports {
		pf := fmt.Sprintf("%s.ports[%d]", f, i)
		c.errs(o, pf+".containerPort", validation.IsValidPortNum(int(p.ContainerPort)))
		if p.Name != "" {
			c.errs(o, pf+".name", validation.IsValidPortName(p.Name))
			if ports[p.Name] {
				c.add(o, pf+".name", "duplicate port name %q", p.Name)
			}
			ports[p.Name] = true
		}
	}
	envSeen := map[string]bool{}
	for i, e := range ct.Env {
		ef := fmt.Sprintf("%s.env[%d]", f, i)
		c.errs(o, ef+".name", validation.IsEnvVarName(e.Name))
		if envSeen[e.Name] {
			c.add(o, ef+".name", "duplicate environment variable %q", e.Name)
		}
		envSeen[e.Name] = true
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			r := e.ValueFrom.SecretKeyRef
			c.errs(o, ef+".valueFrom.secretKeyRef.name", validation.IsDNS1123Subdomain(r.Name))
			c.errs(o, ef+".valueFrom.secretKeyRef.key", validation.IsConfigMapKey(r.Key))
		}
		if i > 0 && ct.Env[i-1].Name > e.Name {
			c.add(o, ef+".name", "environment variables must be sorted by name (%q after %q)", e.Name, ct.Env[i-1].Name)
		}
	}
	for i, m := range ct.VolumeMounts {
		if !volumes[m.Name] {
			c.add(o, fmt.Sprintf("%s.volumeMounts[%d].name", f, i), "no volume named %q in the pod", m.Name)
		}
	}
	if sc := ct.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		c.add(o, f+".securityContext.readOnlyRootFilesystem", "must be true (write to the /tmp emptyDir instead)")
	}
	c.resources(o, f+".resources", ct.Resources)
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
	}{{"readinessProbe", ct.ReadinessProbe}, {"livenessProbe", ct.LivenessProbe}, {"startupProbe", ct.StartupProbe}} {
		c.probe(o, f+"."+p.name, p.probe, ports)
	}
	if ct.ReadinessProbe == nil {
		c.add(o, f+".readinessProbe", "required by nbac's defaults")
	}
	if ct.LivenessProbe == nil {
		c.add(o, f+".livenessProbe", "required by nbac's defaults")
	}
}

// resources requires CPU and memory requests and a memory limit, and
// each request to be at most its limit.
func (c *checker) resources(o *object, f string, r corev1.ResourceRequirements) {
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := r.Requests[name]; !ok {
			c.add(o, f+".requests."+string(name), "required")
		}
	}
	if _, ok := r.Limits[corev1.ResourceMemory]; !ok {
		c.add(o, f+".limits.memory", "required")
	}
	for _, name := range slices.Sorted(maps.Keys(r.Requests)) {
		req := r.Requests[name]
		if req.Sign() <= 0 {
			c.add(o, f+".requests."+string(name), "must be greater than zero")
		}
		if lim, ok := r.Limits[name]; ok && req.Cmp(lim) > 0 {
			c.add(o, f+".requests."+string(name), "request %s exceeds limit %s", req.String(), lim.String())
		}
	}
}

func (c *checker) probe(o *object, f string, p *corev1.Probe, ports map[string]bool) {
	if p == nil {
		return
	}
	handlers := 0
	if h := p.HTTPGet; h != nil {
		handlers++
		if !strings.HasPrefix(h.Path, "/") {
			c.add(o, f+".httpGet.path", "%q must start with /", h.Path)
		}
		c.probePort(o, f+".httpGet.port", h.Port, ports)
	}
	if t := p.TCPSocket; t != nil {
		handlers++
		c.probePort(o, f+".tcpSocket.port", t.Port, ports)
	}
	if e := p.Exec; e != nil {
		handlers++
		if len(e.Command) == 0 {
			c.add(o, f+".exec.command", "required")
		}
	}
	if p.GRPC != nil {
		handlers++
	}
	if handlers != 1 {
		c.add(o, f, "exactly one of httpGet, tcpSocket, exec or grpc is required (found %d)", handlers)
	}
	for _, n := range []struct {
		name string
		v    int32
		min  int32
	}{{"periodSeconds", p.PeriodSeconds, 1}, {"timeoutSeconds", p.TimeoutSeconds, 1}, {"failureThreshold", p.FailureThreshold, 1}, {"initialDelaySeconds", p.InitialDelaySeconds, 0}} {
		if n.v < n.min {
			c.add(o, f+"."+n.name, "must be >= %d", n.min)
		}
	}
}

func (c *checker) probePort(o *object, f string, p intstr.IntOrString, ports map[string]bool) {
	if p.Type == intstr.String {
		if !ports[p.StrVal] {
			c.add(o, f, "no container port named %q", p.StrVal)
		}
		return
	}
	c.errs(o, f, validation.IsValidPortNum(int(p.IntVal)))
}

func (c *checker) hpa(o *object, h *autoscalingv2.HorizontalPodAutoscaler) {
	if h.Spec.MinReplicas != nil && *h.Spec.MinReplicas < 1 {
		c.add(o, "spec.minReplicas", "must be >= 1")
	}
	if h.Spec.MinReplicas != nil && *h.Spec.MinReplicas > h.Spec.MaxReplicas {
		c.add(o, "spec.minReplicas", "minReplicas %d exceeds maxReplicas %d", *h.Spec.MinReplicas, h.Spec.MaxReplicas)
	}
	if len(h.Spec.Metrics) == 0 {
		c.add(o, "spec.metrics", "at least one metric is required")
	}
	for i, m := range h.Spec.Metrics {
		if m.Resource == nil || m.Resource.Target.AverageUtilization == nil {
			continue
		}
		if u := *m.Resource.Target.AverageUtilization; u < 1 || u > 100 {
			c.add(o, fmt.Sprintf("spec.metrics[%d].resource.target.averageUtilization", i), "%d is not a percentage in 1..100", u)
		}
	}
}

func (c *checker) ingress(o *object, in *networkingv1.Ingress) {
	if in.Spec.IngressClassName == nil || *in.Spec.IngressClassName == "" {
		c.add(o, "spec.ingressClassName", "required (the annotation form is deprecated)")
	}
	hosts := map[string]bool{}
	for i, r := range in.Spec.Rules {
		f := fmt.Sprintf("spec.rules[%d]", i)
		c.host(o, f+".host", r.Host)
		hosts[r.Host] = true
		if r.HTTP == nil {
			c.add(o, f+".http", "required")
			continue
		}
		for j, p := range r.HTTP.Paths {
			pf := fmt.Sprintf("%s.http.paths[%d]", f, j)
			if p.PathType == nil {
				c.add(o, pf+".pathType", "required (explicit Prefix or Exact)")
			}
			if !strings.HasPrefix(p.Path, "/") {
				c.add(o, pf+".path", "%q must start with /", p.Path)
			}
			if p.Backend.Service == nil {
				c.add(o, pf+".backend.service", "required")
			}
		}
	}
	for i, t := range in.Spec.TLS {
		f := fmt.Sprintf("spec.tls[%d]", i)
		if t.SecretName != "" {
			c.errs(o, f+".secretName", validation.IsDNS1123Subdomain(t.SecretName))
		}
		for j, h := range t.Hosts {
			if !hosts[h] {
				c.add(o, fmt.Sprintf("%s.hosts[%d]", f, j), "host %q has no rule", h)
			}
		}
	}
}

func (c *checker) host(o *object, f, h string) {
	if h == "" {
		return
	}
	if strings.HasPrefix(h, "*.") {
		c.errs(o, f, validation.IsWildcardDNS1123Subdomain(h))
		return
	}
	c.errs(o, f, validation.IsDNS1123Subdomain(h))
}
