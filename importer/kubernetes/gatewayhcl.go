package kubernetes

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
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
		setString(gb, "issuer", g.Issuer)
		setString(gb, "allowed_routes", g.AllowedRoutes)
		for _, l := range g.Listeners {
			if _, left := g.derived[l.Name]; left {
				continue
			}
			lb := nested(gb, "listener", l.Name)
			lb.SetAttributeValue("protocol", cty.StringVal(l.Protocol))
			lb.SetAttributeValue("port", cty.NumberIntVal(int64(l.Port)))
			setString(lb, "hostname", l.Hostname)
			setString(lb, "tls_secret", l.TLSSecret)
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
		setString(rb, "gateway_namespace", r.GatewayNamespace)
	}
	if r.GRPC {
		rb.SetAttributeValue("grpc", cty.True)
	}
	if len(r.Hosts) == 1 {
		rb.SetAttributeValue("host", cty.StringVal(r.Hosts[0]))
	} else {
		setList(rb, "hosts", r.Hosts)
	}
	setString(rb, "path", r.Path)
	setString(rb, "path_type", r.PathType)
	if r.TLS {
		rb.SetAttributeValue("tls", cty.True)
		if r.TLSSecret != s.Name+"-tls" {
			rb.SetAttributeValue("tls_secret", cty.StringVal(r.TLSSecret))
		}
	}
	setString(rb, "timeout", r.Timeout)
	setString(rb, "backend_timeout", r.Backend)
	setMap(rb, "request_headers", r.ReqSet)
	setList(rb, "remove_request_headers", r.ReqDel)
	setMap(rb, "response_headers", r.RespSet)
	setList(rb, "remove_response_headers", r.RespDel)
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

func setString(b *hclwrite.Body, name, v string) {
	if v != "" {
		b.SetAttributeValue(name, cty.StringVal(v))
	}
}
