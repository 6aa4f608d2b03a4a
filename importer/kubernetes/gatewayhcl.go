package kubernetes

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/nbac/nbac/importer"
)

// writeGateways puts the gateway blocks, sorted by name, in gateways.hcl.
func writeGateways(e *Estate) {
	if len(e.Gateways) == 0 {
		return
	}
	gws := append([]*Gateway(nil), e.Gateways...)
	sort.Slice(gws, func(i, j int) bool { return gws[i].Name < gws[j].Name })
	body := e.Result.File("gateways.hcl").Body()
	for i, g := range gws {
		if i > 0 {
			body.AppendNewline()
		}
		gb := body.AppendNewBlock("gateway", []string{g.Name}).Body()
		gb.SetAttributeValue("class", cty.StringVal(g.Class))
		if g.Namespace != e.Namespace {
			gb.SetAttributeValue("namespace", cty.StringVal(g.Namespace))
		}
		importer.SetString(gb, "issuer", g.Issuer)
		importer.SetString(gb, "allowed_routes", g.AllowedRoutes)
		for _, l := range g.Listeners {
			if _, left := g.derived[l.Name]; left {
				continue
			}
			lb := nested(gb, "listener", l.Name)
			lb.SetAttributeValue("protocol", cty.StringVal(l.Protocol))
			lb.SetAttributeValue("port", cty.NumberIntVal(int64(l.Port)))
			importer.SetString(lb, "hostname", l.Hostname)
			importer.SetString(lb, "tls_secret", l.TLSSecret)
		}
	}
}

// writeRoute writes a service's route block.
func writeRoute(b *hclwrite.Body, s *Service) {
	r := s.Route
	if r == nil {
		return
	}
	rb := nested(b, "route")
	if r.Declared {
		rb.SetAttributeTraversal("gateway", hcl.Traversal{hcl.TraverseRoot{Name: "gateway"}, hcl.TraverseAttr{Name: r.Gateway}})
	} else {
		rb.SetAttributeValue("gateway", cty.StringVal(r.Gateway))
		importer.SetString(rb, "gateway_namespace", r.GatewayNamespace)
	}
	if r.GRPC {
		rb.SetAttributeValue("grpc", cty.True)
	}
	if len(r.Hosts) == 1 {
		rb.SetAttributeValue("host", cty.StringVal(r.Hosts[0]))
	} else {
		importer.SetStrings(rb, "hosts", r.Hosts)
	}
	importer.SetString(rb, "path", r.Path)
	importer.SetString(rb, "path_type", r.PathType)
	if r.TLS {
		rb.SetAttributeValue("tls", cty.True)
		if r.TLSSecret != s.Name+"-tls" {
			rb.SetAttributeValue("tls_secret", cty.StringVal(r.TLSSecret))
		}
	}
	importer.SetString(rb, "timeout", r.Timeout)
	importer.SetString(rb, "backend_timeout", r.Backend)
	importer.SetStringMap(rb, "request_headers", r.ReqSet)
	importer.SetStrings(rb, "remove_request_headers", r.ReqDel)
	importer.SetStringMap(rb, "response_headers", r.RespSet)
	importer.SetStrings(rb, "remove_response_headers", r.RespDel)
	if len(r.Split) > 0 {
		vals := map[string]cty.Value{}
		for k, w := range r.Split {
			vals[k] = cty.NumberIntVal(int64(w))
		}
		rb.SetAttributeValue("split", cty.ObjectVal(vals))
	}
	if r.Mirror != "" {
		rb.SetAttributeTraversal("mirror", hcl.Traversal{hcl.TraverseRoot{Name: "service"}, hcl.TraverseAttr{Name: r.Mirror}})
		if r.MirrorPercent != 100 {
			rb.SetAttributeValue("mirror_percent", cty.NumberIntVal(int64(r.MirrorPercent)))
		}
	}
}
