package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// legacyValue is the render path before jsontree.go: the marshalled
// object decoded into map[string]any, status deleted, then cleaned. It is
// the reference the one-pass tree must match exactly.
func legacyValue(t *testing.T, obj any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	delete(v, "status")
	if err := legacyClean(v); err != nil {
		t.Fatal(err)
	}
	return v
}

func legacyClean(v any) error {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			if n, ok := child.(json.Number); ok {
				i, err := n.Int64()
				if err != nil {
					return err
				}
				x[k] = i
				continue
			}
			if err := legacyClean(child); err != nil {
				return err
			}
			if child == nil {
				delete(x, k)
			} else if m, ok := child.(map[string]any); ok && len(m) == 0 && noiseKeys[k] {
				delete(x, k)
			}
		}
	case []any:
		for i, child := range x {
			if n, ok := child.(json.Number); ok {
				n, err := n.Int64()
				if err != nil {
					return err
				}
				x[i] = n
				continue
			}
			if err := legacyClean(child); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkSamePath renders obj through render and through the legacy map
// path and wants the same bytes.
func checkSamePath(t *testing.T, name string, obj any) {
	t.Helper()
	var got, want bytes.Buffer
	if err := render(&got, obj); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := writeYAML(&want, legacyValue(t, obj)); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if got.String() != want.String() {
		t.Fatalf("%s: render differs from the map path:\ngot:\n%s\nwant:\n%s", name, got.String(), want.String())
	}
}

// Every object of the golden models renders exactly as the map path did.
func TestRenderMatchesMapPath(t *testing.T) {
	for name, m := range goldenModels() {
		for i := range m.Services {
			b := newBuilder(m, &m.Services[i])
			env, model := b.envConfigMap(), b.modelConfigMap()
			objs := []any{b.serviceAccount(), b.service(), b.deployment(env, model)}
			if env != nil {
				objs = append(objs, env)
			}
			if model != nil {
				objs = append(objs, model)
			}
			if o := b.hpa(); o != nil {
				objs = append(objs, o)
			}
			if o := b.pdb(); o != nil {
				objs = append(objs, o)
			}
			if o := b.ingress(); o != nil {
				objs = append(objs, o)
			}
			if o := b.networkPolicy(); o != nil {
				objs = append(objs, o)
			}
			for j, o := range objs {
				checkSamePath(t, fmt.Sprintf("%s/%s/%d", name, m.Services[i].Name, j), o)
			}
		}
	}
}

// Strings that need escapes in JSON (quotes, backslashes, control
// characters, '<' and '&', invalid UTF-8) decode as encoding/json does, as
// keys and as values; empty noise objects, nulls and status are dropped.
func TestRenderEscapesAndCleaning(t *testing.T) {
	data := map[string]string{}
	for i, s := range append(hostileStrings, "<b>&amp;</b>", "bad\xffutf8", "\x00nul", "surrogate 𝄞") {
		data[fmt.Sprintf("k%03d", i)] = s
		if s != "" {
			data[s] = "key"
		}
	}
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "x", Labels: map[string]string{"a": "b"}},
		Data:       data,
	}
	checkSamePath(t, "configmap", cm)
	pod := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Args: []string{"a\"b", `c\d`}}},
			Volumes: []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}},
		Status: corev1.PodStatus{Phase: "Running"},
	}
	checkSamePath(t, "pod", pod)
	var got bytes.Buffer
	if err := render(&got, pod); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"status", "metadata", "resources", "creationTimestamp"} {
		if strings.Contains(got.String(), gone+":") {
			t.Errorf("%s should be dropped:\n%s", gone, got.String())
		}
	}
	if !strings.Contains(got.String(), "emptyDir: {}") {
		t.Errorf("emptyDir: {} must stay:\n%s", got.String())
	}
}

// A float or a malformed document is an error, never a silent rounding.
func TestTreeRejects(t *testing.T) {
	for _, src := range []string{`{"a":1.5}`, `{"a":[1e3]}`, `{"a":[null]}`, `{"a":`, `{"a" 1}`, `[1]`, `{"a":"x}`, `{"a":tru}`} {
		var tr tree
		if err := tr.parseObject(src); err == nil {
			t.Errorf("%s: want an error", src)
		}
	}
}
