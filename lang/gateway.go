package lang

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// Gateway API blocks: the estate-level `gateway "name" {}` and a service's
// `route {}` (docs/gateway-api.md). Values are checked in
// schema/validate/gateway.go; lowering only reads them.

var gatewaySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "class", Required: true}, {Name: "namespace"}, {Name: "issuer"}, {Name: "allowed_routes"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "listener", LabelNames: []string{"name"}}},
}

var listenerSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "protocol"}, {Name: "port"}, {Name: "hostname"}, {Name: "tls_secret"},
}}

func (l *loader) lowerGateway(blk *hcl.Block, ns string) schema.Gateway {
	g := schema.Gateway{Name: blk.Labels[0]}
	g.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, gatewaySchema, &g.Src, schema.Describe("gateway", g.Name))
	g.Class = b.str("class", "")
	g.Namespace = b.str("namespace", ns)
	g.Issuer = b.str("issuer", "")
	g.AllowedRoutes = b.enum("allowed_routes", "", "Same", "All")
	for _, lb := range b.labeled("listener") {
		g.Listeners = append(g.Listeners, l.lowerListener(lb, g.Name))
	}
	if len(g.Listeners) == 0 {
		g.Listeners = []schema.Listener{{Name: "http", Protocol: "HTTP", Port: 80, Src: schema.Source{Block: blk.DefRange}}}
	}
	sortByName(g.Listeners, func(x schema.Listener) string { return x.Name })
	return g
}

func (l *loader) lowerListener(blk *hcl.Block, gw string) schema.Listener {
	ln := schema.Listener{Name: blk.Labels[0]}
	ln.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, listenerSchema, &ln.Src, fmt.Sprintf("listener %q of gateway %q", ln.Name, gw))
	ln.TLSSecret = b.str("tls_secret", "")
	def := "HTTP"
	if ln.TLSSecret != "" {
		def = "HTTPS"
	}
	ln.Protocol = b.enum("protocol", def, "HTTP", "HTTPS")
	port := 80
	if ln.Protocol == "HTTPS" {
		port = 443
	}
	ln.Port = b.integer("port", port, 1, 65535)
	ln.Hostname = b.str("hostname", "")
	return ln
}

var routeSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "gateway", Required: true}, {Name: "gateway_namespace"},
	{Name: "host"}, {Name: "hosts"}, {Name: "path"}, {Name: "path_type"}, {Name: "grpc"},
	{Name: "tls"}, {Name: "tls_secret"}, {Name: "timeout"}, {Name: "backend_timeout"},
	{Name: "request_headers"}, {Name: "remove_request_headers"},
	{Name: "response_headers"}, {Name: "remove_response_headers"},
	{Name: "split"}, {Name: "mirror"}, {Name: "mirror_percent"},
}}

// lowerRoute reads a service's route block. Its attributes mirror the
// ingress block's (host, path, tls, tls_secret), so that moving a service
// from an Ingress to a Gateway is renaming the block and adding gateway.
func (l *loader) lowerRoute(blk *hcl.Block, svc string) *schema.Route {
	r := &schema.Route{}
	r.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, routeSchema, &r.Src, fmt.Sprintf("route of service %q", svc))
	if v, a, ok := b.value("gateway"); ok {
		if v.Type().IsObjectType() {
			r.Gateway, r.Declared = b.ref("gateway", "gateway"), true
		} else {
			r.Gateway = b.str("gateway", "")
			if r.Gateway == "" {
				b.typeError(a, `a gateway block (gateway.edge) or the name of an existing Gateway ("shared")`, nil)
			}
		}
	}
	r.GatewayNamespace = b.str("gateway_namespace", "")
	if r.Declared && r.GatewayNamespace != "" {
		b.errorAt(*r.Src.Range("gateway_namespace"), "Namespace of a declared gateway",
			fmt.Sprintf("%s refers to gateway.%s, whose namespace its own block sets; gateway_namespace is for an existing Gateway named by a string.", b.what, r.Gateway))
	}
	hosts := b.strings("hosts")
	if h := b.str("host", ""); h != "" {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	r.Hosts = slices.Compact(hosts)
	r.GRPC = b.boolean("grpc", false)
	r.Path = b.str("path", "/")
	r.PathType = b.enum("path_type", "prefix", "prefix", "exact")
	r.TLS, r.TLSSecret = b.tls(svc)
	r.Timeout = b.duration("timeout", 0, 0)
	r.BackendTimeout = b.duration("backend_timeout", 0, 0)
	r.RequestHeaders = b.stringMap("request_headers")
	r.RemoveRequestHeaders = b.strings("remove_request_headers")
	r.ResponseHeaders = b.stringMap("response_headers")
	r.RemoveResponseHeaders = b.strings("remove_response_headers")
	r.Split = b.weights("split")
	r.Mirror = b.ref("mirror", "service")
	r.MirrorPercent = b.integer("mirror_percent", 100, 1, 100)
	if r.Mirror == "" && r.Src.Has("mirror_percent") {
		b.errorAt(*r.Src.Range("mirror_percent"), "Mirror percent without a mirror",
			fmt.Sprintf("%s sets mirror_percent but no mirror = service.NAME to copy requests to.", b.what))
	}
	if r.Mirror == "" {
		r.MirrorPercent = 0
	}
	return r
}

// weights reads `split = { api = 90, api_canary = 10 }`: service names
// and their whole-number weights, sorted by name.
func (b *body) weights(name string) []schema.WeightedBackend {
	v, a, ok := b.value(name)
	if !ok {
		return nil
	}
	if !v.Type().IsObjectType() && !v.Type().IsMapType() {
		b.typeError(a, "a map of service names to weights, such as { api = 90, api_canary = 10 }", nil)
		return nil
	}
	var out []schema.WeightedBackend
	for k, e := range v.AsValueMap() {
		if e.IsNull() {
			b.errorAt(a.Expr.Range(), "Invalid value", fmt.Sprintf("%s in %s: the weight of %q is null.", name, b.what, k))
			continue
		}
		w, ok := b.toInt(a, e, 0, 1000000)
		if !ok {
			continue
		}
		out = append(out, schema.WeightedBackend{Service: k, Weight: w})
	}
	slices.SortFunc(out, func(x, y schema.WeightedBackend) int { return strings.Compare(x.Service, y.Service) })
	return out
}

// tls reads tls and tls_secret as the ingress and route blocks share them:
// with TLS on, the Secret defaults to "<service>-tls".
func (b *body) tls(svc string) (bool, string) {
	on := b.boolean("tls", false)
	def := ""
	if on {
		def = svc + "-tls"
	}
	return on, b.str("tls_secret", def)
}
