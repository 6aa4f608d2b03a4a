package lang

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/nbac/nbac/schema"
)

var serviceSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "image", Required: true},
		{Name: "port"},
		{Name: "expose"},
		{Name: "replicas"},
		{Name: "command"},
		{Name: "args"},
		{Name: "env"},
		{Name: "labels"},
		{Name: "annotations"},
		{Name: "network_policy"},
		{Name: "uses"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "secret_env", LabelNames: []string{"name"}},
		{Type: "resources"},
		{Type: "probe", LabelNames: []string{"kind"}},
		{Type: "autoscale"},
		{Type: "ingress"},
		{Type: "metrics"},
		{Type: "route"},
	},
}

// Service defaults (documented in docs/language.md).
const (
	defaultPort          = 8080
	defaultCPURequest    = "100m"
	defaultMemoryRequest = "128Mi"
	maxReplicas          = 1000
)

func (l *loader) lowerService(blk *hcl.Block) (schema.Service, bool) {
	s := schema.Service{Name: blk.Labels[0]}
	s.Src.Block = blk.DefRange
	b, ok := l.open(blk.Body, serviceSchema, &s.Src, schema.Describe("service", s.Name))
	if !ok {
		return s, false
	}
	s.Image = b.str("image", "")
	s.Port = b.integer("port", defaultPort, 1, 65535)
	s.Expose = b.enum("expose", "ClusterIP", "ClusterIP", "NodePort", "LoadBalancer")
	s.Replicas = b.integer("replicas", 1, 0, maxReplicas)
	s.Command = b.strings("command")
	s.Args = b.strings("args")
	s.Env = b.stringMap("env")
	b.warnSecretLikeEnv(s.Env, s.Name)
	s.Labels = b.stringMap("labels")
	s.Annotations = b.stringMap("annotations")
	s.NetworkPolicy = b.boolean("network_policy", false)
	s.Uses = b.refs("uses", "cache", "queue")

	for _, se := range b.labeled("secret_env") {
		s.SecretEnv = append(s.SecretEnv, l.lowerSecretEnv(se, s.Name))
	}
	sortByName(s.SecretEnv, func(e schema.SecretEnv) string { return e.Name })
	s.Resources = l.lowerResources(b.single("resources"), s.Name, blk.DefRange)
	for _, pb := range b.labeled("probe") {
		if p, ok := l.lowerProbe(pb, s.Name); ok {
			s.Probes = append(s.Probes, p)
		}
	}
	sortByName(s.Probes, func(p schema.Probe) string { return p.Kind })
	if ab := b.single("autoscale"); ab != nil {
		s.Autoscale = l.lowerAutoscale(ab, s.Name)
	}
	if ib := b.single("ingress"); ib != nil {
		s.Ingress = l.lowerIngress(ib, s.Name)
	}
	s.Metrics = l.lowerMetrics(b.single("metrics"), s.Name)
	if rb := b.single("route"); rb != nil {
		s.Route = l.lowerRoute(rb, s.Name)
	}
	return s, true
}

var secretEnvSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "secret", Required: true},
	{Name: "key", Required: true},
}}

func (l *loader) lowerSecretEnv(blk *hcl.Block, svc string) schema.SecretEnv {
	e := schema.SecretEnv{Name: blk.Labels[0]}
	e.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, secretEnvSchema, &e.Src, fmt.Sprintf("secret_env %q of service %q", e.Name, svc))
	e.Secret = b.str("secret", "")
	e.Key = b.str("key", "")
	return e
}

var resourcesSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "cpu"},
	{Name: "memory"},
}}

// lowerResources reads `resources { cpu = {request, limit}, memory = {...} }`.
// Without it (or a part of it) the defaults apply: CPU request 100m, no CPU
// limit (throttling hurts latency more than it protects neighbours), memory
// request 128Mi, memory limit equal to the memory request.
func (l *loader) lowerResources(blk *hcl.Block, svc string, def hcl.Range) schema.Resources {
	r := schema.Resources{CPURequest: defaultCPURequest, MemoryRequest: defaultMemoryRequest}
	r.Src.Block = def
	if blk != nil {
		r.Src.Block = blk.DefRange
		b, _ := l.open(blk.Body, resourcesSchema, &r.Src, fmt.Sprintf("resources of service %q", svc))
		// A limit written alone is also the request (as Kubernetes itself
		// defaults it): the default request could exceed a small limit.
		if req, lim, ok := b.requestLimit("cpu"); ok {
			r.CPURequest, r.CPULimit = orDefault(req, orDefault(lim, defaultCPURequest)), lim
		}
		if req, lim, ok := b.requestLimit("memory"); ok {
			r.MemoryRequest, r.MemoryLimit = orDefault(req, orDefault(lim, defaultMemoryRequest)), lim
		}
	}
	if r.MemoryLimit == "" {
		r.MemoryLimit = r.MemoryRequest
	}
	return r
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// requestLimit reads `name = { request = Q, limit = Q }` and checks that the
// request does not exceed the limit.
func (b *body) requestLimit(name string) (req, lim string, ok bool) {
	v, a, ok := b.value(name)
	if !ok {
		return "", "", false
	}
	if !v.Type().IsObjectType() && !v.Type().IsMapType() {
		b.typeError(a, `an object such as { request = "250m", limit = "1" }`, nil)
		return "", "", false
	}
	keys := []string{"request", "limit"}
	out := map[string]string{}
	for k, e := range v.AsValueMap() {
		if k != "request" && k != "limit" {
			b.errorAt(a.Expr.Range(), "Unsupported argument",
				fmt.Sprintf("%s in %s takes request and limit; %q is not one of them.%s", name, b.what, k, didYouMean(k, keys)))
			return "", "", false
		}
		if e.IsNull() {
			continue
		}
		s, err := convert.Convert(e, cty.String)
		if err != nil {
			b.typeError(a, "quantities written as strings, e.g. \"512Mi\"", err)
			return "", "", false
		}
		q, ok := b.quantity(a, name+"."+k, s.AsString())
		if !ok {
			return "", "", false
		}
		out[k] = q
	}
	if out["request"] != "" && out["limit"] != "" {
		rq, lq := resource.MustParse(out["request"]), resource.MustParse(out["limit"])
		if rq.Cmp(lq) > 0 {
			b.errorAt(a.Expr.Range(), "Request exceeds limit",
				fmt.Sprintf("%s in %s requests %s but is limited to %s; Kubernetes rejects a request above its limit.", name, b.what, out["request"], out["limit"]))
			return "", "", false
		}
	}
	return out["request"], out["limit"], true
}

var probeSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "type"}, {Name: "path"}, {Name: "command"}, {Name: "period"},
	{Name: "timeout"}, {Name: "initial_delay"}, {Name: "failure_threshold"},
}}

var probeKinds = []string{"liveness", "readiness", "startup"}

func (l *loader) lowerProbe(blk *hcl.Block, svc string) (schema.Probe, bool) {
	p := schema.Probe{Kind: blk.Labels[0]}
	p.Src.Block = blk.DefRange
	if !contains(probeKinds, p.Kind) {
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid probe kind",
			Detail:  fmt.Sprintf("A probe is one of %q; got %q.%s", probeKinds, p.Kind, didYouMean(p.Kind, probeKinds)),
			Subject: blk.LabelRanges[0].Ptr()})
		return p, false
	}
	b, _ := l.open(blk.Body, probeSchema, &p.Src, fmt.Sprintf("probe %q of service %q", p.Kind, svc))
	reported := len(b.l.diags)
	p.Command = b.strings("command")
	defType := "http"
	if a := b.c.Attributes["command"]; a != nil {
		defType = "exec" // command = [] is an exec probe without a program, not an http probe
		if len(p.Command) == 0 && len(b.l.diags) == reported {
			b.errorAt(a.Expr.Range(), "Missing probe command", fmt.Sprintf("command of %s is empty; write the program and its arguments, e.g. command = [\"/app/health\"], or remove command for an http probe.", b.what))
		}
	}
	p.Type = b.enum("type", defType, "http", "tcp", "exec")
	switch p.Type {
	case "http":
		p.Path = b.str("path", "/health")
		if len(p.Path) == 0 || p.Path[0] != '/' {
			b.errorAt(*p.Src.Range("path"), "Invalid probe path", fmt.Sprintf("The path of %s must start with \"/\"; got %q.", b.what, p.Path))
		}
	case "exec":
		if b.c.Attributes["command"] == nil {
			b.errorAt(blk.DefRange, "Missing probe command", fmt.Sprintf("%s has type \"exec\" and needs command = [\"program\", \"arg\"].", b.what))
		}
	}
	if p.Type != "http" && b.c.Attributes["path"] != nil {
		b.errorAt(b.c.Attributes["path"].Expr.Range(), "Path needs an http probe", fmt.Sprintf("path applies only to http probes; %s is a %s probe.", b.what, p.Type))
	}
	if p.Type != "exec" && len(p.Command) > 0 {
		b.errorAt(b.c.Attributes["command"].Expr.Range(), "Command needs an exec probe", fmt.Sprintf("command applies only to exec probes; %s is a %s probe.", b.what, p.Type))
	}
	d := probeDefaults[p.Kind]
	p.Period = b.duration("period", d.period, time.Second)
	p.Timeout = b.duration("timeout", d.timeout, time.Second)
	p.InitialDelay = b.duration("initial_delay", 0, 0)
	p.FailureThreshold = b.integer("failure_threshold", d.failureThreshold, 1, 100)
	return p, true
}

// probeDefaults are per kind, and the same as the Kubernetes emitter's for
// an unwritten probe: liveness is deliberately slow to fire (two minutes of
// failures), because a wrong restart hurts more than a late one; startup
// allows 150s for a slow boot before liveness takes over.
var probeDefaults = map[string]struct {
	period, timeout  time.Duration
	failureThreshold int
}{
	"readiness": {5 * time.Second, 2 * time.Second, 3},
	"liveness":  {20 * time.Second, 5 * time.Second, 6},
	"startup":   {5 * time.Second, 2 * time.Second, 30},
}

var autoscaleSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "min"}, {Name: "max", Required: true}, {Name: "cpu_percent"}, {Name: "memory_percent"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "queue"}},
}

func (l *loader) lowerAutoscale(blk *hcl.Block, svc string) *schema.Autoscale {
	a := &schema.Autoscale{}
	a.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, autoscaleSchema, &a.Src, fmt.Sprintf("autoscale of service %q", svc))
	// min = 0 parses here; validate decides whether the triggers can wake
	// the service from zero (only queue triggers can).
	a.Min = b.integer("min", 1, 0, maxReplicas)
	a.Max = b.integer("max", max(a.Min, 1), 1, maxReplicas)
	a.CPUPercent = b.integer("cpu_percent", 0, 1, 100)
	a.MemoryPercent = b.integer("memory_percent", 0, 1, 100)
	a.Queues = l.lowerQueueTriggers(b, svc)
	if b.c.Attributes["cpu_percent"] == nil && b.c.Attributes["memory_percent"] == nil && len(a.Queues) == 0 {
		a.CPUPercent = 80
	}
	if a.Min > a.Max {
		b.errorAt(*a.Src.Range("min"), "Autoscale minimum above maximum",
			fmt.Sprintf("%s has min = %d and max = %d; min must not exceed max.", b.what, a.Min, a.Max))
	}
	return a
}

var ingressSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "host", Required: true}, {Name: "path"}, {Name: "class"}, {Name: "tls"},
		{Name: "tls_secret"}, {Name: "issuer"}, {Name: "rate_limit"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "alb"}},
}

var albSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "scheme"}, {Name: "target_type"}, {Name: "certificate_arn"}, {Name: "ssl_policy"},
}}

func (l *loader) lowerIngress(blk *hcl.Block, svc string) *schema.Ingress {
	in := &schema.Ingress{}
	in.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, ingressSchema, &in.Src, fmt.Sprintf("ingress of service %q", svc))
	in.Host = b.str("host", "")
	in.Path = b.str("path", "/")
	if len(in.Path) == 0 || in.Path[0] != '/' {
		b.errorAt(*in.Src.Range("path"), "Invalid ingress path", fmt.Sprintf("The path of %s must start with \"/\"; got %q.", b.what, in.Path))
	}
	in.Class = b.enum("class", "nginx", "nginx", "alb")
	in.TLS, in.TLSSecret = b.tls(svc)
	in.Issuer = b.str("issuer", "")
	in.RateLimit = b.integer("rate_limit", 0, 0, 1000000)
	if ab := b.single("alb"); ab != nil {
		if in.Class != "alb" {
			b.errorAt(ab.DefRange, "ALB settings need class \"alb\"",
				fmt.Sprintf("%s has an alb block but class %q; set class = \"alb\" or remove the block.", b.what, in.Class))
		}
		in.ALB = l.lowerALB(ab, svc)
	} else if in.Class == "alb" {
		in.ALB = &schema.ALB{Scheme: "internet-facing", TargetType: "ip"}
		in.ALB.Src.Block = blk.DefRange
	}
	return in
}

func (l *loader) lowerALB(blk *hcl.Block, svc string) *schema.ALB {
	a := &schema.ALB{}
	a.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, albSchema, &a.Src, fmt.Sprintf("alb settings of service %q", svc))
	a.Scheme = b.enum("scheme", "internet-facing", "internet-facing", "internal")
	a.TargetType = b.enum("target_type", "ip", "ip", "instance")
	a.CertificateARN = b.str("certificate_arn", "")
	a.SSLPolicy = b.str("ssl_policy", "")
	return a
}
