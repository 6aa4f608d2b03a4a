// Package kedaapi holds the few KEDA (keda.sh/v1alpha1) types nbac emits,
// ScaledObject and TriggerAuthentication, as small local structs with the
// JSON names of KEDA's own API types (github.com/kedacore/keda/v2/apis/
// keda/v1alpha1). Importing KEDA's module would pull its controller and
// every cloud SDK into nbac's build; these structs carry only the fields
// nbac writes, and the tests validate every emitted object strictly
// against JSON schemas generated from the CRDs in KEDA's module zip
// (emit/kubernetes/kubecheck), so a misspelt or misplaced field fails.
package kedaapi
