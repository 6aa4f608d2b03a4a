package kubernetes

import (
	"encoding/json"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/nbac/nbac/schema"
)

// Annotation keys written on Ingresses.
const (
	annIssuer   = "cert-manager.io/cluster-issuer"
	annNginxRPS = "nginx.ingress.kubernetes.io/limit-rps"
	albPrefix   = "alb.ingress.kubernetes.io/"
)

// Ingress classes, and the path when the ingress block names none.
const (
	classNginx  = "nginx"
	classALB    = "alb"
	defaultPath = "/"
)

// service exposes the named container port. Session affinity is stated
// explicitly (None) so a diff shows when someone turns it on.
func (b *builder) service() *corev1.Service {
	t := corev1.ServiceType(b.svc.Expose)
	if t == "" {
		t = corev1.ServiceTypeClusterIP
	}
	return &corev1.Service{
		TypeMeta:   typeMeta("v1", "Service"),
		ObjectMeta: b.meta(b.svc.Name),
		Spec: corev1.ServiceSpec{
			Type:     t,
			Selector: cloneOrNil(b.selector),
			Ports: []corev1.ServicePort{{
				Name:       portName,
				Protocol:   corev1.ProtocolTCP,
				Port:       int32(b.svc.Port),
				TargetPort: intstr.FromString(portName),
			}},
			SessionAffinity: corev1.ServiceAffinityNone,
		},
	}
}

// ingress is a networking/v1 Ingress with an explicit pathType and class.
// Class nginx gets TLS from a Secret (filled by cert-manager when an issuer
// is set) and an optional per-IP rate limit; class alb gets the AWS Load
// Balancer Controller's annotations and its certificate from ACM.
func (b *builder) ingress() *networkingv1.Ingress {
	in := b.svc.Ingress
	if in == nil {
		return nil
	}
	class := in.Class
	if class == "" {
		class = classNginx
	}
	p := in.Path
	if p == "" {
		p = defaultPath
	}
	obj := &networkingv1.Ingress{
		TypeMeta:   typeMeta("networking.k8s.io/v1", "Ingress"),
		ObjectMeta: b.meta(b.svc.Name),
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr(class),
			Rules: []networkingv1.IngressRule{{
				Host: in.Host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{{
						Path:     p,
						PathType: ptr(networkingv1.PathTypePrefix),
						Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
							Name: b.svc.Name,
							Port: networkingv1.ServiceBackendPort{Name: portName},
						}},
					}},
				}},
			}},
		},
	}
	ann := map[string]string{}
	if in.Issuer != "" && !in.TLS {
		b.warnf(b.at(in.Src, "issuer"), "Issuer without TLS",
			"The ingress of "+schema.Describe("service", b.svc.Name)+" names cert-manager issuer "+strconv.Quote(in.Issuer)+
				" but tls is false, so no certificate is requested. Set tls = true or remove issuer.")
	}
	switch class {
	case classALB:
		b.albAnnotations(in, ann)
		if in.TLS {
			// The ALB takes its certificate from ACM (certificate-arn, or
			// discovery by host), never from a Secret: hosts only.
			obj.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{in.Host}}}
		}
	default:
		if in.ALB != nil {
			b.warnf(b.at(in.ALB.Src, ""), "ALB settings ignored",
				"The ingress of "+schema.Describe("service", b.svc.Name)+" has class "+strconv.Quote(class)+
					", so its alb block has no effect. Set class = \"alb\" or remove the alb block.")
		}
		if in.TLS {
			secret := in.TLSSecret
			if secret == "" {
				secret = b.svc.Name + "-tls"
			}
			obj.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{in.Host}, SecretName: secret}}
			if in.Issuer != "" {
				ann[annIssuer] = in.Issuer
			}
		}
		if in.RateLimit > 0 && class == classNginx {
			ann[annNginxRPS] = strconv.Itoa(in.RateLimit)
		}
	}
	if len(ann) > 0 {
		obj.Annotations = ann
	}
	return obj
}

// albAnnotations writes the AWS Load Balancer Controller settings. JSON
// values are built with encoding/json, never by concatenation.
func (b *builder) albAnnotations(in *schema.Ingress, ann map[string]string) {
	alb := schema.ALB{}
	if in.ALB != nil {
		alb = *in.ALB
	}
	ann[albPrefix+"scheme"] = first(alb.Scheme, defaultALBScheme)
	ann[albPrefix+"target-type"] = first(alb.TargetType, defaultALBTargetType)
	ports := []map[string]int{{"HTTP": 80}}
	if in.TLS {
		ports = append(ports, map[string]int{"HTTPS": 443})
		ann[albPrefix+"ssl-redirect"] = "443"
	}
	raw, err := json.Marshal(ports)
	if err != nil {
		panic(err) // a []map[string]int always marshals
	}
	ann[albPrefix+"listen-ports"] = string(raw)
	if alb.CertificateARN != "" {
		ann[albPrefix+"certificate-arn"] = alb.CertificateARN
	}
	if alb.SSLPolicy != "" {
		ann[albPrefix+"ssl-policy"] = alb.SSLPolicy
	}
	// The ALB health-checks the targets itself; point it at the readiness
	// path so it agrees with Kubernetes about which pods can serve.
	for _, p := range b.svc.Probes {
		if p.Kind == "readiness" && probeType(&p) == "http" && p.Path != "" {
			ann[albPrefix+"healthcheck-path"] = p.Path
		}
	}
	if in.RateLimit > 0 {
		b.warnf(b.at(in.Src, "rate_limit"), "ALB cannot rate-limit per client IP",
			"The ingress of "+schema.Describe("service", b.svc.Name)+" sets rate_limit, but an AWS ALB has no per-IP rate limit, so nothing is emitted for it. "+
				"Use an AWS WAF rate-based rule (alb.ingress.kubernetes.io/wafv2-acl-arn) or class = \"nginx\".")
	}
	if in.Issuer != "" {
		b.warnf(b.at(in.Src, "issuer"), "cert-manager issuer ignored on ALB",
			"An AWS ALB takes certificates from ACM, not from a cert-manager Secret, so issuer "+strconv.Quote(in.Issuer)+
				" has no effect. Set alb.certificate_arn (or let the controller discover the certificate by host) and remove issuer.")
	}
}

// networkPolicy admits traffic to the service's port only; every other
// port of the pods is closed to other pods.
func (b *builder) networkPolicy() *networkingv1.NetworkPolicy {
	if !b.svc.NetworkPolicy {
		return nil
	}
	return &networkingv1.NetworkPolicy{
		TypeMeta:   typeMeta("networking.k8s.io/v1", "NetworkPolicy"),
		ObjectMeta: b.meta(b.svc.Name),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: *b.labelSelector(),
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				Ports: policyPorts(b.policyPorts()),
			}},
		},
	}
}
