// Package kubernetes owns nbac's Kubernetes emitter: for every service
// block it writes one multi-document YAML file, kubernetes/<service>.yaml,
// holding (in this fixed order, each only when configured) a
// ServiceAccount, the env ConfigMap, the model ConfigMap, a Service, a
// Deployment, an autoscaling/v2 HorizontalPodAutoscaler, a policy/v1
// PodDisruptionBudget, a networking/v1 Ingress and a NetworkPolicy.
//
// Objects are built from the typed k8s.io/api structs and marshalled with
// sigs.k8s.io/yaml, so a field the API does not have cannot be written.
// Every default of the design brief (section 4a) is applied here, in one
// place per concern (defaults.go lists the values); docs/kubernetes.md
// documents them for users. Output is deterministic: no map is iterated
// for output order, names that carry a hash hash canonical content, and
// nothing depends on the clock, the environment or the file system.
//
// Subpackage kubecheck validates what this package writes (strict JSON
// schemas, semantic and cross-object checks, Pod Security "restricted").
package kubernetes
