// Package kubernetes is nbac's differential conformance test against the
// Kubernetes API server's own validation.
//
// It lives in a nested module so that k8s.io/kubernetes (v1.33 line, with
// its staging modules pinned to v0.33.x by replace directives) never enters
// nbac's main go.mod, whose k8s.io/api is newer. The two meet only at a
// process and file boundary: the test builds the nbac CLI from the parent
// module, runs `nbac build -json` on generated HCL, decodes the YAML it
// writes with the v1.33 scheme (which applies the API server's defaulting
// while converting to the internal types), and runs the create-path
// validation the API server's registry strategies run (pkg/apis/*/validation
// with the same options). The invariant: a configuration nbac accepts yields
// objects the API server accepts; one nbac rejects gets an error located at
// the HCL that caused it.
package kubernetes
