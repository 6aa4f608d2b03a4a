package kubernetes

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
)

// A slot is one place in the HCL that reaches a Kubernetes field: an
// attribute ("service.port") or a block label ("service.@label").
// A case overrides some slots with HCL expressions; every other slot keeps
// the base configuration's value, which nbac and the API server accept.

// blocks lists the HCL blocks a case can contain, parents first; a nested
// block is written only when one of its slots is set.
var blocks = []struct{ name, parent, header string }{
	{"project", "", "project"},
	{"service", "", "service"},
	{"secret_env", "service", "secret_env"},
	{"resources", "service", "resources"},
	{"probe", "service", "probe"},
	{"autoscale", "service", "autoscale"},
	{"ingress", "service", "ingress"},
	{"alb", "ingress", "alb"},
}

// base holds the slots every case starts from, and the slots a nested
// block needs once it is written at all (a secret_env needs secret and key).
var base = map[string]string{
	"project.@label":    q("p"),
	"project.namespace": q("ns"),
	"service.@label":    q("api"),
	"service.image":     q("nginx:1"),
}

var needs = map[string]map[string]string{
	"secret_env": {"secret_env.@label": q("DB_PASSWORD"), "secret_env.secret": q("db"), "secret_env.key": q("password")},
	"probe":      {"probe.@label": q("readiness")},
	"autoscale":  {"autoscale.max": "3"},
	"ingress":    {"ingress.host": q("api.example.com")},
	"alb":        {"ingress.class": q("alb")},
}

// Case is one generated configuration.
type Case struct {
	Set map[string]string // slot -> HCL expression
}

func (c Case) String() string {
	keys := slices.Sorted(mapKeys(c.Set))
	var b strings.Builder
	for _, k := range keys {
		v := c.Set[k]
		if len(v) > 80 {
			v = fmt.Sprintf("%s...(%d bytes)", v[:60], len(v))
		}
		fmt.Fprintf(&b, "%s=%s ", k, v)
	}
	return strings.TrimSpace(b.String())
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Render writes the case as HCL and returns, for each slot it wrote, the
// 1-based line it is on, so a diagnostic's location can be checked.
func (c Case) Render() (string, map[string]int) {
	set := map[string]string{}
	for k, v := range base {
		set[k] = v
	}
	written := map[string]bool{"project": true, "service": true}
	for k := range c.Set {
		written[blockOf(k)] = true
	}
	for _, b := range slices.Backward(blocks) { // a nested block writes its parents
		if written[b.name] && b.parent != "" {
			written[b.parent] = true
		}
	}
	for blk := range written {
		for k, v := range needs[blk] {
			set[k] = v
		}
	}
	for k, v := range c.Set {
		set[k] = v
	}
	var out strings.Builder
	line := 1
	lines := map[string]int{}
	emit := func(s string) {
		out.WriteString(s)
		out.WriteByte('\n')
		line += 1 + strings.Count(s, "\n")
	}
	var write func(parent string, depth int)
	write = func(parent string, depth int) {
		for _, b := range blocks {
			if b.parent != parent || !written[b.name] {
				continue
			}
			ind := strings.Repeat("  ", depth)
			header := ind + b.header
			if l, ok := set[b.name+".@label"]; ok {
				header += " " + l
				lines[b.name+".@label"] = line
			}
			emit(header + " {")
			for _, k := range slices.Sorted(mapKeys(set)) {
				if blockOf(k) != b.name || strings.HasSuffix(k, ".@label") {
					continue
				}
				lines[k] = line
				emit(fmt.Sprintf("%s  %s = %s", ind, strings.TrimPrefix(k, b.name+"."), set[k]))
			}
			write(b.name, depth+1)
			emit(ind + "}")
		}
	}
	write("", 0)
	return out.String(), lines
}

func blockOf(slot string) string { b, _, _ := strings.Cut(slot, "."); return b }

// q writes s as an HCL string literal: quotes, backslashes and control
// characters escaped, and template sequences ("${", "%{") doubled so the
// string arrives as written.
func q(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		case (r == '$' || r == '%') && i+1 < len(s) && s[i+1] == '{':
			b.WriteRune(r)
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func qs(vals ...string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = q(v)
	}
	return out
}

func list(vals ...string) string { return "[" + strings.Join(qs(vals...), ", ") + "]" }

func obj(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, q(kv[i])+" = "+q(kv[i+1]))
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// Boundary values. Lengths straddle the API's limits: 63 (DNS label,
// label name and value), 253 (DNS subdomain, ConfigMap key), 256 KiB
// (all annotations of an object), 1 MiB (a ConfigMap's data).
var (
	a63, a64   = strings.Repeat("a", 63), strings.Repeat("a", 64)
	sub253     = strings.Repeat(a63+".", 3) + strings.Repeat("b", 61) // 253
	sub254     = sub253 + "c"
	dnsNames   = []string{"a", "db", a63, a64, sub253, sub254, "A", "Db", "a_b", "-a", "a-", "1a", "a.b", "a..b", "", " a", "a b", "café", "a/b", "*", "1.2.3.4"}
	labelNames = []string{"a", "a-b", a63, a64, "A", "1a", "-a", "a-", "a.b", "a_b", "", "café", "Api"}
	envNames   = []string{"A", "a", "_", "A_1", "1A", "A-B", "A.B", "", "A B", "A=B", strings.Repeat("A", 253), strings.Repeat("A", 254), "NBAC_MODEL", "é"}
	labelKeys  = []string{"tier", "example.com/tier", a63, a64, sub253 + "/x", sub254 + "/x", "example.com/" + a63, "example.com/" + a64,
		"a/b/c", "", "/x", "x/", "Example.com/x", "-x", "x_", "x y", "app.kubernetes.io/component", "app.kubernetes.io/name", "kubernetes.io/x", "k8s.io/x", "X"}
	labelValues = []string{"", "v", a63, a64, "-v", "v-", "v_1", "v.1", "a b", "V", "é", "a/b"}
	quantities  = []string{"1", "0", "0.5", "1e3", "1E3", "-1", "100m", "1m", "0.0001", "0.1m", "1u", "1n", "1Mi", "1.5Gi", "1e100", "9223372036854775807", "9223372036854775808",
		"99999999999999999999Ei", "abc", "", " 1", "1 ", "1Kb", "1k", "1K", "+1", ".5", "5.", "0x10", "1e-3", "1Mi1"}
	durations = []string{"0s", "1ns", "999ms", "1s", "1.5s", "1m", "2147483647s", "2147483648s", "596523h", "596524h", "2562047h", "-1s", "1h", "0.5s", "abc", "5"}
	ints      = []string{"-2147483649", "-1", "0", "1", "2", "3", "100", "101", "1000", "1001", "65535", "65536", "2147483647", "2147483648", "1.5", "\"7\"", "1e3"}
	hosts     = []string{"api.example.com", "1.2.3.4", "10.0.0.1", "01.02.03.04", "1.2.3", "1.2.3.4.5", "::1", "2001:db8::1", "[::1]", "*.example.com", "*", "*.*.example.com",
		"a.*.com", "*example.com", "API.example.com", "localhost", sub253, sub254, "", "a_b.com", "example.com.", ".example.com", "ex ample.com", "example.com:80", "xn--bcher-kva.example", "1.2.3.4:80", "0x7f.1"}
	paths = []string{"/", "", "x", "//", "/a//b", "/./", "/a/./b", "/../", "/a/../b", "/..", "/a/..", "/.", "/a/.", "/%2f", "/%2F", "/a%2fb", "/a b", "/*", "/a?b", "/a#b",
		"/" + strings.Repeat("p", 3000), "/é", "/a/", "/...", "/.a"}
	huge = func(n int) string { return strings.Repeat("x", n) }
)

// domains maps every slot that reaches a Kubernetes field to its boundary
// values (HCL expressions). Built once: the size boundaries are megabytes.
var domains = sync.OnceValue(buildDomains)

func buildDomains() map[string][]string {
	d := map[string][]string{
		"project.@label":           qs(append(labelValues, "p", "nba")...),
		"project.namespace":        qs(append(dnsNames, "default", "kube-system", a63)...),
		"project.labels":           nil,
		"service.@label":           qs(append(labelNames, "api-1", "a1", sub253, "1.2.3.4")...),
		"service.image":            qs("nginx:1", "", " nginx:1", "nginx:1 ", "nginx:1\n", "\tnginx", "NGINX", "registry.example.com:5000/a/b:v1", "a@sha256:"+strings.Repeat("0", 64), "nginx:"+a64+a64, "nginx:-x", "é"),
		"service.port":             ints,
		"service.expose":           qs("ClusterIP", "NodePort", "LoadBalancer", "clusterip", "ExternalName", ""),
		"service.replicas":         ints,
		"service.command":          {"[]", list(""), list("/app"), list("/app", ""), list(huge(300000))},
		"service.args":             {"[]", list(""), list("--x"), list(huge(300000))},
		"service.labels":           nil,
		"service.annotations":      nil,
		"service.env":              nil,
		"service.network_policy":   {"true", "false"},
		"secret_env.@label":        qs(envNames...),
		"secret_env.secret":        qs(dnsNames...),
		"secret_env.key":           qs("k", "tls.crt", ".", "..", "..a", ".a", "a/b", "a b", "", strings.Repeat("k", 253), strings.Repeat("k", 254), "K_1-2.3", "é"),
		"resources.cpu":            nil,
		"resources.memory":         nil,
		"probe.@label":             qs("readiness", "liveness", "startup", "Readiness", "other"),
		"probe.type":               qs("http", "tcp", "exec", "HTTP", ""),
		"probe.path":               qs(paths...),
		"probe.command":            {"[]", list(""), list("/bin/true"), list("/bin/check", "--deep"), `["a", null]`},
		"probe.period":             qs(durations...),
		"probe.timeout":            qs(durations...),
		"probe.initial_delay":      qs(durations...),
		"probe.failure_threshold":  ints,
		"autoscale.min":            ints,
		"autoscale.max":            ints,
		"autoscale.cpu_percent":    ints,
		"autoscale.memory_percent": ints,
		"ingress.host":             qs(hosts...),
		"ingress.path":             qs(paths...),
		"ingress.class":            qs("nginx", "alb", "Nginx", "", "traefik"),
		"ingress.tls":              {"true", "false"},
		"ingress.tls_secret":       qs(dnsNames...),
		"ingress.issuer":           qs(append(dnsNames, huge(300000))...),
		"ingress.rate_limit":       ints,
		"alb.scheme":               qs("internet-facing", "internal", "Internal", ""),
		"alb.target_type":          qs("ip", "instance", "IP", ""),
		"alb.certificate_arn":      qs("arn:aws:acm:eu-west-1:123456789012:certificate/x", "", "arn:"+huge(262144), "x", "arn:é"),
		"alb.ssl_policy":           qs("ELBSecurityPolicy-TLS13-1-2-2021-06", "", huge(262144), "a b"),
	}
	for _, slot := range []string{"project.labels", "service.labels", "service.annotations"} {
		for _, k := range labelKeys {
			d[slot] = append(d[slot], obj(k, "v"))
		}
		for _, v := range labelValues {
			d[slot] = append(d[slot], obj("tier", v))
		}
	}
	// Annotation values are free text but all of an object's annotations
	// together are limited to 256 KiB (keys and values).
	for _, n := range []int{262144 - 8, 262144 - 7, 262144, 300000} {
		d["service.annotations"] = append(d["service.annotations"], obj("example.com/big", huge(n)))
	}
	d["service.annotations"] = append(d["service.annotations"], obj("a.example.com/x", huge(131072), "b.example.com/y", huge(131072)))
	for _, k := range envNames {
		d["service.env"] = append(d["service.env"], obj(k, "v"))
	}
	// A ConfigMap's data (keys and values) is limited to 1 MiB.
	for _, n := range []int{1048576 - 1, 1048576, 1048577} {
		d["service.env"] = append(d["service.env"], obj("A", huge(n)))
	}
	d["service.env"] = append(d["service.env"], obj("A", "", "B", "\x01", "C", "${x}", "D", "line\nbreak"))
	for _, r := range []string{"cpu", "memory"} {
		for _, v := range quantities {
			d["resources."+r] = append(d["resources."+r], obj("request", v), obj("limit", v), obj("request", v, "limit", v))
		}
		d["resources."+r] = append(d["resources."+r], obj("request", "2", "limit", "1"), obj("request", "1", "limit", "2"), obj("limit", "1m"), obj("limit", "50m"), obj("limit", "64Mi"), obj("request", "1m", "limit", "0.5m"))
	}
	maps.Copy(d, gatewayDomains()) // gatewayapi_cases_test.go
	return d
}

// Singles returns one case per boundary value of every slot: each value
// alone, on top of the base configuration.
func Singles() []Case {
	var out []Case
	d := domains()
	for _, slot := range slices.Sorted(mapKeys(d)) {
		for _, v := range d[slot] {
			out = append(out, Case{Set: map[string]string{slot: v}})
		}
	}
	return out
}

// Interactions returns cases whose slots matter only together: free text
// that becomes an annotation only under one ingress class, a probe path
// that is also an ALB health check, TLS hosts.
func Interactions() []Case {
	big := "/" + huge(262144)
	return []Case{
		{Set: map[string]string{"ingress.class": q("alb"), "probe.path": q(big)}},
		{Set: map[string]string{"ingress.class": q("nginx"), "probe.path": q(big)}},
		{Set: map[string]string{"ingress.class": q("alb"), "probe.@label": q("liveness"), "probe.path": q(big)}},
		{Set: map[string]string{"ingress.tls": "true", "ingress.issuer": q(sub253)}},
		{Set: map[string]string{"ingress.tls": "true", "ingress.host": q("*.example.com")}},
		{Set: map[string]string{"ingress.tls": "true", "ingress.class": q("alb"), "alb.certificate_arn": q("arn:" + huge(262144-1100))}},
		{Set: map[string]string{"service.annotations": obj("example.com/a", huge(131072), "example.com/b", huge(131072-26))}},
		{Set: map[string]string{"service.replicas": "2", "autoscale.min": "2", "autoscale.max": "2"}},
		{Set: map[string]string{"service.expose": q("NodePort"), "ingress.class": q("alb"), "alb.target_type": q("instance")}},
		{Set: map[string]string{"probe.type": q("exec"), "probe.command": "[]"}},
		{Set: map[string]string{"probe.type": q("http"), "probe.command": list("/bin/true")}},
	}
}

// Mixed returns n cases that each set k random slots (2 <= k <= 5) to
// random boundary values, from a fixed seed so a failure reproduces.
func Mixed(seed uint64, n int) []Case {
	r := rand.New(rand.NewPCG(seed, 0x6e626163))
	d := domains()
	slots := slices.Sorted(mapKeys(d))
	out := make([]Case, 0, n)
	for range n {
		c := Case{Set: map[string]string{}}
		for range 2 + r.IntN(4) {
			s := slots[r.IntN(len(slots))]
			c.Set[s] = d[s][r.IntN(len(d[s]))]
		}
		out = append(out, c)
	}
	return out
}

// FromFuzz builds a case from fuzzer input: choices pick slots and
// boundary values, and free is written, as a string, into one slot that
// takes a string (or as a map key or value).
func FromFuzz(choices []byte, free string) Case {
	d := domains()
	slots := slices.Sorted(mapKeys(d))
	c := Case{Set: map[string]string{}}
	for i := 0; i+1 < len(choices) && i < 10; i += 2 {
		s := slots[int(choices[i])%len(slots)]
		c.Set[s] = d[s][int(choices[i+1])%len(d[s])]
	}
	if len(choices) > 0 {
		stringSlots := []string{"project.@label", "project.namespace", "service.@label", "service.image", "secret_env.@label", "secret_env.secret",
			"secret_env.key", "probe.path", "probe.period", "probe.timeout", "probe.initial_delay", "ingress.host", "ingress.path", "ingress.tls_secret",
			"ingress.issuer", "alb.certificate_arn", "alb.ssl_policy", "service.expose", "ingress.class",
			"route.host", "route.path", "route.tls_secret", "route.timeout", "listener.hostname", "gateway.class"}
		mapSlots := []string{"project.labels", "service.labels", "service.annotations", "service.env", "route.request_headers", "route.response_headers"}
		quantitySlots := []string{"resources.cpu", "resources.memory"}
		pick := int(choices[len(choices)-1])
		switch n := len(stringSlots) + 2*len(mapSlots) + len(quantitySlots) + 1; {
		case pick%n < len(stringSlots):
			c.Set[stringSlots[pick%n]] = q(free)
		case pick%n < len(stringSlots)+len(mapSlots):
			c.Set[mapSlots[pick%n-len(stringSlots)]] = obj(free, "v")
		case pick%n < len(stringSlots)+2*len(mapSlots):
			c.Set[mapSlots[pick%n-len(stringSlots)-len(mapSlots)]] = obj("tier", free)
		case pick%n < n-1:
			c.Set[quantitySlots[pick%n-len(stringSlots)-2*len(mapSlots)]] = obj("request", free)
		default:
			c.Set["probe.command"] = list(free)
		}
	}
	return c
}
