// Package kubetest starts the real Kubernetes API server for tests: the
// kube-apiserver-test binary of the nested module conformance/kubernetes
// (k8s.io/kubernetes v1.33 with etcd embedded), built once per go.sum by
// `make kube-apiserver-test` into the user cache directory. A test package
// starts one server (TestMain or its one live test) with a serving
// certificate for 127.0.0.1, a token, service-account keys and no
// controllers, waits for /readyz, and gets a kubeconfig for it.
package kubetest
