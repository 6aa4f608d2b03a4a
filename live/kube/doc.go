// Package kube plans and applies a build's Kubernetes objects against a real
// API server: server-side apply with the field manager "nbac", ownership
// and pruning through an ApplySet (KEP-3659: a parent ConfigMap labelled
// applyset.kubernetes.io/id and an applyset.kubernetes.io/part-of label on
// every member), drift as the fields of nbac's objects that another field
// manager set, and prune candidates as members the source no longer has.
//
// A plan is a server-side dry-run apply of every object compared field by
// field with the live object (emit/plan's comparison), so defaults the API
// server adds never show as changes. Nothing here deletes an object that
// does not carry this ApplySet's part-of label.
package kube
