// Package kubecheck validates the Kubernetes manifests nbac writes, the way
// an API server and a careful reviewer would, without a cluster:
//
//  1. each document of a multi-document YAML file is checked strictly
//     (unknown fields, wrong types, duplicate keys) against the JSON
//     schemas of Kubernetes v1.33 embedded from schemas/, and against
//     schemas generated from CustomResourceDefinitions (CRDSchemas, in
//     crdschema.go) for the CRD-defined kinds nbac emits;
//  2. semantic checks the schemas cannot express (DNS-1123 names, label
//     keys and values, ports, quantities, request <= limit), using
//     k8s.io/apimachinery's validation helpers, and cross-object checks
//     within the file (selectors match pod labels, the HPA's target
//     exists, Ingress backends name an existing Service and port, the
//     referenced ConfigMaps and ServiceAccount exist);
//  3. every pod template passes Pod Security "restricted" at the latest
//     policy version, evaluated by k8s.io/pod-security-admission.
//
// It is a normal (non-test) package so that every test that emits
// manifests (the emitter's, the golden cases', the examples') can call
// Validate. Problems name the document, the object and the field.
package kubecheck
