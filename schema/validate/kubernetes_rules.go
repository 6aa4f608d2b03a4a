package validate

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	netutils "k8s.io/utils/net"

	"github.com/nbac/nbac/schema"
)

// The Kubernetes API server's create-path rules for the fields nbac fills
// from a service block, where k8s.io/apimachinery has no helper to call.
// Each mirrors the named upstream check of k8s.io/kubernetes v1.33
// (pkg/apis/*/validation); docs/kubernetes.md lists the classes, and the
// conformance/kubernetes module runs the upstream code over nbac's output
// to prove the two agree.

// maxConfigMapData is the most a ConfigMap's values may hold together
// (core.MaxSecretSize, checked by ValidateConfigMap).
const maxConfigMapData = 1 << 20

// ingressFixedAnnotationBytes bounds the keys and values of the Ingress
// annotations nbac writes itself (scheme, target-type, listen-ports,
// ssl-redirect, limit-rps and the keys of the free-text ones), so that the
// free text a user writes can be checked against the 256 KiB total.
const ingressFixedAnnotationBytes = 1024

// ingressInvalidPathSequences and ingressInvalidPathSuffixes are what
// networking validation refuses in a Prefix or Exact path (nbac writes
// pathType Prefix).
var (
	ingressInvalidPathSequences = []string{"//", "/./", "/../", "%2f", "%2F"}
	ingressInvalidPathSuffixes  = []string{"/..", "/."}
)

// ingressHostErrors is validateIngressRules' check of a rule host (and
// validateIngressTLS's of a TLS host): a DNS name, never an IP address; a
// host with '*' anywhere must be a wildcard subdomain ("*.example.com").
func ingressHostErrors(host string) []string {
	var errs []string
	if netutils.ParseIPSloppy(host) != nil {
		errs = append(errs, "must be a DNS name, not an IP address")
	}
	if strings.Contains(host, "*") {
		return append(errs, validation.IsWildcardDNS1123Subdomain(host)...)
	}
	return append(errs, validation.IsDNS1123Subdomain(host)...)
}

// ingressPathErrors is validateHTTPIngressPath's check of a Prefix path.
func ingressPathErrors(p string) []string {
	var errs []string
	if !strings.HasPrefix(p, "/") {
		errs = append(errs, "must be an absolute path (start with '/')")
	}
	for _, s := range ingressInvalidPathSequences {
		if strings.Contains(p, s) {
			errs = append(errs, fmt.Sprintf("must not contain '%s'", s))
		}
	}
	for _, s := range ingressInvalidPathSuffixes {
		if strings.HasSuffix(p, s) {
			errs = append(errs, fmt.Sprintf("cannot end with '%s'", s))
		}
	}
	return errs
}

// probeSeconds is what the emitter writes into a probe's int32 seconds
// fields: the duration rounded up to whole seconds.
func probeSeconds(d schema.Duration) int64 {
	return int64((d.D() + time.Second - 1) / time.Second)
}

// kubernetesRules checks the service's values against the API server's
// rules that the other checks of svcChecker do not already cover.
func (c *svcChecker) kubernetesRules() {
	s := c.svc
	// containers[0].image: required, and no surrounding white space.
	switch {
	case s.Image == "":
		c.fail(s.Src, "image", "Missing image", fmt.Sprintf("image of %s is empty; Kubernetes requires a container image, e.g. image = \"registry.example.com/api:1.0.0\".", c.what()))
	case strings.TrimSpace(s.Image) != s.Image:
		c.fail(s.Src, "image", "Invalid image", fmt.Sprintf("image %q of %s has leading or trailing white space, which Kubernetes rejects; remove it.", s.Image, c.what()))
	}
	// The pod template's annotations are the service's, as written.
	if err := apivalidation.ValidateAnnotationsSize(s.Annotations); err != nil {
		c.fail(s.Src, "annotations", "Annotations too large",
			fmt.Sprintf("The annotations of %s total more than Kubernetes allows on one object (%s); keep large data out of annotations, e.g. in a ConfigMap.", c.what(), err))
	}
	// The env ConfigMap holds env: its keys are ConfigMap keys (at most
	// 253 characters, which the C identifiers svcEnvName allows are not
	// otherwise limited to), its values at most 1 MiB together.
	total := 0
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		total += len(s.Env[k])
		if !svcEnvName.MatchString(k) {
			continue // reported by env()
		}
		if errs := validation.IsConfigMapKey(k); len(errs) > 0 {
			c.fail(s.Src, "env", "Invalid environment variable name",
				fmt.Sprintf("%.40q... in env of %s becomes a key of a ConfigMap: %s.", k, c.what(), strings.Join(errs, "; ")))
		}
	}
	if total > maxConfigMapData {
		c.fail(s.Src, "env", "Environment too large",
			fmt.Sprintf("The values of env of %s total %d bytes; they become one ConfigMap, and Kubernetes limits a ConfigMap's data to %d bytes (1 MiB). Mount large data from a volume instead.", c.what(), total, maxConfigMapData))
	}
	for i := range s.Probes {
		c.probeRules(&s.Probes[i])
	}
	c.ingressAnnotationSize()
}

func (c *svcChecker) probeRules(p *schema.Probe) {
	where := fmt.Sprintf("probe %q of %s", p.Kind, c.what())
	for _, d := range []struct {
		attr string
		v    schema.Duration
	}{{"period", p.Period}, {"timeout", p.Timeout}, {"initial_delay", p.InitialDelay}} {
		if secs := probeSeconds(d.v); secs > math.MaxInt32 {
			c.fail(p.Src, d.attr, "Duration too long",
				fmt.Sprintf("%s of %s is %s, %d whole seconds; Kubernetes stores it in a 32-bit field, so it must be at most %d seconds (about 68 years).", d.attr, where, d.v, secs, math.MaxInt32))
		}
	}
}

// ingressAnnotationSize checks the free text nbac copies into Ingress
// annotations against the 256 KiB an object's annotations may total.
func (c *svcChecker) ingressAnnotationSize() {
	in := c.svc.Ingress
	if in == nil {
		return
	}
	// What the emitter copies: the issuer for nginx with TLS; the
	// certificate, policy and readiness path (healthcheck-path) for alb.
	parts := map[string]int{}
	switch {
	case in.Class == "alb":
		if in.ALB != nil {
			parts["certificate_arn"] = len(in.ALB.CertificateARN)
			parts["ssl_policy"] = len(in.ALB.SSLPolicy)
		}
		for _, p := range c.svc.Probes {
			if p.Kind == "readiness" {
				parts["probe path"] = len(p.Path)
			}
		}
	case in.TLS:
		parts["issuer"] = len(in.Issuer)
	}
	total := ingressFixedAnnotationBytes
	for _, n := range parts {
		total += n
	}
	if total <= apivalidation.TotalAnnotationSizeLimitB {
		return
	}
	largest := slices.MaxFunc(slices.Sorted(maps.Keys(parts)), func(a, b string) int { return parts[a] - parts[b] })
	src, attr := in.Src, largest
	switch largest {
	case "certificate_arn", "ssl_policy":
		src = in.ALB.Src
	case "probe path":
		attr = "path"
		for _, p := range c.svc.Probes {
			if p.Kind == "readiness" {
				src = p.Src
			}
		}
	}
	c.fail(src, attr, "Annotations too large",
		fmt.Sprintf("The ingress of %s would carry about %d bytes of annotations (%s is %d bytes); Kubernetes allows %d on one object. Shorten it.", c.what(), total, largest, parts[largest], apivalidation.TotalAnnotationSizeLimitB))
}
