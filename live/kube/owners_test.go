package kube

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Field paths in managedFields' fieldsV1 form are matched to emit/plan's
// paths whatever identifies a list item: a container by name in both, a
// port by its whole key in managedFields and by name in the plan.
func TestOtherOwnerMatchesPlanPaths(t *testing.T) {
	u := &unstructured.Unstructured{}
	u.SetManagedFields([]metav1.ManagedFieldsEntry{
		{Manager: "nbac", Operation: metav1.ManagedFieldsOperationApply, FieldsType: "FieldsV1",
			FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:metadata":{"f:labels":{"f:app.kubernetes.io/name":{}}},"f:spec":{"f:revisionHistoryLimit":{}}}`)}},
		{Manager: "kubectl-edit", Operation: metav1.ManagedFieldsOperationUpdate, FieldsType: "FieldsV1",
			FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"api\"}":{".":{},"f:image":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}`)}},
		{Manager: "labeller", Operation: metav1.ManagedFieldsOperationUpdate, FieldsType: "FieldsV1",
			FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:metadata":{"f:labels":{"f:team":{}}}}`)}},
		{Manager: "status-writer", Operation: metav1.ManagedFieldsOperationUpdate, Subresource: "status", FieldsType: "FieldsV1",
			FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:spec":{"f:revisionHistoryLimit":{}}}`)}},
	})
	o := fieldOwners(u)
	for path, want := range map[string]string{
		"spec.replicas": "kubectl-edit",
		"spec.template.spec.containers[api].image":                "kubectl-edit",
		"spec.template.spec.containers[api].ports[http]":          "kubectl-edit",
		"spec.template.spec.containers[api].ports[http].protocol": "kubectl-edit",
		"metadata.labels.team":                                    "labeller",
		`metadata.labels["app.kubernetes.io/name"]`:               "",
		"spec.revisionHistoryLimit":                               "", // nbac's; a status writer does not count
		"spec.paused":                                             "",
		"spec.replicasx":                                          "",
	} {
		if got := o.otherOwner(path); got != want {
			t.Errorf("otherOwner(%s) = %q, want %q", path, got, want)
		}
	}
}

// The ApplySet ID is the KEP-3659 hash kubectl computes for a ConfigMap
// parent: base64url(sha256("<name>.<namespace>.ConfigMap.")) between
// "applyset-" and "-v1". The expected value was computed apart from Go,
// with Python's hashlib and base64.urlsafe_b64encode.
func TestApplySetID(t *testing.T) {
	const want = "applyset-9sfRCQcjp5WO0TYuesUby9duGSN679ygc5b62mKPJt8-v1"
	if got := ForProject("hello", "hello").ID(); got != want {
		t.Fatalf("id = %q, want %q", got, want)
	}
	if ForProject("hello", "other").ID() == want {
		t.Fatal("the namespace is not part of the id")
	}
}
