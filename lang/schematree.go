package lang

import (
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// bodySchemas maps a block path ("service", "service.ingress.alb") to the
// schema its body is decoded with, so that tools outside the loader (the
// language server's completion and hover) see exactly the structure Load
// accepts. Top-level block types come from rootSchema itself; every nested
// block type a schema declares must have its entry here, and
// TestSchemaTreeComplete fails when one is missing, so a new block only
// needs its line below to reach the editor.
var bodySchemas = map[string]*hcl.BodySchema{
	"project":                       projectSchema,
	"variable":                      variableSchema,
	"variable.validation":           validationSchema,
	"service":                       serviceSchema,
	"service.secret_env":            secretEnvSchema,
	"service.resources":             resourcesSchema,
	"service.probe":                 probeSchema,
	"service.autoscale":             autoscaleSchema,
	"service.autoscale.queue":       queueTriggerSchema,
	"service.metrics":               metricsSchema,
	"service.route":                 routeSchema,
	"gateway":                       gatewaySchema,
	"gateway.listener":              listenerSchema,
	"service.ingress":               ingressSchema,
	"service.ingress.alb":           albSchema,
	"load_balancer":                 lbSchema,
	"load_balancer.health_check":    healthCheckSchema,
	"load_balancer.backend":         backendSchema,
	"load_balancer.tls":             tlsSchema,
	"load_balancer.tls.hsts":        hstsSchema,
	"load_balancer.sticky_sessions": stickySchema,
	"load_balancer.rate_limit":      rateLimitSchema,
	"load_balancer.timeouts":        timeoutsSchema,
	"load_balancer.stats":           statsSchema,
	"load_balancer.alerts":          lbAlertsSchema,
	"redis":                         redisSchema,
	"cache":                         cacheSchema,
	"cache.l1":                      l1Schema,
	"cache.l2":                      l2Schema,
	"cache.alerts":                  cacheAlertsSchema,
	"broker":                        brokerSchema,
	"queue":                         queueSchema,
	"queue.retry":                   retrySchema,
	"queue.alerts":                  queueAlertsSchema,
}

// freeFormBlocks hold attributes of any name (locals' named expressions).
var freeFormBlocks = map[string]bool{"locals": true}

// BlockSchema describes one kind of block as Load decodes it: the root
// (Type "") holds the top-level blocks.
type BlockSchema struct {
	Type   string
	Path   string // dotted from the top: "service.ingress.alb"
	Labels []string
	// Attributes in declaration order; AnyAttributes is set for blocks
	// whose attribute names are the user's (locals).
	Attributes    []AttributeSchema
	AnyAttributes bool
	Blocks        []*BlockSchema
}

// AttributeSchema is one attribute a block accepts.
type AttributeSchema struct {
	Name     string
	Required bool
}

// Schema returns the tree of every block and attribute Load accepts, built
// from the same hcl.BodySchema values the loader decodes with.
func Schema() *BlockSchema {
	return schemaNode("", "", nil, rootSchema)
}

func schemaNode(typ, path string, labels []string, s *hcl.BodySchema) *BlockSchema {
	n := &BlockSchema{Type: typ, Path: path, Labels: slices.Clone(labels), AnyAttributes: freeFormBlocks[path]}
	if s == nil {
		return n
	}
	for _, a := range s.Attributes {
		n.Attributes = append(n.Attributes, AttributeSchema{Name: a.Name, Required: a.Required})
	}
	for _, b := range s.Blocks {
		child := b.Type
		if path != "" {
			child = path + "." + b.Type
		}
		n.Blocks = append(n.Blocks, schemaNode(b.Type, child, b.LabelNames, bodySchemas[child]))
	}
	return n
}

// Find returns the block at a dotted path below b ("ingress.alb" from a
// service), or nil.
func (b *BlockSchema) Find(path string) *BlockSchema {
	if path == "" {
		return b
	}
	head, rest, _ := strings.Cut(path, ".")
	for _, c := range b.Blocks {
		if c.Type == head {
			return c.Find(rest)
		}
	}
	return nil
}

// ReferenceRoots are the names an expression's references start with:
// var, local, and every block kind declared with one label that
// expressions can refer to as KIND.NAME.
func ReferenceRoots() []string {
	return append([]string{"var", "local"}, refKinds...)
}
