package roundtrip

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/nbac/nbac/importer/kubernetes"
)

func itoa(i int) string { return strconv.Itoa(i) }

// cmpOptions compare the typed objects by meaning: quantities by value
// ("1000m" is "1"), nil and empty collections alike (JSON omits both).
var cmpOptions = []cmp.Option{
	cmp.Comparer(func(a, b resource.Quantity) bool { return a.Cmp(b) == 0 }),
	cmp.Comparer(func(a, b metav1.Time) bool { return a.Equal(&b) }),
	cmp.Comparer(func(a, b intstr.IntOrString) bool { return a == b }),
	cmpopts.EquateEmpty(),
}

// diffObjects compares an original with nbac's object of the same role.
func diffObjects(o, b *kubernetes.Object, envs *envResolver, services map[string]string) []Diff {
	x := o.Typed.(runtime.Object).DeepCopyObject()
	y := b.Typed.(runtime.Object).DeepCopyObject()
	renameBackends(x, services)
	applyDefaults(x)
	applyDefaults(y)
	var diffs []Diff
	if dx, ok := x.(*appsv1.Deployment); ok {
		dy := y.(*appsv1.Deployment)
		diffs = append(diffs, envs.diff(o, dx, dy)...)
	}
	c := &collector{}
	cmp.Equal(x, y, append(cmpOptions, cmp.Reporter(c))...)
	for _, r := range c.diffs {
		diffs = append(diffs, classify(o, r.segs, r.segs, r.x, r.y))
	}
	return diffs
}

type rawDiff struct {
	segs []string
	x, y reflect.Value
}

// collector is a cmp.Reporter that keeps each difference with its path
// in JSON field names (the names the YAML and the report use).
type collector struct {
	path  cmp.Path
	diffs []rawDiff
}

func (c *collector) PushStep(ps cmp.PathStep) { c.path = append(c.path, ps) }
func (c *collector) PopStep()                 { c.path = c.path[:len(c.path)-1] }

func (c *collector) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	vx, vy := c.path.Last().Values()
	c.diffs = append(c.diffs, rawDiff{segs: jsonPath(c.path), x: vx, y: vy})
}

func jsonPath(p cmp.Path) []string {
	var segs []string
	for i, step := range p {
		switch s := step.(type) {
		case cmp.StructField:
			parent := p[i-1].Type()
			for parent.Kind() == reflect.Pointer {
				parent = parent.Elem()
			}
			f := parent.Field(s.Index())
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || name == "" && f.Anonymous {
				continue
			}
			if name == "" {
				name = f.Name
			}
			segs = append(segs, name)
		case cmp.SliceIndex:
			ix, iy := s.SplitKeys()
			if ix < 0 {
				ix = iy
			}
			segs = append(segs, "["+itoa(ix)+"]")
		case cmp.MapIndex:
			segs = append(segs, fmt.Sprint(s.Key().Interface()))
		}
	}
	return segs
}

// render is v as JSON, "" when absent (invalid, nil or zero).
func render(v reflect.Value) string {
	if !v.IsValid() || isAbsent(v) {
		return ""
	}
	if !v.CanInterface() {
		return fmt.Sprint(v)
	}
	raw, err := json.Marshal(v.Interface())
	if err != nil {
		return fmt.Sprint(v.Interface())
	}
	s := string(raw)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

func isAbsent(v reflect.Value) bool {
	if !v.IsValid() {
		return true
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Map, reflect.Slice:
		return v.Len() == 0
	}
	return v.IsZero()
}

// classify decides a difference's class: reported at import first (the
// user has been told), then nbac's documented rules, else unexpected.
// origSegs is the path the import used for the original field (the env
// entry's own path for an environment variable).
func classify(o *kubernetes.Object, segs, origSegs []string, x, y reflect.Value) Diff {
	d := Diff{Path: kubernetes.JoinPath(segs), Original: render(x), Nbac: render(y)}
	for _, w := range o.Reported() {
		if kubernetes.HasPathPrefix(origSegs, w) || kubernetes.HasPathPrefix(w, origSegs) && isAbsent(y) {
			d.Class, d.Reason = Reported, "reported by the import"
			return d
		}
	}
	if r := matchRule(o.Kind, segs, isAbsent(x), isAbsent(y)); r != nil {
		d.Class, d.Reason = Expected, r.reason
		return d
	}
	d.Class, d.Reason = Unexpected, "no rule of docs/import.md accounts for it"
	return d
}

// applyDefaults fills the fields the API server defaults on create, on
// both sides, so that writing a default out is no difference.
func applyDefaults(obj runtime.Object) {
	switch t := obj.(type) {
	case *appsv1.Deployment:
		for i := range t.Spec.Template.Spec.Containers {
			c := &t.Spec.Template.Spec.Containers[i]
			for j := range c.Ports {
				if c.Ports[j].Protocol == "" {
					c.Ports[j].Protocol = corev1.ProtocolTCP
				}
			}
			for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
				if p == nil {
					continue
				}
				p.PeriodSeconds = or(p.PeriodSeconds, 10)
				p.TimeoutSeconds = or(p.TimeoutSeconds, 1)
				p.SuccessThreshold = or(p.SuccessThreshold, 1)
				p.FailureThreshold = or(p.FailureThreshold, 3)
				if p.HTTPGet != nil && p.HTTPGet.Scheme == "" {
					p.HTTPGet.Scheme = corev1.URISchemeHTTP
				}
			}
		}
	case *corev1.Service:
		if t.Spec.Type == "" {
			t.Spec.Type = corev1.ServiceTypeClusterIP
		}
		if t.Spec.SessionAffinity == "" {
			t.Spec.SessionAffinity = corev1.ServiceAffinityNone
		}
		for i := range t.Spec.Ports {
			p := &t.Spec.Ports[i]
			if p.Protocol == "" {
				p.Protocol = corev1.ProtocolTCP
			}
			if p.TargetPort == (intstr.IntOrString{}) {
				p.TargetPort = intstr.FromInt32(p.Port)
			}
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		if t.Spec.MinReplicas == nil {
			one := int32(1)
			t.Spec.MinReplicas = &one
		}
		if len(t.Spec.Metrics) == 0 {
			pct := int32(80)
			t.Spec.Metrics = []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
				Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &pct}}}}
		}
	case *gatewayv1.Gateway:
		defaultGateway(t)
	case *gatewayv1.HTTPRoute:
		defaultHTTPRoute(t)
	case *gatewayv1.GRPCRoute:
		defaultGRPCRoute(t)
	case *networkingv1.NetworkPolicy:
		for i := range t.Spec.Ingress {
			for j := range t.Spec.Ingress[i].Ports {
				if t.Spec.Ingress[i].Ports[j].Protocol == nil {
					tcp := corev1.ProtocolTCP
					t.Spec.Ingress[i].Ports[j].Protocol = &tcp
				}
			}
		}
		if len(t.Spec.PolicyTypes) == 0 {
			t.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
			if len(t.Spec.Egress) > 0 {
				t.Spec.PolicyTypes = append(t.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
			}
		}
	}
}

func or(v, def int32) int32 {
	if v == 0 {
		return def
	}
	return v
}

// envResolver computes a container's effective environment, reading the
// ConfigMaps of its own side (the estate's, or nbac's output).
type envResolver struct{ orig, built map[string]*corev1.ConfigMap }

func newEnvResolver(orig, built []*kubernetes.Object) *envResolver {
	r := &envResolver{orig: map[string]*corev1.ConfigMap{}, built: map[string]*corev1.ConfigMap{}}
	for _, side := range []struct {
		objs []*kubernetes.Object
		m    map[string]*corev1.ConfigMap
	}{{orig, r.orig}, {built, r.built}} {
		for _, o := range side.objs {
			if cm, ok := o.Typed.(*corev1.ConfigMap); ok {
				side.m[cm.Name] = cm
			}
		}
	}
	return r
}

type envEntry struct {
	value string
	path  []string // where the original says it
}

// effective is the first container's environment as the kubelet builds
// it: envFrom in order, then env, later entries winning.
func effective(d *appsv1.Deployment, cms map[string]*corev1.ConfigMap) map[string]envEntry {
	out := map[string]envEntry{}
	if len(d.Spec.Template.Spec.Containers) == 0 {
		return out
	}
	c := d.Spec.Template.Spec.Containers[0]
	base := []string{"spec", "template", "spec", "containers", "[0]"}
	for i, ef := range c.EnvFrom {
		p := append(append([]string{}, base...), "envFrom", "["+itoa(i)+"]")
		switch {
		case ef.ConfigMapRef != nil && cms[ef.ConfigMapRef.Name] != nil:
			for k, v := range cms[ef.ConfigMapRef.Name].Data {
				out[ef.Prefix+k] = envEntry{value: strconv.Quote(v), path: p}
			}
		case ef.ConfigMapRef != nil:
			out["(all of ConfigMap "+ef.ConfigMapRef.Name+")"] = envEntry{value: "configMapRef", path: p}
		case ef.SecretRef != nil:
			out["(all of Secret "+ef.SecretRef.Name+")"] = envEntry{value: "secretRef", path: p}
		}
	}
	for i, ev := range c.Env {
		p := append(append([]string{}, base...), "env", "["+itoa(i)+"]")
		v := strconv.Quote(ev.Value)
		if vf := ev.ValueFrom; vf != nil {
			switch {
			case vf.SecretKeyRef != nil:
				v = "secretKeyRef " + vf.SecretKeyRef.Name + "/" + vf.SecretKeyRef.Key
			case vf.ConfigMapKeyRef != nil:
				v = "configMapKeyRef " + vf.ConfigMapKeyRef.Name + "/" + vf.ConfigMapKeyRef.Key
				if cm := cms[vf.ConfigMapKeyRef.Name]; cm != nil {
					if s, ok := cm.Data[vf.ConfigMapKeyRef.Key]; ok {
						v = strconv.Quote(s)
					}
				}
			case vf.FieldRef != nil:
				v = "fieldRef " + vf.FieldRef.FieldPath
			default:
				v = "valueFrom"
			}
		}
		out[ev.Name] = envEntry{value: v, path: p}
	}
	return out
}

// diff compares the effective environments, then takes env and envFrom
// out of both objects so cmp does not compare their spelling.
func (r *envResolver) diff(o *kubernetes.Object, x, y *appsv1.Deployment) []Diff {
	ex, ey := effective(x, r.orig), effective(y, r.built)
	names := map[string]bool{}
	for n := range ex {
		names[n] = true
	}
	for n := range ey {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var diffs []Diff
	for _, n := range sorted {
		a, inX := ex[n]
		b, inY := ey[n]
		if inX && inY && a.value == b.value {
			continue
		}
		segs := []string{"spec", "template", "spec", "containers", "[0]", "env", n}
		orig := segs
		if inX {
			orig = a.path
		}
		var vx, vy reflect.Value
		if inX {
			vx = reflect.ValueOf(a.value)
		}
		if inY {
			vy = reflect.ValueOf(b.value)
		}
		d := classify(o, segs, orig, vx, vy)
		d.Original, d.Nbac = a.value, b.value
		diffs = append(diffs, d)
	}
	for _, d := range []*appsv1.Deployment{x, y} {
		if len(d.Spec.Template.Spec.Containers) > 0 {
			d.Spec.Template.Spec.Containers[0].Env = nil
			d.Spec.Template.Spec.Containers[0].EnvFrom = nil
		}
	}
	return diffs
}
