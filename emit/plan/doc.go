// Package plan computes what `nbac build` would change in an output
// directory, without writing anything: which artifacts it would add,
// change or remove, and for each change what differs.
//
// Kubernetes manifests are compared as objects, not text: each document is
// keyed by kind/namespace/name and compared field by field with go-cmp,
// so key order and formatting never show up as changes, and lists of named
// items (containers, ports, env, volumes, ...; or, without names, HPA
// metrics by resource, Ingress rules by host, mounts by path) are matched
// by that identity, so a change inside one is reported as
// `containers[api].image`, not as a shifted list. A ConfigMap whose name carries a content hash is paired
// with its predecessor and shown as a data change. Other files (HAProxy
// and Nginx configurations, model.json) get a unified diff.
//
// The plan's JSON form (Document) is a stable, versioned format described
// by plan.schema.json in this directory and docs/cli.md.
package plan
