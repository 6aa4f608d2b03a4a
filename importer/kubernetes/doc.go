// Package kubernetes owns `nbac import kubernetes`: it reads Kubernetes
// YAML (files or directories of multi-document *.yaml / *.yml, `helm
// template` output included), decodes every object strictly into the
// k8s.io/api types, matches related objects the way Kubernetes does
// (Service selector to pod labels, HPA scaleTargetRef, Ingress backend
// service, PDB and NetworkPolicy selectors, the pod's ServiceAccount and
// the ConfigMaps its environment reads, a Gateway API route's
// backendRefs) and writes one nbac `service` block per Deployment, a
// `gateway` block per Gateway API Gateway (sigs.k8s.io/gateway-api
// types), plus the project block. Gateways and routes are checked with
// nbac's own validation (schema/validate) before they are written.
//
// Nothing is dropped silently. Every field the mapping uses is marked
// consumed; every field it decides against is reported with its reason;
// a last walk over each object's YAML reports whatever was neither, so a
// field this package has never heard of still gets a located warning.
// Unknown fields (not in the k8s.io/api types) are warnings, not errors:
// a `helm template` of a chart written for another Kubernetes version
// should still import, and the field is reported at its line.
//
// The Estate an import returns keeps each original typed object and the
// nbac object it became, so the round trip (subpackage roundtrip) can
// compare the two.
package kubernetes
