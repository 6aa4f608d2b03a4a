package roundtrip

import "strings"

// rule is one of nbac's deliberate additions or defaults, as
// docs/import.md lists them: a difference at a path matching pattern on
// an object of kind ("*": any) is expected, for reason, under when (a
// value the original set and nbac changed is excused only by an always
// rule).
type rule struct {
	kind    string
	pattern string // dotted; "*" one segment, "**" the rest
	when    when
	reason  string
}

// when limits a rule to some differences.
type when int

const (
	always     when = iota
	onlyAdded       // the original does not set the field: nbac adds it
	onlyOneSet      // one side does not set it (nbac adds or leaves it out)
)

// Reasons, shared by the rules and the docs table.
const (
	whyLabels     = "nbac's recommended labels (app.kubernetes.io/*) and the service's labels on every object"
	whySelectors  = "nbac's selectors are app.kubernetes.io/name and instance"
	whyNames      = "nbac names every object after its service; ConfigMaps after their content hash"
	whyNamespace  = "nbac writes the project's namespace on every object"
	whyRestricted = "nbac's Pod Security \"restricted\" security context"
	whyAccount    = "nbac's own ServiceAccount, without an API token"
	whyRollout    = "nbac's rollout: RollingUpdate maxSurge 25%, maxUnavailable 0, 5 revisions kept"
	whyReplicas   = "replicas left out when an HPA scales the Deployment (default 1 otherwise)"
	whySpread     = "nbac spreads pods across zones (ScheduleAnyway)"
	whyTmp        = "nbac's read-only root file system gets an emptyDir at /tmp"
	whyPortName   = "nbac names the one port http and refers to it by name"
	whyProbes     = "nbac's default probes (tcp on http) where none is written"
	whyResources  = "nbac's default requests (cpu 100m, memory 128Mi) and memory limit"
	whyEnvCM      = "nbac's env ConfigMap holds the whole env of the service, immutable"
	whyEnvData    = "ConfigMap data is compared as the Deployment's effective environment, by variable name"
	whyIngress    = "nbac's Ingress: class as ingressClassName, ingress-nginx defaults not written"
	whyALB        = "nbac's AWS Load Balancer Controller annotations: HTTPS redirect with TLS, health check on the readiness path"
	whyTLSHosts   = "nbac's TLS section lists the ingress host"
	whyRoutePort  = "a route's backends name nbac's Service port (the service's port), which reaches the same container port"
	whyGatewayNS  = "nbac writes the gateway's namespace in the route's parentRef only when it is not the project's"
)

var rules = []rule{
	{"*", "metadata.labels.**", always, whyLabels},
	{"*", "metadata.namespace", onlyAdded, whyNamespace},
	{"*", "metadata.name", always, whyNames},

	{"Deployment", "spec.selector.**", always, whySelectors},
	{"Deployment", "spec.template.metadata.labels.**", always, whyLabels},
	{"Deployment", "spec.replicas", onlyOneSet, whyReplicas},
	{"Deployment", "spec.revisionHistoryLimit", always, whyRollout},
	{"Deployment", "spec.strategy.**", always, whyRollout},
	{"Deployment", "spec.template.spec.securityContext.**", always, whyRestricted},
	{"Deployment", "spec.template.spec.containers.*.securityContext.**", always, whyRestricted},
	{"Deployment", "spec.template.spec.serviceAccountName", always, whyAccount},
	{"Deployment", "spec.template.spec.automountServiceAccountToken", onlyAdded, whyAccount},
	{"Deployment", "spec.template.spec.topologySpreadConstraints.**", onlyAdded, whySpread},
	{"Deployment", "spec.template.spec.volumes.**", onlyAdded, whyTmp},
	{"Deployment", "spec.template.spec.containers.*.volumeMounts.**", onlyAdded, whyTmp},
	{"Deployment", "spec.template.spec.containers.*.name", always, whyNames},
	{"Deployment", "spec.template.spec.containers.*.ports.*.name", always, whyPortName},
	{"Deployment", "spec.template.spec.containers.*.ports", onlyAdded, whyPortName},
	{"Deployment", "spec.template.spec.containers.*.ports.*", onlyAdded, whyPortName},
	{"Deployment", "spec.template.spec.containers.*.*Probe.httpGet.port", always, whyPortName},
	{"Deployment", "spec.template.spec.containers.*.*Probe.tcpSocket.port", always, whyPortName},
	{"Deployment", "spec.template.spec.containers.*.readinessProbe", onlyAdded, whyProbes},
	{"Deployment", "spec.template.spec.containers.*.livenessProbe", onlyAdded, whyProbes},
	{"Deployment", "spec.template.spec.containers.*.resources.requests.*", onlyAdded, whyResources},
	{"Deployment", "spec.template.spec.containers.*.resources.limits.memory", onlyAdded, whyResources},
	{"Deployment", "spec.template.spec.containers.*.resources.requests", onlyAdded, whyResources},
	{"Deployment", "spec.template.spec.containers.*.resources.limits", onlyAdded, whyResources},
	{"Deployment", "spec.template.spec.containers.*.env.**", onlyAdded, whyEnvCM},

	{"Service", "spec.selector.**", always, whySelectors},
	{"Service", "spec.ports.*.name", always, whyPortName},
	{"Service", "spec.ports.*", onlyAdded, whyPortName},
	{"Service", "spec.ports.*.targetPort", always, whyPortName},

	{"ServiceAccount", "automountServiceAccountToken", onlyAdded, whyAccount},

	{"ConfigMap", "immutable", onlyAdded, whyEnvCM},
	{"ConfigMap", "data.*", always, whyEnvData},

	{"HorizontalPodAutoscaler", "spec.scaleTargetRef.apiVersion", onlyAdded, whyNames},
	{"HorizontalPodAutoscaler", "spec.scaleTargetRef.name", always, whyNames},

	{"PodDisruptionBudget", "spec.selector.**", always, whySelectors},

	{"NetworkPolicy", "spec.podSelector.**", always, whySelectors},
	{"NetworkPolicy", "spec.ingress.*.ports.*.port", always, whyPortName},

	{"Ingress", "spec.ingressClassName", onlyAdded, whyIngress},
	{"Ingress", "metadata.annotations.kubernetes.io/ingress.class", always, whyIngress},
	{"Ingress", "metadata.annotations.nginx.ingress.kubernetes.io/ssl-redirect", always, whyIngress},
	{"Ingress", "metadata.annotations.nginx.ingress.kubernetes.io/backend-protocol", always, whyIngress},
	{"Ingress", "metadata.annotations.alb.ingress.kubernetes.io/ssl-redirect", onlyAdded, whyALB},
	{"Ingress", "metadata.annotations.alb.ingress.kubernetes.io/healthcheck-path", onlyAdded, whyALB},
	{"Ingress", "metadata.annotations.alb.ingress.kubernetes.io/listen-ports", onlyAdded, whyALB},
	{"Ingress", "spec.rules.*.http.paths.*.backend.service.name", always, whyNames},
	{"Ingress", "spec.rules.*.http.paths.*.backend.service.port.**", always, whyPortName},
	{"Ingress", "spec.tls.*.hosts", onlyAdded, whyTLSHosts},

	{"HTTPRoute", "spec.rules.*.backendRefs.*.port", always, whyRoutePort},
	{"HTTPRoute", "spec.rules.*.filters.*.requestMirror.backendRef.port", always, whyRoutePort},
	{"HTTPRoute", "spec.parentRefs.*.namespace", onlyOneSet, whyGatewayNS},
	{"GRPCRoute", "spec.rules.*.backendRefs.*.port", always, whyRoutePort},
	{"GRPCRoute", "spec.rules.*.filters.*.requestMirror.backendRef.port", always, whyRoutePort},
	{"GRPCRoute", "spec.parentRefs.*.namespace", onlyOneSet, whyGatewayNS},
}

// additions are the objects nbac writes even when the estate has none.
var additions = map[string]string{
	"ServiceAccount":      "nbac gives every service its own ServiceAccount",
	"Service":             "nbac gives every service a Service",
	"ConfigMap":           "nbac writes a service's plain env into a ConfigMap named after its content",
	"PodDisruptionBudget": "nbac writes a PodDisruptionBudget (maxUnavailable 1) from two replicas up",
	"ReferenceGrant":      "nbac lets a declared gateway in another namespace read a tls route's certificate Secret",
}

func matchRule(kind string, segs []string, origAbsent, nbacAbsent bool) *rule {
	for i := range rules {
		r := &rules[i]
		ok := r.when == always || r.when == onlyAdded && origAbsent || r.when == onlyOneSet && (origAbsent || nbacAbsent)
		if ok && (r.kind == "*" || r.kind == kind) && matchPattern(r.pattern, segs) {
			return r
		}
	}
	return nil
}

// matchPattern matches dotted pattern segments against a path. Map keys
// with dots ("kubernetes.io/ingress.class") are matched by rejoining the
// remaining pattern when a literal segment does not match alone.
func matchPattern(pattern string, segs []string) bool {
	return matchSegs(splitPattern(pattern), segs)
}

func splitPattern(p string) []string {
	// Annotation keys hold dots: keep "metadata.annotations.<key>" whole.
	if rest, ok := strings.CutPrefix(p, "metadata.annotations."); ok {
		return []string{"metadata", "annotations", rest}
	}
	return strings.Split(p, ".")
}

func matchSegs(pat, segs []string) bool {
	for i, p := range pat {
		if p == "**" {
			return true
		}
		if i >= len(segs) {
			return false
		}
		switch {
		case p == "*":
			// any one segment
		case strings.HasPrefix(p, "*"):
			if !strings.HasSuffix(segs[i], p[1:]) {
				return false
			}
		case p != segs[i]:
			return false
		}
	}
	return len(pat) == len(segs)
}
