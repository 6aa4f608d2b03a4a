package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/nbac/nbac/golden"
	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/schema"
)

// checkSameAsJSON wants render and renderViaJSON to give the same bytes,
// or both to fail.
func checkSameAsJSON(t *testing.T, name string, obj any) {
	t.Helper()
	var got, want bytes.Buffer
	gotErr, wantErr := render(&got, obj), renderViaJSON(&want, obj)
	switch {
	case (gotErr == nil) != (wantErr == nil):
		t.Errorf("%s: render error %v, JSON path error %v", name, gotErr, wantErr)
	case got.String() != want.String():
		t.Errorf("%s: render differs from the JSON path:\ngot:\n%s\nwant:\n%s", name, got.String(), want.String())
	}
}

// checkModel compares every object the emitter builds for m; it returns
// how many it compared.
func checkModel(t *testing.T, name string, m *schema.Model) int {
	t.Helper()
	n := 0
	for i := range m.Services {
		for j, o := range newBuilder(m, &m.Services[i]).objects() {
			checkSameAsJSON(t, fmt.Sprintf("%s/%s/%d(%T)", name, m.Services[i].Name, j, o), o)
			n++
		}
	}
	return n
}

// load compiles a configuration with the HCL front end (only this test
// uses it: the real inputs are the point here).
func load(t *testing.T, dir string, opts lang.Options) *schema.Model {
	t.Helper()
	res := lang.Load(dir, opts)
	if res.Model == nil || res.Diags.HasErrors() {
		return nil
	}
	return res.Model
}

// Every object built for the golden cases, examples/nba with each of its
// variable files, and a generated estate in /tmp/e1000 (when present,
// from bench/estate/cmd/genestate) renders as the JSON path rendered it.
func TestBuildMatchesJSONPath(t *testing.T) {
	for name, m := range goldenModels() {
		checkModel(t, name, m)
	}

	cases, err := filepath.Glob("../../golden/*.txtar")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases (%v)", err)
	}
	total := 0
	for _, c := range cases {
		t.Run(filepath.Base(c), func(t *testing.T) {
			total += checkModel(t, c, loadTxtar(t, c))
		})
	}

	vars, err := filepath.Glob("../../examples/nba/*.nbvars")
	if err != nil || len(vars) == 0 {
		t.Fatalf("no examples/nba/*.nbvars (%v)", err)
	}
	for _, v := range vars {
		abs, _ := filepath.Abs(v)
		m := load(t, "../../examples/nba", lang.Options{VarFiles: []string{abs}})
		if m == nil {
			t.Fatalf("examples/nba with %s does not compile", v)
		}
		total += checkModel(t, v, m)
	}

	const estate = "/tmp/e1000"
	if _, err := os.Stat(estate); err != nil {
		t.Logf("%s absent: generate it with bench/estate/cmd/genestate -n 1000 -o %s", estate, estate)
	} else if m := load(t, estate, lang.Options{}); m == nil {
		t.Errorf("%s does not compile", estate)
	} else {
		total += checkModel(t, estate, m)
	}
	t.Logf("%d objects compared", total)
}

// loadTxtar compiles a golden case's inputs with its args, as golden/
// does; a case that is meant to fail gives nil.
func loadTxtar(t *testing.T, path string) *schema.Model {
	c, err := golden.ReadCase(path)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := c.Options()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := golden.WriteInputs(dir, c.Inputs, nil); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir) // -var-file paths are relative to the working directory
	m := load(t, ".", opts)
	if m == nil {
		t.Skip("the case does not compile")
	}
	return m
}

// Types for the edge cases below.
type (
	inner struct {
		A string `json:"a"`
		X int    `json:"x,omitempty"`
	}
	middle struct {
		inner
		B int `json:"b"`
		X int `json:"x"` // shallower than inner.X: wins
	}
	Other struct {
		A string // "A", not inner's "a"
		C string `json:"c"`
	}
	Twin1   struct{ T string } // T ties with Twin2's: neither is written
	Twin2   struct{ T string }
	Tagged1 struct {
		U string `json:"U"` // the tagged one of two Us wins
	}
	Tagged2 struct{ U string }
	nested  struct {
		metav1.TypeMeta `json:",inline"`
		*middle
		Other
		Twin1
		Twin2
		Tagged1
		Tagged2
		Plain   string `json:",omitempty"`
		Skip    string `json:"-"`
		Dash    string `json:"-,"`
		hidden  string
		Bad     string `json:"a\"b"`
		Quoted  int    `json:"quoted,string"`
		QStr    string `json:"qstr,string"`
		QPtr    *bool  `json:"qptr,string,omitempty"`
		QFloat  float64
		Zero    metav1.Time             `json:"zero,omitzero"`
		ZeroPtr *metav1.Time            `json:"zeroPtr,omitzero"`
		ZeroArr [2]int                  `json:"zeroArr,omitzero"`
		Empty   struct{}                `json:"empty,omitempty"`
		Noise   struct{}                `json:"resources"`
		Floats  []float32               `json:"floats"`
		Negz    float64                 `json:"negz,omitempty"`
		Num     json.Number             `json:"num"`
		Any     any                     `json:"any"`
		IP      net.IP                  `json:"ip"`
		Bytes   []byte                  `json:"bytes"`
		IntKeys map[int]string          `json:"intKeys"`
		TxtKeys map[textKey]int         `json:"txtKeys"`
		PtrM    ptrMarshaler            `json:"ptrM"`
		PtrMs   map[string]ptrMarshaler `json:"ptrMs"`
		Qty     resource.Quantity       `json:"qty"`
		Status  map[string]string       `json:"status"`
	}
	textKey      struct{ k string }
	ptrMarshaler struct{ n int }
)

func (k textKey) MarshalText() ([]byte, error) { return []byte("k-" + k.k), nil }

// MarshalJSON has a pointer receiver: encoding/json calls it only on
// addressable values (not on map values).
func (p *ptrMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{ "n" : %d, "status": 1, "resources": {}, "null": null }`, p.n)), nil
}

func meta(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name} }

// Edge cases of encoding/json and of the cleaning, each rendered both
// ways; a case both paths reject is fine as long as both do.
func TestBuildEdgeCases(t *testing.T) {
	when := metav1.NewTime(time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC))
	cases := map[string]any{
		"nil pod":       (*corev1.Pod)(nil),
		"nil interface": nil,
		"zero pod":      &corev1.Pod{},
		"zero quantity": &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "c",
			Resources: corev1.ResourceRequirements{
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.Quantity{}, corev1.ResourceMemory: resource.MustParse("1.5Gi")},
				Requests: corev1.ResourceList{},
			},
		}}}},
		"quantity pointer": &corev1.Pod{Spec: corev1.PodSpec{Volumes: []corev1.Volume{
			{Name: "a", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("100m"))}}},
			{Name: "b", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: &resource.Quantity{}}}},
			{Name: "c", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		}}},
		"intorstring": &corev1.Service{ObjectMeta: meta("s"), Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{
			{Name: "a", Port: 80, TargetPort: intstr.FromInt32(8080)},
			{Name: "b", Port: 81, TargetPort: intstr.FromString("http")},
			{Name: "c", Port: 82},
			{Name: "d", Port: 83, TargetPort: intstr.FromString("")},
		}}},
		"pdb": &policyv1.PodDisruptionBudget{Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: ptr(intstr.FromString("50%")), MaxUnavailable: ptr(intstr.FromInt32(0)),
			Selector: &metav1.LabelSelector{},
		}},
		"pointers to zero": &appsv1.Deployment{ObjectMeta: meta("d"), Spec: appsv1.DeploymentSpec{
			Replicas: ptr[int32](0), Paused: false, MinReadySeconds: 0, ProgressDeadlineSeconds: ptr[int32](0),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				AutomountServiceAccountToken: ptr(false), EnableServiceLinks: ptr(true),
				SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr(false)},
				Containers:      []corev1.Container{{Name: "c", SecurityContext: &corev1.SecurityContext{}}},
			}},
		}},
		"nil and empty": &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "x", Labels: map[string]string{}, Annotations: nil, Finalizers: []string{}},
			Data:       map[string]string{}, BinaryData: map[string][]byte{"nil": nil, "empty": {}, "bytes": []byte("hi\x00\xff")},
		},
		"empty structs": &appsv1.Deployment{Spec: appsv1.DeploymentSpec{
			Strategy: appsv1.DeploymentStrategy{}, Selector: &metav1.LabelSelector{},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Affinity: &corev1.Affinity{}, DNSConfig: &corev1.PodDNSConfig{}}},
		}},
		"status dropped": &appsv1.Deployment{ObjectMeta: meta("d"), Status: appsv1.DeploymentStatus{Replicas: 3,
			Conditions: []appsv1.DeploymentCondition{{Type: "Available", LastUpdateTime: when}}}},
		"times":                &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", CreationTimestamp: when, DeletionTimestamp: &metav1.Time{}}},
		"raw extension nil":    &appsv1.ControllerRevision{ObjectMeta: meta("r"), Revision: 1},
		"raw extension raw":    &appsv1.ControllerRevision{Data: runtime.RawExtension{Raw: []byte(`{"b": [1, 2, {"status": null, "s": "a b\u00e9\\n"}], "a": {}, "metadata": {}, "status": 1}`)}},
		"raw extension object": &appsv1.ControllerRevision{Data: runtime.RawExtension{Object: &corev1.ConfigMap{Data: map[string]string{"k": "v"}}}},
		"raw extension float":  &appsv1.ControllerRevision{Data: runtime.RawExtension{Raw: []byte(`{"f":1.5}`)}},
		"quoting": &corev1.ConfigMap{Data: map[string]string{
			"yes": "yes", "no": "No", "ver": "1.0", "num": "8080", "colon": "a: b", "hash": "a #b", "multi": "line1\nline2\n",
			"multi-nofinal": "a\nb", "lead-space": " x", "empty": "", "nul": "\x00", "bad": "bad\xffutf8", "ls": "a\u2028b",
			"quote": `"q"`, "html": "<b>&amp;</b>", "tilde": "~", "star": "*a", "bad\xfekey": "v", "bad\xffkey": "w",
			"status": "top-level map keys are not objects' members",
		}},
		"hpa": &autoscalingv2.HorizontalPodAutoscaler{Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			MinReplicas: ptr[int32](1), Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceMemory, Target: autoscalingv2.MetricTarget{
					Type: autoscalingv2.AverageValueMetricType, AverageValue: ptr(resource.MustParse("0"))}}}},
		}},
		"nested embedded": &nested{
			TypeMeta: metav1.TypeMeta{Kind: "K"}, middle: &middle{inner: inner{A: "deep", X: 1}, B: 0, X: 2},
			Other: Other{A: "shallow", C: "c"}, Twin1: Twin1{"1"}, Twin2: Twin2{"2"}, Tagged1: Tagged1{"t"}, Tagged2: Tagged2{"u"},
			Dash: "dash", hidden: "h", Bad: "bad", Quoted: 7, QStr: `a"b`, QPtr: ptr(false), QFloat: 2,
			ZeroPtr: &metav1.Time{}, Floats: []float32{1, 3e9}, Negz: math.Copysign(0, -1), Num: "12",
			Any: map[string]any{"n": nil, "l": []any{1, "x", true, map[string]any{}}, "p": &inner{A: "p"}, "status": "kept"},
			IP:  net.ParseIP("10.0.0.1"), Bytes: []byte("bytes"), IntKeys: map[int]string{10: "ten", 9: "nine", -1: "minus"},
			TxtKeys: map[textKey]int{{"b"}: 2, {"a"}: 1}, PtrM: ptrMarshaler{5}, PtrMs: map[string]ptrMarshaler{"m": {6}},
			Status: map[string]string{"x": "y"},
		},
		"nil embedded pointer": &nested{Num: ""},
		"float fraction":       &nested{QFloat: 1.5},
		"float huge":           &nested{QFloat: 1e21},
		"bad number":           &nested{Num: "+1"},
		"big uint":             map[string]any{"u": uint64(math.MaxUint64)},
		"null in list":         map[string]any{"l": []*int{nil}},
		"not an object":        []string{"a"},
		"string root":          "s",
		"long key":             map[string]any{strings.Repeat("k", 1100): 1},
	}
	for name, obj := range cases {
		checkSameAsJSON(t, name, obj)
	}
	// The pooled trees must not carry anything from one object to the next.
	for name, obj := range cases {
		checkSameAsJSON(t, name+" again", obj)
	}
}

// A type that contains itself gets one encoder, without deadlock.
func TestBuildRecursiveType(t *testing.T) {
	type node struct {
		Name string  `json:"name"`
		Kids []*node `json:"kids,omitempty"`
		Next *node   `json:"next,omitempty"`
	}
	n := &node{Name: "a", Kids: []*node{{Name: "b", Next: &node{Name: "c"}}}}
	checkSameAsJSON(t, "recursive", n)
}

// Objects render without reflecting on JSON text: most of the emitter's
// allocations went to marshalling and parsing.
func BenchmarkRender(b *testing.B) {
	m := nbaModel()
	objs := newBuilder(m, &m.Services[0]).objects()
	for _, path := range []struct {
		name string
		fn   func(*bytes.Buffer, any) error
	}{{"walk", render}, {"json", renderViaJSON}} {
		b.Run(path.name, func(b *testing.B) {
			var out bytes.Buffer
			for b.Loop() {
				out.Reset()
				for _, o := range objs {
					if err := path.fn(&out, o); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
