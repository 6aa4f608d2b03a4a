package kubernetes

import (
	"sort"
	"strconv"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/nbac/nbac/importer"
)

// Service is one nbac service block being built from a Deployment.
type Service struct {
	Name          string
	Image         string
	Port          int // 0: nbac's default (8080)
	Expose        string
	Replicas      int // -1: not written
	Command, Args []string
	Env           map[string]string
	Labels        map[string]string
	Annotations   map[string]string
	NetworkPolicy bool
	SecretEnv     []SecretEnv
	CPU, Memory   Quantities
	Probes        map[string]*Probe // by kind
	Autoscale     *Autoscale
	Ingress       *Ingress
	Route         *Route

	deploy *Object
	svc    *Object // its Service object, if any
	// podLabels are the original pod template labels, for selectors.
	podLabels map[string]string
	// containerPort is the original container port (number and name) the
	// Service, probes and policies refer to.
	portNumber int32
	portName   string
}

// SecretEnv is a secret_env block.
type SecretEnv struct{ Name, Secret, Key string }

// Quantities are a request and a limit ("" when unset).
type Quantities struct{ Request, Limit string }

// Probe is a probe block; zero numbers are not written.
type Probe struct {
	Type, Path                                      string
	Command                                         []string
	Period, Timeout, InitialDelay, FailureThreshold int32
}

// Autoscale is an autoscale block.
type Autoscale struct{ Min, Max, CPU, Memory int32 }

// Ingress is an ingress block.
type Ingress struct {
	Host, Path, Class, TLSSecret, Issuer string
	TLS                                  bool
	RateLimit                            int
	ALB                                  map[string]string // scheme, target_type, certificate_arn, ssl_policy
}

// writeHCL puts the project block in project.hcl and the services, sorted
// by name, in services.hcl.
func writeHCL(e *Estate) {
	pb := e.Result.File("project.hcl").Body().AppendNewBlock("project", []string{e.Project}).Body()
	if e.Namespace != e.Project {
		pb.SetAttributeValue("namespace", cty.StringVal(e.Namespace))
	}
	svcs := append([]*Service(nil), e.Services...)
	sort.Slice(svcs, func(i, j int) bool { return svcs[i].Name < svcs[j].Name })
	writeGateways(e)
	body := e.Result.File("services.hcl").Body()
	for i, s := range svcs {
		if i > 0 {
			body.AppendNewline()
		}
		writeService(body.AppendNewBlock("service", []string{s.Name}).Body(), s)
	}
}

func writeService(b *hclwrite.Body, s *Service) {
	b.SetAttributeValue("image", cty.StringVal(s.Image))
	if s.Port != 0 && s.Port != 8080 {
		b.SetAttributeValue("port", cty.NumberIntVal(int64(s.Port)))
	}
	if s.Expose != "" && s.Expose != "ClusterIP" {
		b.SetAttributeValue("expose", cty.StringVal(s.Expose))
	}
	if s.Replicas >= 0 && s.Replicas != 1 && s.Autoscale == nil {
		b.SetAttributeValue("replicas", cty.NumberIntVal(int64(s.Replicas)))
	}
	importer.SetStrings(b, "command", s.Command)
	importer.SetStrings(b, "args", s.Args)
	importer.SetStringMap(b, "env", s.Env)
	importer.SetStringMap(b, "labels", s.Labels)
	importer.SetStringMap(b, "annotations", s.Annotations)
	if s.NetworkPolicy {
		b.SetAttributeValue("network_policy", cty.True)
	}
	for _, se := range s.SecretEnv {
		sb := nested(b, "secret_env", se.Name)
		sb.SetAttributeValue("secret", cty.StringVal(se.Secret))
		sb.SetAttributeValue("key", cty.StringVal(se.Key))
	}
	if s.CPU != (Quantities{}) || s.Memory != (Quantities{}) {
		rb := nested(b, "resources")
		setQuantities(rb, "cpu", s.CPU)
		setQuantities(rb, "memory", s.Memory)
	}
	for _, kind := range []string{"liveness", "readiness", "startup"} {
		p := s.Probes[kind]
		if p == nil {
			continue
		}
		pb := nested(b, "probe", kind)
		if p.Type == "tcp" {
			pb.SetAttributeValue("type", cty.StringVal("tcp"))
		}
		if p.Type == "http" {
			pb.SetAttributeValue("path", cty.StringVal(p.Path))
		}
		if p.Type == "exec" {
			importer.SetStrings(pb, "command", p.Command)
		}
		setSeconds(pb, "period", p.Period)
		setSeconds(pb, "timeout", p.Timeout)
		setSeconds(pb, "initial_delay", p.InitialDelay)
		if p.FailureThreshold > 0 {
			pb.SetAttributeValue("failure_threshold", cty.NumberIntVal(int64(p.FailureThreshold)))
		}
	}
	if a := s.Autoscale; a != nil {
		ab := nested(b, "autoscale")
		ab.SetAttributeValue("min", cty.NumberIntVal(int64(a.Min)))
		ab.SetAttributeValue("max", cty.NumberIntVal(int64(a.Max)))
		if a.CPU > 0 {
			ab.SetAttributeValue("cpu_percent", cty.NumberIntVal(int64(a.CPU)))
		}
		if a.Memory > 0 {
			ab.SetAttributeValue("memory_percent", cty.NumberIntVal(int64(a.Memory)))
		}
	}
	if in := s.Ingress; in != nil {
		ib := nested(b, "ingress")
		ib.SetAttributeValue("host", cty.StringVal(in.Host))
		if in.Path != "" && in.Path != "/" {
			ib.SetAttributeValue("path", cty.StringVal(in.Path))
		}
		if in.Class != "" && in.Class != "nginx" {
			ib.SetAttributeValue("class", cty.StringVal(in.Class))
		}
		if in.TLS {
			ib.SetAttributeValue("tls", cty.True)
			if in.TLSSecret != "" && in.TLSSecret != s.Name+"-tls" {
				ib.SetAttributeValue("tls_secret", cty.StringVal(in.TLSSecret))
			}
		}
		if in.Issuer != "" {
			ib.SetAttributeValue("issuer", cty.StringVal(in.Issuer))
		}
		if in.RateLimit > 0 {
			ib.SetAttributeValue("rate_limit", cty.NumberIntVal(int64(in.RateLimit)))
		}
		if len(in.ALB) > 0 {
			ab := nested(ib, "alb")
			for _, k := range sortedKeys(in.ALB) {
				ab.SetAttributeValue(k, cty.StringVal(in.ALB[k]))
			}
		}
	}
	writeRoute(b, s)
}

// nested appends a blank line and a nested block, which is how nbac's
// examples separate a service's attributes from its blocks.
func nested(b *hclwrite.Body, typ string, labels ...string) *hclwrite.Body {
	b.AppendNewline()
	return b.AppendNewBlock(typ, labels).Body()
}

func setQuantities(b *hclwrite.Body, name string, q Quantities) {
	vals := map[string]cty.Value{}
	if q.Request != "" {
		vals["request"] = cty.StringVal(q.Request)
	}
	if q.Limit != "" {
		vals["limit"] = cty.StringVal(q.Limit)
	}
	if len(vals) > 0 {
		b.SetAttributeValue(name, cty.ObjectVal(vals))
	}
}

func setSeconds(b *hclwrite.Body, name string, s int32) {
	if s > 0 {
		b.SetAttributeValue(name, cty.StringVal(strconv.Itoa(int(s))+"s"))
	}
}
