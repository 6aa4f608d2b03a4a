package kubernetes

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/nbac/nbac/importer"
)

func (m *mapper) service(name string) *Service {
	if m.byName == nil {
		m.byName = map[string]*Service{}
		for _, s := range m.e.Services {
			m.byName[s.Name] = s
		}
	}
	return m.byName[name]
}

// hpa attaches an HPA to the Deployment its scaleTargetRef names.
func (m *mapper) hpa(o *Object, h *autoscalingv2.HorizontalPodAutoscaler) {
	ref := h.Spec.ScaleTargetRef
	s := m.service(ref.Name)
	if ref.Kind != "Deployment" || (ref.APIVersion != "" && ref.APIVersion != "apps/v1") || s == nil || s.Autoscale != nil {
		return // reported by unmatched
	}
	a := &Autoscale{Min: 1, Max: h.Spec.MaxReplicas}
	if h.Spec.MinReplicas != nil {
		a.Min = *h.Spec.MinReplicas
	}
	if a.Min < 1 || a.Max > 1000 || a.Min > a.Max {
		o.report(m.res, "spec", importer.OutOfRange, "nbac's autoscale has 1 <= min <= max <= 1000.")
		return
	}
	o.use("spec.scaleTargetRef", "spec.minReplicas", "spec.maxReplicas")
	for i, mt := range h.Spec.Metrics {
		p := fmt.Sprintf("spec.metrics[%d]", i)
		r := mt.Resource
		if mt.Type != autoscalingv2.ResourceMetricSourceType || r == nil || r.Target.Type != autoscalingv2.UtilizationMetricType || r.Target.AverageUtilization == nil {
			o.report(m.res, p, importer.NoEquivalent, "nbac's autoscale targets CPU and memory utilisation (% of the request) only.")
			continue
		}
		pct := *r.Target.AverageUtilization
		if pct < 1 || pct > 100 {
			o.report(m.res, p, importer.OutOfRange, "nbac's utilisation targets are 1..100%.")
			continue
		}
		switch {
		case r.Name == corev1.ResourceCPU && a.CPU == 0:
			a.CPU = pct
		case r.Name == corev1.ResourceMemory && a.Memory == 0:
			a.Memory = pct
		default:
			o.report(m.res, p, importer.NoEquivalent, "nbac's autoscale targets CPU and memory utilisation, once each.")
			continue
		}
		o.use(p)
	}
	s.Autoscale = a
	o.Target = Key{"HorizontalPodAutoscaler", s.Name}
	// The HPA sets the pod count: nbac leaves replicas out of the Deployment.
	s.Replicas = -1
}

// minReplicas is what nbac's PDB rule looks at (emit/kubernetes).
func (s *Service) minReplicas() int {
	if s.Autoscale != nil {
		return int(s.Autoscale.Min)
	}
	if s.Replicas < 0 {
		return 1
	}
	return s.Replicas
}

// pdb matches a PodDisruptionBudget to the service whose pods it selects.
// nbac writes its own (maxUnavailable 1, from two replicas up).
func (m *mapper) pdb(o *Object, p *policyv1.PodDisruptionBudget) {
	ls := selector(p.Spec.Selector)
	for _, s := range m.e.Services {
		if !selects(ls, s) || m.taken[Key{"PodDisruptionBudget", s.Name}] {
			continue
		}
		if s.minReplicas() < 2 {
			o.report(m.res, "", importer.EmittedByNbac, "nbac writes a PodDisruptionBudget only from two replicas up (maxUnavailable 1); with one it would block node drains or protect nothing.")
			return
		}
		o.Target = Key{"PodDisruptionBudget", s.Name}
		m.taken[o.Target] = true
		o.use("spec.selector")
		mu := p.Spec.MaxUnavailable
		if p.Spec.MinAvailable == nil && mu != nil && (mu.Type == intstr.Int && mu.IntVal == 1 || mu.Type == intstr.String && mu.StrVal == "1") {
			o.use("spec.maxUnavailable")
		} else {
			for _, f := range []string{"spec.minAvailable", "spec.maxUnavailable"} {
				if nodeAt(o.Node, f) != nil {
					o.report(m.res, f, importer.EmittedByNbac, "nbac's PodDisruptionBudget lets one pod go at a time (maxUnavailable: 1).")
				}
			}
		}
		return
	}
}

// networkPolicy sets network_policy when the policy says exactly what
// nbac's says: ingress to the service port from anywhere, nothing else.
func (m *mapper) networkPolicy(o *Object, np *networkingv1.NetworkPolicy) {
	ls := selector(&np.Spec.PodSelector)
	for _, s := range m.e.Services {
		if !selects(ls, s) || s.NetworkPolicy {
			continue
		}
		spec := np.Spec
		simple := len(spec.Egress) == 0 && len(spec.Ingress) == 1 && len(spec.Ingress[0].From) == 0 && len(spec.Ingress[0].Ports) == 1
		for _, t := range spec.PolicyTypes {
			simple = simple && t == networkingv1.PolicyTypeIngress
		}
		if simple {
			pp := spec.Ingress[0].Ports[0]
			simple = pp.Port != nil && s.portMatches(*pp.Port) && pp.EndPort == nil && (pp.Protocol == nil || *pp.Protocol == corev1.ProtocolTCP)
		}
		if !simple {
			o.report(m.res, "", importer.NoEquivalent,
				"nbac's network_policy admits the service port from anywhere and closes the rest; this policy says more (sources, egress or other ports), so it is not imported.")
			return
		}
		s.NetworkPolicy = true
		o.Target = Key{"NetworkPolicy", s.Name}
		o.use("spec")
		return
	}
}

// ingress-nginx and cert-manager annotations the importer knows.
const (
	annIngressClass = "kubernetes.io/ingress.class"
	annIssuer       = "cert-manager.io/cluster-issuer"
	nginxPrefix     = "nginx.ingress.kubernetes.io/"
	albPrefix       = "alb.ingress.kubernetes.io/"
)

// ingress attaches an Ingress to the service whose Service its first
// backend names.
func (m *mapper) ingress(o *Object, ing *networkingv1.Ingress) {
	if len(ing.Spec.Rules) == 0 || ing.Spec.Rules[0].HTTP == nil || len(ing.Spec.Rules[0].HTTP.Paths) == 0 {
		return
	}
	rule := ing.Spec.Rules[0]
	hp := rule.HTTP.Paths[0]
	if hp.Backend.Service == nil {
		return
	}
	so := m.byKey[Key{"Service", hp.Backend.Service.Name}]
	if so == nil || so.Target == (Key{}) {
		return
	}
	s := m.service(so.Target.Name)
	if s == nil || s.Ingress != nil {
		return
	}
	host := rule.Host
	if host == "" || net.ParseIP(host) != nil || len(validation.IsDNS1123Subdomain(strings.TrimPrefix(host, "*."))) > 0 {
		o.report(m.res, "", importer.OutOfRange, "nbac's ingress needs a lower-case DNS host name (not an IP address) in its first rule.")
		return
	}
	in := &Ingress{Host: host, Path: hp.Path, Class: "nginx"}
	if in.Path == "" {
		in.Path = "/"
	}
	o.Target = Key{"Ingress", s.Name}
	base := "spec.rules[0].http.paths[0]"
	o.use("spec.rules[0].host", base+".path", base+".backend.service.name", base+".backend.service.port")
	if hp.PathType != nil && *hp.PathType == networkingv1.PathTypePrefix {
		o.use(base + ".pathType")
	} else {
		o.report(m.res, base+".pathType", importer.OutOfRange, "nbac's ingress paths are Prefix paths.")
	}
	for i := 1; i < len(rule.HTTP.Paths); i++ {
		o.report(m.res, fmt.Sprintf("spec.rules[0].http.paths[%d]", i), importer.NoEquivalent, "nbac's ingress block routes one path to one service.")
	}
	for i := 1; i < len(ing.Spec.Rules); i++ {
		o.report(m.res, fmt.Sprintf("spec.rules[%d]", i), importer.NoEquivalent, "nbac's ingress block has one host.")
	}
	class := ""
	if ing.Spec.IngressClassName != nil {
		class = *ing.Spec.IngressClassName
		o.use("spec.ingressClassName")
	}
	ann := ing.Annotations
	if c, ok := ann[annIngressClass]; ok {
		if class == "" {
			class = c
		}
		o.useSegs("metadata", "annotations", annIngressClass)
	}
	switch class {
	case "", "nginx", "alb":
		if class != "" {
			in.Class = class
		}
	default:
		o.report(m.res, "spec.ingressClassName", importer.OutOfRange, "nbac's ingress classes are nginx and alb; the ingress is imported with class nginx.")
	}
	for i, t := range ing.Spec.TLS {
		p := fmt.Sprintf("spec.tls[%d]", i)
		if i > 0 || !(len(t.Hosts) == 0 || len(t.Hosts) == 1 && t.Hosts[0] == host) {
			o.report(m.res, p, importer.NoEquivalent, "nbac's ingress has one TLS section, for its host.")
			continue
		}
		in.TLS, in.TLSSecret = true, t.SecretName
		if t.SecretName == "" && in.Class == "nginx" {
			o.report(m.res, p+".secretName", importer.OutOfRange, "Without a secretName ingress-nginx serves its default certificate; nbac's nginx ingress always names a Secret (default <service>-tls). Set tls_secret to the Secret that holds the certificate.")
		}
		o.use(p)
	}
	m.ingressAnnotations(o, s, in, ann)
	s.Ingress = in
}

func (m *mapper) ingressAnnotations(o *Object, s *Service, in *Ingress, ann map[string]string) {
	for _, k := range sortedKeys(ann) {
		v := ann[k]
		segs := []string{"metadata", "annotations", k}
		use := func() { o.useSegs(segs...) }
		report := func(why, detail string) { o.reportSegs(m.res, segs, why, detail) }
		name := strings.TrimPrefix(k, nginxPrefix)
		switch {
		case k == annIngressClass:
		case k == annIssuer:
			in.Issuer = v
			use()
		case in.Class == "nginx" && strings.HasPrefix(k, nginxPrefix):
			switch {
			case name == "limit-rps":
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 1000000 {
					report(importer.OutOfRange, "nbac's rate_limit is 1..1000000 requests per second.")
					continue
				}
				in.RateLimit = n
				use()
			case name == "ssl-redirect" && v == "true":
				use() // ingress-nginx's default with TLS, and a no-op without
			case name == "backend-protocol" && strings.EqualFold(v, "HTTP"):
				use() // the default
			case name == "affinity" || name == "affinity-mode" || strings.HasPrefix(name, "session-cookie-"):
				report(importer.NoEquivalent, "nbac's ingress has no session affinity; a load_balancer block has cookie affinity.")
			case strings.HasPrefix(name, "limit-"):
				report(importer.NoEquivalent, "nbac's rate_limit is ingress-nginx's limit-rps (requests per second per client IP) only.")
			default:
				report(importer.NoEquivalent, "nbac writes no other ingress-nginx annotation.")
			}
		case in.Class == "alb" && strings.HasPrefix(k, albPrefix):
			attr := map[string]string{"scheme": "scheme", "target-type": "target_type", "certificate-arn": "certificate_arn", "ssl-policy": "ssl_policy"}[strings.TrimPrefix(k, albPrefix)]
			switch {
			case attr != "":
				if in.ALB == nil {
					in.ALB = map[string]string{}
				}
				in.ALB[attr] = v
				use()
			default:
				report(importer.EmittedByNbac, "nbac derives this AWS Load Balancer Controller annotation from the ingress block, or has no setting for it.")
			}
		}
	}
	_ = s
}

// serviceAccount pairs the ServiceAccount the pods run as with the one
// nbac writes for the service.
func (m *mapper) serviceAccount(s *Service) {
	d := s.deploy.Typed.(*appsv1.Deployment)
	name := d.Spec.Template.Spec.ServiceAccountName
	if name == "" {
		name = d.Spec.Template.Spec.DeprecatedServiceAccount
	}
	if name == "" {
		return
	}
	s.deploy.use(podSpec+".serviceAccountName", podSpec+".serviceAccount")
	o := m.byKey[Key{"ServiceAccount", name}]
	if o == nil || o.Target != (Key{}) || o.wholeReported() {
		return
	}
	o.Target = Key{"ServiceAccount", s.Name}
	sa := o.Typed.(*corev1.ServiceAccount)
	if sa.AutomountServiceAccountToken != nil && *sa.AutomountServiceAccountToken {
		o.report(m.res, "automountServiceAccountToken", importer.EmittedByNbac, "nbac's ServiceAccounts mount no API token.")
	} else {
		o.use("automountServiceAccountToken")
	}
}
