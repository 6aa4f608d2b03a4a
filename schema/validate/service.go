package validate

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/nbac/nbac/schema"
)

// svcEnvName is the portable environment variable name (a C identifier):
// Kubernetes accepts more, but shells and most runtimes do not.
var svcEnvName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// svcOwnedLabels are set by the Kubernetes emitter on every object; a
// service may override app.kubernetes.io/component only.
var svcOwnedLabels = []string{
	"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
	"app.kubernetes.io/part-of", "app.kubernetes.io/managed-by",
}

// services checks every service block: what the Kubernetes API server
// would reject (names, ports, quantities, label syntax) and what it would
// accept with a surprising meaning (request above limit, min above max,
// an HTTP probe without a path, an ALB in instance mode on a ClusterIP).
func services(m *schema.Model) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i := range m.Services {
		c := &svcChecker{m: m, svc: &m.Services[i]}
		c.check()
		diags = append(diags, c.diags...)
	}
	return diags
}

type svcChecker struct {
	m     *schema.Model
	svc   *schema.Service
	diags hcl.Diagnostics
}

// fail reports at attr of src, falling back to the service's own range
// when the nested block has none (a model read back from JSON).
func (c *svcChecker) fail(src schema.Source, attr, summary, detail string) {
	d := errorAt(src, attr, summary, detail)
	if d.Subject == nil {
		d.Subject = c.svc.Src.Range(attr)
	}
	c.diags = append(c.diags, d)
}

func (c *svcChecker) what() string { return schema.Describe("service", c.svc.Name) }

func (c *svcChecker) check() {
	s := c.svc
	// The name becomes a Service, whose name is a DNS label that must
	// start with a letter (RFC 1035), and every other object's name.
	if errs := validation.IsDNS1035Label(s.Name); len(errs) > 0 {
		c.fail(s.Src, "", "Invalid service name",
			fmt.Sprintf("The service name %q names Kubernetes objects (a Service among them), so it must be a DNS label: %s. Use lower-case letters, digits and '-', starting with a letter, e.g. \"api\" or \"nba-mcp-server\".", s.Name, strings.Join(errs, "; ")))
	}
	// A missing image is the front-end's error (a required attribute).
	if errs := validation.IsValidPortNum(s.Port); len(errs) > 0 {
		c.fail(s.Src, "port", "Invalid port", fmt.Sprintf("port of %s is %d; it must be from 1 to 65535.", c.what(), s.Port))
	}
	if !inSet(s.Expose, "", "ClusterIP", "NodePort", "LoadBalancer") {
		c.fail(s.Src, "expose", "Invalid value", fmt.Sprintf("expose of %s must be ClusterIP, NodePort or LoadBalancer (case matters); got %q.", c.what(), s.Expose))
	}
	if s.Replicas < 0 {
		c.fail(s.Src, "replicas", "Value out of range", fmt.Sprintf("replicas of %s is %d; it must be 0 or more.", c.what(), s.Replicas))
	}
	c.labels()
	c.env()
	c.resources()
	c.probes()
	c.autoscale()
	c.metrics()
	c.ingress()
	c.uses()
	c.kubernetesRules()
}

func (c *svcChecker) labels() {
	s := c.svc
	for _, k := range slices.Sorted(maps.Keys(s.Labels)) {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			c.fail(s.Src, "labels", "Invalid label key", fmt.Sprintf("Label key %q of %s: %s.", k, c.what(), strings.Join(errs, "; ")))
		} else if slices.Contains(svcOwnedLabels, k) {
			c.fail(s.Src, "labels", "Reserved label key",
				fmt.Sprintf("nbac sets %q itself (selectors and tooling depend on it); remove it from labels of %s. Only app.kubernetes.io/component may be overridden.", k, c.what()))
		}
		if errs := validation.IsValidLabelValue(s.Labels[k]); len(errs) > 0 {
			c.fail(s.Src, "labels", "Invalid label value", fmt.Sprintf("The value %q of label %q of %s: %s.", s.Labels[k], k, c.what(), strings.Join(errs, "; ")))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Annotations)) {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			c.fail(s.Src, "annotations", "Invalid annotation key", fmt.Sprintf("Annotation key %q of %s: %s.", k, c.what(), strings.Join(errs, "; ")))
		}
	}
}

func (c *svcChecker) env() {
	s := c.svc
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		if !svcEnvName.MatchString(k) {
			c.fail(s.Src, "env", "Invalid environment variable name",
				fmt.Sprintf("%q in env of %s is not a portable environment variable name; use letters, digits and '_', not starting with a digit, e.g. \"LOG_LEVEL\".", k, c.what()))
		}
		if k == schema.ModelPathEnv && len(s.Uses) > 0 {
			c.fail(s.Src, "env", "Reserved environment variable",
				fmt.Sprintf("%s uses caches or queues, so nbac sets %s to the mounted model (%s); remove it from env.", c.what(), schema.ModelPathEnv, schema.DefaultModelPath))
		}
	}
	seen := map[string]bool{}
	for _, se := range s.SecretEnv {
		where := fmt.Sprintf("secret_env %q of %s", se.Name, c.what())
		if !svcEnvName.MatchString(se.Name) {
			c.fail(se.Src, "", "Invalid environment variable name",
				fmt.Sprintf("The label of %s is not a portable environment variable name; use letters, digits and '_', not starting with a digit, e.g. \"DB_PASSWORD\".", where))
		}
		if seen[se.Name] {
			c.fail(se.Src, "", "Duplicate secret_env", fmt.Sprintf("%s is declared twice; keep one block.", where))
		}
		seen[se.Name] = true
		if _, ok := s.Env[se.Name]; ok {
			c.fail(se.Src, "", "Environment variable set twice",
				fmt.Sprintf("%s is also a key of env; a pod would see only one of them. Remove one.", where))
		}
		if se.Name == schema.ModelPathEnv && len(s.Uses) > 0 {
			c.fail(se.Src, "", "Reserved environment variable",
				fmt.Sprintf("nbac sets %s for services that use caches or queues; rename %s.", schema.ModelPathEnv, where))
		}
		if errs := validation.IsDNS1123Subdomain(se.Secret); len(errs) > 0 {
			c.fail(se.Src, "secret", "Invalid Secret name",
				fmt.Sprintf("secret %q in %s is not a Kubernetes Secret name: %s. Use lower-case letters, digits, '-' and '.', e.g. \"nba-db\".", se.Secret, where, strings.Join(errs, "; ")))
		}
		if errs := validation.IsConfigMapKey(se.Key); len(errs) > 0 {
			c.fail(se.Src, "key", "Invalid Secret key",
				fmt.Sprintf("key %q in %s is not a valid Secret key: %s. Use letters, digits, '-', '_' and '.'.", se.Key, where, strings.Join(errs, "; ")))
		}
	}
}

func (c *svcChecker) resources() {
	r := &c.svc.Resources
	src := r.Src
	if src.Empty() {
		src = c.svc.Src // no resources block written: point at the service
	}
	pair := func(attr, req, lim, example string) {
		rq, okReq := c.quantity(src, attr, "request", req, example)
		lq, okLim := c.quantity(src, attr, "limit", lim, example)
		if okReq && okLim && req != "" && lim != "" && rq.Cmp(lq) > 0 {
			c.fail(src, attr, "Request exceeds limit",
				fmt.Sprintf("The %s request (%s) of %s is larger than its limit (%s); Kubernetes rejects such a pod. Lower the request or raise the limit.", attr, req, c.what(), lim))
		}
	}
	pair("cpu", r.CPURequest, r.CPULimit, `"250m" or "2"`)
	pair("memory", r.MemoryRequest, r.MemoryLimit, `"512Mi" or "1Gi"`)
}

// quantity parses a Kubernetes quantity; "" means not set.
func (c *svcChecker) quantity(src schema.Source, attr, which, s, example string) (resource.Quantity, bool) {
	if s == "" {
		return resource.Quantity{}, true
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		c.fail(src, attr, "Invalid Kubernetes quantity",
			fmt.Sprintf("The %s %s %q of %s is not a Kubernetes quantity; write it like %s.", attr, which, s, c.what(), example))
		return q, false
	}
	if q.Sign() <= 0 {
		c.fail(src, attr, "Value out of range", fmt.Sprintf("The %s %s of %s must be greater than zero; got %q.", attr, which, c.what(), s))
		return q, false
	}
	return q, true
}

func (c *svcChecker) probes() {
	seen := map[string]bool{}
	for i := range c.svc.Probes {
		p := &c.svc.Probes[i]
		where := fmt.Sprintf("probe %q of %s", p.Kind, c.what())
		if !inSet(p.Kind, "liveness", "readiness", "startup") {
			c.fail(p.Src, "", "Invalid probe kind", fmt.Sprintf("The label of %s must be liveness, readiness or startup.", where))
		}
		if seen[p.Kind] {
			c.fail(p.Src, "", "Duplicate probe", fmt.Sprintf("%s is declared twice; keep one block per kind.", where))
		}
		seen[p.Kind] = true
		switch p.Type {
		case "", "http":
			if p.Type == "http" && p.Path == "" || p.Path != "" && !strings.HasPrefix(p.Path, "/") {
				c.fail(p.Src, "path", "Invalid probe path", fmt.Sprintf("An http %s needs a path starting with '/', e.g. path = \"/health\"; got %q.", where, p.Path))
			}
		case "tcp":
			if p.Path != "" || len(p.Command) > 0 {
				c.fail(p.Src, "type", "Conflicting probe settings", fmt.Sprintf("A tcp %s checks the port only; remove path and command, or change type.", where))
			}
		case "exec":
			if len(p.Command) == 0 {
				c.fail(p.Src, "command", "Missing probe command", fmt.Sprintf("An exec %s needs command, e.g. command = [\"/app/health\"].", where))
			}
		default:
			c.fail(p.Src, "type", "Invalid probe type", fmt.Sprintf("type of %s must be http, tcp or exec; got %q.", where, p.Type))
		}
		for _, d := range []struct {
			attr string
			v    schema.Duration
		}{{"period", p.Period}, {"timeout", p.Timeout}, {"initial_delay", p.InitialDelay}} {
			if d.v < 0 {
				c.fail(p.Src, d.attr, "Invalid duration", fmt.Sprintf("%s of %s must be a positive duration such as \"5s\"; got %s.", d.attr, where, d.v))
			}
		}
		if p.FailureThreshold < 0 {
			c.fail(p.Src, "failure_threshold", "Value out of range", fmt.Sprintf("failure_threshold of %s must be 1 or more; got %d.", where, p.FailureThreshold))
		}
	}
}

func (c *svcChecker) autoscale() {
	a := c.svc.Autoscale
	if a == nil {
		return
	}
	where := "autoscale of " + c.what()
	if a.Min < 0 || (a.Min == 0 && len(a.Queues) == 0) {
		c.fail(a.Src, "min", "Value out of range", fmt.Sprintf("min in %s is %d; an autoscaler on CPU or memory needs at least 1 replica, since nothing measures a service with no pods. Only a queue trigger can wake a service from zero: add a queue block, or use replicas = 0 without autoscale.", where, a.Min))
	}
	if a.Max < a.Min {
		c.fail(a.Src, "max", "Maximum below minimum", fmt.Sprintf("max (%d) in %s is below min (%d); raise max or lower min.", a.Max, where, a.Min))
	}
	for _, p := range []struct {
		attr string
		v    int
	}{{"cpu_percent", a.CPUPercent}, {"memory_percent", a.MemoryPercent}} {
		if p.v != 0 && (p.v < 1 || p.v > 100) {
			c.fail(a.Src, p.attr, "Value out of range", fmt.Sprintf("%s in %s is %d; it must be a percentage from 1 to 100.", p.attr, where, p.v))
		}
	}
	if a.CPUPercent == 0 && a.MemoryPercent == 0 && len(a.Queues) == 0 {
		c.fail(a.Src, "", "Missing autoscaling target", fmt.Sprintf("%s sets no target; add cpu_percent and/or memory_percent, e.g. cpu_percent = 70, or a queue block.", where))
	}
	c.queueTriggers(where)
}

func (c *svcChecker) ingress() {
	in := c.svc.Ingress
	if in == nil {
		return
	}
	where := "ingress of " + c.what()
	if in.Host == "" {
		c.fail(in.Src, "host", "Missing host", fmt.Sprintf("%s needs a host, e.g. host = \"api.example.com\".", where))
	} else if errs := ingressHostErrors(in.Host); len(errs) > 0 {
		c.fail(in.Src, "host", "Invalid host", fmt.Sprintf("host %q in %s is not a lower-case DNS name: %s. A wildcard is written \"*.example.com\".", in.Host, where, strings.Join(errs, "; ")))
	}
	if in.Path != "" {
		if errs := ingressPathErrors(in.Path); len(errs) > 0 {
			c.fail(in.Src, "path", "Invalid path", fmt.Sprintf("path %q in %s: %s (Kubernetes rules for a Prefix path).", in.Path, where, strings.Join(errs, "; ")))
		}
	}
	if !inSet(in.Class, "", "nginx", "alb") {
		c.fail(in.Src, "class", "Invalid value", fmt.Sprintf("class in %s must be \"nginx\" or \"alb\"; got %q.", where, in.Class))
	}
	if in.TLSSecret != "" {
		if errs := validation.IsDNS1123Subdomain(in.TLSSecret); len(errs) > 0 {
			c.fail(in.Src, "tls_secret", "Invalid Secret name", fmt.Sprintf("tls_secret %q in %s: %s.", in.TLSSecret, where, strings.Join(errs, "; ")))
		}
	}
	if in.Issuer != "" {
		if errs := validation.IsDNS1123Subdomain(in.Issuer); len(errs) > 0 {
			c.fail(in.Src, "issuer", "Invalid issuer name", fmt.Sprintf("issuer %q in %s is not a ClusterIssuer name: %s.", in.Issuer, where, strings.Join(errs, "; ")))
		}
	}
	if in.RateLimit < 0 {
		c.fail(in.Src, "rate_limit", "Value out of range", fmt.Sprintf("rate_limit in %s must be 0 (off) or more requests per second; got %d.", where, in.RateLimit))
	}
	if a := in.ALB; a != nil {
		if !inSet(a.Scheme, "", "internet-facing", "internal") {
			c.fail(a.Src, "scheme", "Invalid value", fmt.Sprintf("scheme in the alb block of %s must be internet-facing or internal; got %q.", where, a.Scheme))
		}
		if !inSet(a.TargetType, "", "ip", "instance") {
			c.fail(a.Src, "target_type", "Invalid value", fmt.Sprintf("target_type in the alb block of %s must be ip or instance; got %q.", where, a.TargetType))
		}
		if a.TargetType == "instance" && inSet(c.svc.Expose, "", "ClusterIP") && in.Class == "alb" {
			c.fail(a.Src, "target_type", "ALB instance mode needs a NodePort",
				fmt.Sprintf("An ALB in instance mode sends traffic to node ports, but %s is exposed as ClusterIP. Set expose = \"NodePort\" or target_type = \"ip\".", c.what()))
		}
		if a.CertificateARN != "" && !strings.HasPrefix(a.CertificateARN, "arn:") {
			c.fail(a.Src, "certificate_arn", "Invalid certificate ARN", fmt.Sprintf("certificate_arn in %s must be an ACM ARN such as \"arn:aws:acm:eu-west-1:123456789012:certificate/...\"; got %q.", where, a.CertificateARN))
		}
	}
}

func (c *svcChecker) uses() {
	for _, u := range c.svc.Uses {
		var found bool
		switch u.Kind {
		case "cache":
			found = c.m.Cache(u.Name) != nil
		case "queue":
			found = c.m.Queue(u.Name) != nil
		default:
			c.fail(c.svc.Src, "uses", "Invalid reference", fmt.Sprintf("uses of %s may name caches and queues only; got %s.", c.what(), u))
			continue
		}
		if !found {
			c.fail(c.svc.Src, "uses", "Reference to an undeclared block", fmt.Sprintf("uses of %s names %s, which is not declared. Declare %s or remove it from uses.", c.what(), u, schema.Describe(u.Kind, u.Name)))
		}
	}
}
