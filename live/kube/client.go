package kube

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

// FieldManager is the server-side apply field manager of every nbac write.
const FieldManager = "nbac"

// Client talks to one API server.
type Client struct {
	dyn    dynamic.Interface
	mapper meta.ResettableRESTMapper
	// Server is the API server's URL, for messages.
	Server string
}

// ErrNoKubeconfig is Connect's error when no kubeconfig was asked for and
// none is found ($KUBECONFIG unset or empty, no ~/.kube/config, not in a
// pod): the caller may leave Kubernetes out rather than fail, since nobody
// pointed it at a cluster. A kubeconfig or context that was named and is
// wrong stays an error.
var ErrNoKubeconfig = errors.New("no kubeconfig (-kubeconfig, $KUBECONFIG, ~/.kube/config)")

// Connect loads a kubeconfig the way kubectl does: the file given, else
// $KUBECONFIG, else ~/.kube/config; context overrides the current context.
func Connect(kubeconfig, context string) (*Client, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context})
	cfg, err := cc.ClientConfig()
	if err != nil && clientcmd.IsEmptyConfig(err) && kubeconfig == "" && context == "" {
		return nil, ErrNoKubeconfig
	}
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	return NewClient(cfg)
}

// NewClient makes a client from a REST config.
func NewClient(cfg *rest.Config) (*Client, error) {
	cfg = rest.CopyConfig(cfg)
	// Deprecation warnings of the API server are not nbac's output.
	cfg.WarningHandler = rest.NoWarnings{}
	cfg.UserAgent = "nbac"
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{dyn: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)), Server: cfg.Host}, nil
}
