// Package kubernetes owns nbac's Kubernetes emitter: for every service
// block it writes one multi-document YAML file, kubernetes/<service>.yaml,
// holding (in this fixed order, each only when configured) a
// ServiceAccount, the env ConfigMap, the model ConfigMap, a Service, a
// Deployment, an autoscaling/v2 HorizontalPodAutoscaler, a policy/v1
// PodDisruptionBudget, a networking/v1 Ingress, a Gateway API
// ReferenceGrant and HTTPRoute or GRPCRoute (gateway.go), and a
// NetworkPolicy; every gateway block is kubernetes/<name>.gateway.yaml.
//
// Objects are built from the typed k8s.io/api structs, so a field the API
// does not have cannot be written. A reflect walk turns them into a
// cleaned tree with sorted keys by encoding/json's rules (objtree.go,
// objfields.go), the tree marshalling through their JSON tags (as
// sigs.k8s.io/yaml does) and parsing that text back gave, and a small
// block-YAML writer writes it (yamlwrite.go): the general-purpose
// encoders took ~90% of the time of a 1,000-service build, and the JSON
// text in between most of what was left. The writer's quoting is
// conservative and every case is read back with two YAML parsers in the
// tests (and fuzzed).
// Every default of the design brief (section 4a) is applied here, in one
// place per concern (defaults.go lists the values); docs/kubernetes.md
// documents them for users. Output is deterministic: no map is iterated
// for output order, names that carry a hash hash canonical content, and
// nothing depends on the clock, the environment or the file system.
//
// Subpackage kubecheck validates what this package writes (strict JSON
// schemas, semantic and cross-object checks, Pod Security "restricted").
package kubernetes
