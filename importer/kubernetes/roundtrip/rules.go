package roundtrip

import "strings"

// rule is one of nbac's deliberate additions or defaults, as
// docs/import.md lists them: a difference at a path matching pattern on
// an object of kind ("*": any) is expected, for reason. With onlyAdded,
// only when the original does not set the field (nbac adds a default; a
// value the original set and nbac changed is not excused).
type rule struct {
	kind      string
	pattern   string // dotted; "*" one segment, "**" the rest
	onlyAdded bool
	reason    string
}

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
	whyTLSHosts   = "nbac's TLS section lists the ingress host"
)

var rules = []rule{
	{"*", "metadata.labels.**", false, whyLabels},
	{"*", "metadata.namespace", true, whyNamespace},
	{"*", "metadata.name", false, whyNames},

	{"Deployment", "spec.selector.**", false, whySelectors},
	{"Deployment", "spec.template.metadata.labels.**", false, whyLabels},
	{"Deployment", "spec.replicas", false, whyReplicas},
	{"Deployment", "spec.revisionHistoryLimit", false, whyRollout},
	{"Deployment", "spec.strategy.**", false, whyRollout},
	{"Deployment", "spec.template.spec.securityContext.**", false, whyRestricted},
	{"Deployment", "spec.template.spec.containers.*.securityContext.**", false, whyRestricted},
	{"Deployment", "spec.template.spec.serviceAccountName", false, whyAccount},
	{"Deployment", "spec.template.spec.automountServiceAccountToken", true, whyAccount},
	{"Deployment", "spec.template.spec.topologySpreadConstraints.**", true, whySpread},
	{"Deployment", "spec.template.spec.volumes.**", true, whyTmp},
	{"Deployment", "spec.template.spec.containers.*.volumeMounts.**", true, whyTmp},
	{"Deployment", "spec.template.spec.containers.*.name", false, whyNames},
	{"Deployment", "spec.template.spec.containers.*.ports.*.name", false, whyPortName},
	{"Deployment", "spec.template.spec.containers.*.ports", true, whyPortName},
	{"Deployment", "spec.template.spec.containers.*.ports.*", true, whyPortName},
	{"Deployment", "spec.template.spec.containers.*.*Probe.httpGet.port", false, whyPortName},
	{"Deployment", "spec.template.spec.containers.*.*Probe.tcpSocket.port", false, whyPortName},
	{"Deployment", "spec.template.spec.containers.*.readinessProbe", true, whyProbes},
	{"Deployment", "spec.template.spec.containers.*.livenessProbe", true, whyProbes},
	{"Deployment", "spec.template.spec.containers.*.resources.requests.*", true, whyResources},
	{"Deployment", "spec.template.spec.containers.*.resources.limits.memory", true, whyResources},
	{"Deployment", "spec.template.spec.containers.*.resources.requests", true, whyResources},
	{"Deployment", "spec.template.spec.containers.*.resources.limits", true, whyResources},
	{"Deployment", "spec.template.spec.containers.*.env.**", true, whyEnvCM},

	{"Service", "spec.selector.**", false, whySelectors},
	{"Service", "spec.ports.*.name", false, whyPortName},
	{"Service", "spec.ports.*", true, whyPortName},
	{"Service", "spec.ports.*.targetPort", false, whyPortName},

	{"ServiceAccount", "automountServiceAccountToken", true, whyAccount},

	{"ConfigMap", "immutable", true, whyEnvCM},
	{"ConfigMap", "data.*", false, whyEnvData},

	{"HorizontalPodAutoscaler", "spec.scaleTargetRef.apiVersion", true, whyNames},
	{"HorizontalPodAutoscaler", "spec.scaleTargetRef.name", false, whyNames},

	{"PodDisruptionBudget", "spec.selector.**", false, whySelectors},

	{"NetworkPolicy", "spec.podSelector.**", false, whySelectors},
	{"NetworkPolicy", "spec.ingress.*.ports.*.port", false, whyPortName},

	{"Ingress", "spec.ingressClassName", true, whyIngress},
	{"Ingress", "metadata.annotations.kubernetes.io/ingress.class", false, whyIngress},
	{"Ingress", "metadata.annotations.nginx.ingress.kubernetes.io/ssl-redirect", false, whyIngress},
	{"Ingress", "metadata.annotations.nginx.ingress.kubernetes.io/backend-protocol", false, whyIngress},
	{"Ingress", "spec.rules.*.http.paths.*.backend.service.name", false, whyNames},
	{"Ingress", "spec.rules.*.http.paths.*.backend.service.port.**", false, whyPortName},
	{"Ingress", "spec.tls.*.hosts", true, whyTLSHosts},
}

// additions are the objects nbac writes even when the estate has none.
var additions = map[string]string{
	"ServiceAccount":      "nbac gives every service its own ServiceAccount",
	"Service":             "nbac gives every service a Service",
	"ConfigMap":           "nbac writes a service's plain env into a ConfigMap named after its content",
	"PodDisruptionBudget": "nbac writes a PodDisruptionBudget (maxUnavailable 1) from two replicas up",
}

func matchRule(kind string, segs []string, origAbsent bool) *rule {
	for i := range rules {
		r := &rules[i]
		if (r.kind == "*" || r.kind == kind) && (!r.onlyAdded || origAbsent) && matchPattern(r.pattern, segs) {
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
