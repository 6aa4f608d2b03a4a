package kubernetes

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/nbac/nbac/importer"
)

// mapper matches the estate's objects to services.
type mapper struct {
	e   *Estate
	res *importer.Result
	// byKey finds an object by kind and name (first declaration).
	byKey map[Key]*Object
	// configMaps read as environment, so the rest can be reported.
	used map[*Object]bool
	// The estate's Services that select pods, in input order, with their
	// parsed selectors (matchService builds them once).
	services         []*Object
	serviceSelectors map[*Object]labels.Selector
	// taken holds the nbac objects some original already became.
	taken map[Key]bool
	// byName finds a service by name (built once every Deployment is in).
	byName map[string]*Service
}

func newMapper(e *Estate) *mapper {
	return &mapper{e: e, res: e.Result, byKey: map[Key]*Object{}, used: map[*Object]bool{}, taken: map[Key]bool{}}
}

// The labels nbac owns on every object (emit/kubernetes).
var reservedLabels = map[string]bool{
	"app.kubernetes.io/name": true, "app.kubernetes.io/instance": true, "app.kubernetes.io/version": true,
	"app.kubernetes.io/part-of": true, "app.kubernetes.io/managed-by": true,
}

func (m *mapper) run() {
	for _, o := range m.e.Objects {
		o.use("apiVersion", "kind", "metadata.name")
		if o.Namespace != "" && o.Namespace != m.e.Namespace && !isGateway(o) {
			o.report(m.res, "metadata.namespace", importer.OutOfRange,
				fmt.Sprintf("nbac puts every object of a project in one namespace (%s); import each namespace separately.", m.e.Namespace))
		} else {
			o.use("metadata.namespace")
		}
		m.serverSet(o)
		if prev, dup := m.byKey[o.Key()]; dup {
			o.report(m.res, "", importer.OutOfRange, fmt.Sprintf("%s is declared twice (first at %s:%d); only the first is imported.", o.Key(), prev.File, prev.Line))
			continue
		}
		m.byKey[o.Key()] = o
	}
	for _, o := range m.e.Objects {
		if d, ok := o.Typed.(*appsv1.Deployment); ok && !o.wholeReported() {
			m.deployment(o, d)
		}
	}
	for _, s := range m.e.Services {
		m.matchService(s)
	}
	for _, s := range m.e.Services {
		m.container(s)
	}
	// HPAs first: whether nbac writes a PDB depends on autoscale.min,
	// whatever order the input lists the objects in.
	m.each(func(o *Object) {
		if h, ok := o.Typed.(*autoscalingv2.HorizontalPodAutoscaler); ok {
			m.hpa(o, h)
		}
	})
	m.each(func(o *Object) {
		switch t := o.Typed.(type) {
		case *policyv1.PodDisruptionBudget:
			m.pdb(o, t)
		case *networkingv1.NetworkPolicy:
			m.networkPolicy(o, t)
		case *networkingv1.Ingress:
			m.ingress(o, t)
		}
	})
	// Gateways before routes (a route names its gateway), routes before
	// ReferenceGrants (a grant is nbac's when a tls route needs it).
	m.each(func(o *Object) {
		if g, ok := o.Typed.(*gatewayv1.Gateway); ok {
			m.gateway(o, g)
		}
	})
	m.each(func(o *Object) {
		switch t := o.Typed.(type) {
		case *gatewayv1.HTTPRoute:
			m.httpRoute(o, t)
		case *gatewayv1.GRPCRoute:
			m.grpcRoute(o, t)
		}
	})
	m.checkGatewayAPI()
	m.foreignSecrets()
	m.reportDerived()
	m.each(func(o *Object) {
		if g, ok := o.Typed.(*gatewayv1.ReferenceGrant); ok {
			m.referenceGrant(o, g)
		}
	})
	for _, s := range m.e.Services {
		m.serviceAccount(s)
	}
	m.ownLabels()
	m.each(m.unmatched)
}

// isGateway: a Gateway may live in another namespace than the project
// (the gateway block's namespace).
func isGateway(o *Object) bool {
	return o.Kind == "Gateway" && o.APIVersion == "gateway.networking.k8s.io/v1"
}

// each calls f for every object not yet matched or reported whole.
func (m *mapper) each(f func(*Object)) {
	for _, o := range m.e.Objects {
		if !o.wholeReported() && o.Target == (Key{}) {
			f(o)
		}
	}
}

// unmatched reports an object that became nothing, with its kind's reason.
func (m *mapper) unmatched(o *Object) {
	switch {
	case o.Kind == "Secret" && o.APIVersion == "v1":
		o.report(m.res, "", importer.Unsafe,
			"nbac never imports or writes a Secret: keep it managed outside nbac (kubectl, sealed-secrets, external-secrets). Services read it with secret_env blocks, which name the Secret and key only.")
	case o.Typed == nil && strings.HasPrefix(o.APIVersion, "gateway.networking.k8s.io/"):
		o.report(m.res, "", importer.NoEquivalent, "nbac reads the standard channel's gateway.networking.k8s.io/v1 Gateway, HTTPRoute, GRPCRoute and ReferenceGrant; keep this object outside nbac.")
	case o.Kind == "HTTPRoute" || o.Kind == "GRPCRoute":
		o.report(m.res, "", importer.NoEquivalent, "The route sends traffic to no imported service (its first rule's backendRefs name no Service of an imported Deployment).")
	case o.Kind == "ReferenceGrant":
		o.report(m.res, "", importer.NoEquivalent, "nbac writes a ReferenceGrant only for a declared gateway in another namespace that reads a tls route's certificate; this one is not that.")
	case o.Typed == nil:
		o.report(m.res, "", importer.NoEquivalent, fmt.Sprintf("nbac has no block for a %s %s; keep it outside nbac.", o.APIVersion, o.Kind))
	case o.Kind == "Service":
		o.report(m.res, "", importer.NoEquivalent, "This Service selects the pods of no imported Deployment (or has no selector); nbac's Services front one service each.")
	case o.Kind == "ConfigMap":
		o.report(m.res, "", importer.NoEquivalent, "No imported container reads this ConfigMap as environment; nbac's ConfigMaps hold a service's env only (a mounted ConfigMap has no equivalent).")
	case o.Kind == "ServiceAccount":
		o.report(m.res, "", importer.EmittedByNbac, "No imported Deployment runs as this ServiceAccount; nbac gives every service its own.")
	default:
		o.report(m.res, "", importer.NoEquivalent, fmt.Sprintf("This %s refers to no imported Deployment (or to one that already has one); nbac attaches it to a service.", o.Kind))
	}
}

// deployment starts a service from a Deployment.
func (m *mapper) deployment(o *Object, d *appsv1.Deployment) {
	if errs := validation.IsDNS1035Label(d.Name); len(errs) > 0 {
		o.report(m.res, "metadata.name", importer.OutOfRange, "nbac service names are DNS-1035 labels: "+strings.Join(errs, "; ")+".")
		o.report(m.res, "", importer.OutOfRange, "The Deployment's name cannot name an nbac service.")
		return
	}
	if len(d.Spec.Template.Spec.Containers) == 0 {
		o.report(m.res, "", importer.OutOfRange, "The Deployment has no container.")
		return
	}
	s := &Service{Name: d.Name, Replicas: -1, deploy: o, podLabels: d.Spec.Template.Labels, Probes: map[string]*Probe{}}
	o.Target = Key{"Deployment", s.Name}
	m.e.Services = append(m.e.Services, s)
	o.use("spec.selector")
	if d.Spec.Replicas != nil {
		s.Replicas = int(*d.Spec.Replicas)
		o.use("spec.replicas")
		if s.Replicas > 1000 {
			o.report(m.res, "spec.replicas", importer.OutOfRange, "nbac allows 0..1000 replicas.")
			s.Replicas = 1000
		}
	}
	for _, f := range []string{"spec.strategy", "spec.revisionHistoryLimit"} {
		if nodeAt(o.Node, f) != nil {
			o.report(m.res, f, importer.EmittedByNbac, "nbac rolls out with RollingUpdate maxSurge 25%, maxUnavailable 0 and keeps 5 revisions.")
		}
	}
	s.Labels = map[string]string{}
	for k, v := range d.Spec.Template.Labels {
		if !reservedLabels[k] {
			s.Labels[k] = v
		}
	}
	if len(d.Spec.Template.Annotations) > 0 {
		s.Annotations = d.Spec.Template.Annotations
		o.use("spec.template.metadata.annotations")
	}
}

// nodeAt is the node at a dotted path, or nil.
func nodeAt(n *yaml.Node, path string) *yaml.Node {
	for _, seg := range splitPath(path) {
		if i, ok := index(seg); ok {
			if n == nil || i >= len(n.Content) || n.Kind != yaml.SequenceNode {
				return nil
			}
			n = n.Content[i]
			continue
		}
		n = child(n, seg)
		if n == nil {
			return nil
		}
	}
	return n
}

// matchService finds the Service whose selector picks s's pods, as
// Kubernetes does: every selector label is on the pod template.
func (m *mapper) matchService(s *Service) {
	if m.serviceSelectors == nil {
		m.serviceSelectors = map[*Object]labels.Selector{}
		for _, o := range m.e.Objects {
			svc, ok := o.Typed.(*corev1.Service)
			if !ok || o.wholeReported() || len(svc.Spec.Selector) == 0 || svc.Spec.Type == corev1.ServiceTypeExternalName {
				continue
			}
			m.serviceSelectors[o] = labels.SelectorFromSet(svc.Spec.Selector)
			m.services = append(m.services, o)
		}
	}
	var found []*Object
	for _, o := range m.services {
		if m.serviceSelectors[o].Matches(labels.Set(s.podLabels)) {
			found = append(found, o)
		}
	}
	// Prefer the Service named like the Deployment, then source order.
	for i, o := range found {
		if o.Name == s.Name {
			found[0], found[i] = found[i], found[0]
		}
	}
	for _, o := range found {
		if o.Target == (Key{}) && s.svc == nil {
			s.svc = o
			o.Target = Key{"Service", s.Name}
			continue
		}
		// The Service fronts the pods of more than one Deployment: nbac
		// gives each service its own Service.
		if s.svc == nil {
			o.report(m.res, "spec.selector", importer.NoEquivalent,
				fmt.Sprintf("This Service selects the pods of Deployments %s and %s; nbac gives each service its own Service, so %s's pods will no longer receive this Service's traffic (they get Service %s).", o.Target.Name, s.Name, s.Name, s.Name))
		} else {
			o.report(m.res, "spec.selector", importer.NoEquivalent,
				fmt.Sprintf("Deployment %s's pods are also selected by Service %s; nbac fronts a service with one Service (%s).", s.Name, s.svc.Name, s.svc.Name))
		}
	}
}

// selector parses a label selector once; nil when it selects nothing
// (invalid or empty: Kubernetes' empty selector would pick every pod,
// which no imported object means).
func selector(sel *metav1.LabelSelector) labels.Selector {
	if sel == nil {
		return nil
	}
	ls, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil || ls.Empty() {
		return nil
	}
	return ls
}

// selects says whether a parsed selector picks s's pods.
func selects(ls labels.Selector, s *Service) bool {
	return ls != nil && ls.Matches(labels.Set(s.podLabels))
}

// ownLabels checks the metadata labels of every object a service was
// built from: a label nbac puts there too is imported; nbac's reserved
// labels are nbac's; anything else is left to the final walk.
func (m *mapper) ownLabels() {
	for _, o := range m.e.Objects {
		s := m.service(strings.TrimSuffix(o.Target.Name, "-env-"))
		if o.Target == (Key{}) || s == nil {
			continue
		}
		m.labelsOf(o, s, []string{"metadata", "labels"})
		if o.Kind == "Deployment" {
			m.labelsOf(o, s, []string{"spec", "template", "metadata", "labels"})
		}
	}
}

// labelsOf marks the labels at prefix: nbac's own recommended labels are
// imported when nbac writes the same value and reported otherwise; a
// label the service carries is imported; the rest is left to the walk.
func (m *mapper) labelsOf(o *Object, s *Service, prefix []string) {
	n := nodeAt(o.Node, strings.Join(prefix, "."))
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1].Value
		segs := append(clonePath(prefix), k)
		own, ok := s.Labels[k]
		switch {
		case reservedLabels[k] && v == nbacLabel(k, s, m.e.Project):
			o.useSegs(segs...)
		case reservedLabels[k]:
			o.reportSegs(m.res, segs, importer.EmittedByNbac, fmt.Sprintf("nbac sets %s itself on every object (docs/kubernetes.md, Labels).", k))
		case ok && own == v:
			o.useSegs(segs...)
		}
	}
}

// nbacLabel is the value nbac writes for one of its recommended labels
// ("" when the importer cannot tell): emit/kubernetes sets name and
// instance to the service, part-of to the project, version to the image
// tag.
func nbacLabel(k string, s *Service, project string) string {
	switch k {
	case "app.kubernetes.io/name", "app.kubernetes.io/instance":
		return s.Name
	case "app.kubernetes.io/part-of":
		return project
	case "app.kubernetes.io/managed-by":
		return "nbac"
	case "app.kubernetes.io/version":
		ref, _, _ := strings.Cut(s.Image, "@")
		last := ref[strings.LastIndexByte(ref, '/')+1:]
		if i := strings.LastIndexByte(last, ':'); i >= 0 && i+1 < len(last) {
			return last[i+1:]
		}
	}
	return "\x00" // matches no label value
}

// serverFields are what the API server writes into an object; they turn
// up in `kubectl get -o yaml` output and are state, not configuration.
var serverFields = []string{
	"status", "metadata.uid", "metadata.resourceVersion", "metadata.generation", "metadata.creationTimestamp",
	"metadata.managedFields", "metadata.selfLink", "spec.template.metadata.creationTimestamp",
}

// serverAnnotations are annotations that tools, not people, write.
var serverAnnotations = []string{"kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision"}

func (m *mapper) serverSet(o *Object) {
	const detail = "The cluster wrote this (the input looks like `kubectl get -o yaml` output); it is not configuration, so nothing is lost."
	for _, f := range serverFields {
		if n := nodeAt(o.Node, f); n != nil && !isEmpty(n) {
			o.report(m.res, f, importer.ServerSet, detail)
		}
	}
	for _, a := range serverAnnotations {
		if nodeAt(o.Node, "metadata.annotations") != nil && child(child(child(o.Node, "metadata"), "annotations"), a) != nil {
			o.reportSegs(m.res, []string{"metadata", "annotations", a}, importer.ServerSet, detail)
		}
	}
}
