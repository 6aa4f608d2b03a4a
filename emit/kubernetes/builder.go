package kubernetes

import (
	"maps"
	"strings"

	"github.com/hashicorp/hcl/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/nbac/nbac/schema"
)

// The recommended labels (kubernetes.io/docs/concepts/overview/
// working-with-objects/common-labels).
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelVersion   = "app.kubernetes.io/version"
	LabelComponent = "app.kubernetes.io/component"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelManagedBy = "app.kubernetes.io/managed-by"
)

// RecommendedLabels lists the six labels every emitted object carries.
var RecommendedLabels = []string{LabelName, LabelInstance, LabelVersion, LabelComponent, LabelPartOf, LabelManagedBy}

// builder renders one service. It collects diagnostics instead of
// stopping at the first, so a user sees every problem of a service at once.
type builder struct {
	m        *schema.Model
	svc      *schema.Service
	labels   map[string]string // every object's labels
	selector map[string]string // name + instance only: apps/v1 selectors are immutable
	diags    hcl.Diagnostics
	reported map[string]bool // quantities already reported as invalid
}

func newBuilder(m *schema.Model, svc *schema.Service) *builder {
	// Later writes win: project labels, then service labels, then the
	// recommended labels nbac owns (component alone may be overridden).
	l := map[string]string{LabelComponent: defaultComponent}
	maps.Copy(l, m.Project.Labels)
	maps.Copy(l, svc.Labels)
	l[LabelName] = svc.Name
	l[LabelInstance] = svc.Name
	l[LabelVersion] = imageVersion(svc.Image)
	l[LabelPartOf] = m.Project.Name
	l[LabelManagedBy] = managedBy
	return &builder{
		m:        m,
		svc:      svc,
		labels:   l,
		selector: map[string]string{LabelName: svc.Name, LabelInstance: svc.Name},
	}
}

// meta returns object metadata with a private copy of the labels.
func (b *builder) meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: b.m.Project.Namespace, Labels: maps.Clone(b.labels)}
}

// selectorCopy returns the selector labels as a fresh LabelSelector.
func (b *builder) labelSelector() *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: maps.Clone(b.selector)}
}

// at is the range of attr in a nested block, or the service's own range
// when the nested block has none (a model read back from JSON, or built in
// Go), so a diagnostic still points at something.
func (b *builder) at(src schema.Source, attr string) *hcl.Range {
	if r := src.Range(attr); r != nil {
		return r
	}
	return b.svc.Src.Range("")
}

func (b *builder) errorf(subject *hcl.Range, summary, detail string) {
	b.diags = append(b.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: subject})
}

func (b *builder) warnf(subject *hcl.Range, summary, detail string) {
	b.diags = append(b.diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: detail, Subject: subject})
}

// imageVersion derives app.kubernetes.io/version from an image reference:
// its tag ("repo/app:v1.0.0" -> "v1.0.0"), else the start of its digest,
// else "latest" (what the runtime pulls for an untagged image). The result
// is always a valid label value.
func imageVersion(image string) string {
	ref, digest, _ := strings.Cut(image, "@")
	last := ref[strings.LastIndexByte(ref, '/')+1:]
	v := ""
	if i := strings.LastIndexByte(last, ':'); i >= 0 {
		v = last[i+1:]
	}
	if v == "" && digest != "" {
		// "sha256:abc..." -> "sha256-abc...", short enough to read.
		v = strings.ReplaceAll(digest, ":", "-")
		if len(v) > 19 {
			v = v[:19]
		}
	}
	if len(v) > validation.LabelValueMaxLength {
		v = v[:validation.LabelValueMaxLength]
	}
	v = strings.Trim(v, "-_.")
	if v == "" || len(validation.IsValidLabelValue(v)) > 0 {
		return "latest"
	}
	return v
}

func ptr[T any](v T) *T { return &v }
