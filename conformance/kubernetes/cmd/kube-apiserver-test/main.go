// Command kube-apiserver-test is the real Kubernetes API server (k8s.io/kubernetes
// v1.33, cmd/kube-apiserver/app) with etcd embedded in the same process, so the
// live tests of the main module (live/kube, cmd/nbac) run against the upstream
// server without a cluster or an etcd binary. It is built once per go.sum of this
// module and cached outside the clone (make kube-apiserver-test).
//
// Usage: kube-apiserver-test -data DIR [kube-apiserver flags...]
//
// The embedded etcd listens on a free loopback port and keeps its data in
// DIR/etcd; --etcd-servers is added to the API server's flags. The process ends
// when the API server command returns or on SIGTERM/SIGINT.
package main

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "kube-apiserver-test:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 2 || args[0] != "-data" {
		return fmt.Errorf("usage: kube-apiserver-test -data DIR [kube-apiserver flags...]")
	}
	dataDir, apiArgs := args[1], args[2:]
	etcdURL, stop, err := startEtcd(filepath.Join(dataDir, "etcd"))
	if err != nil {
		return err
	}
	defer stop()
	cmd := app.NewAPIServerCommand()
	cmd.SetArgs(append([]string{"--etcd-servers=" + etcdURL}, apiArgs...))
	return cmd.Execute()
}

// startEtcd runs a single-member etcd in this process on free loopback ports.
func startEtcd(dir string) (string, func(), error) {
	clientURL, err := freeURL()
	if err != nil {
		return "", nil, err
	}
	peerURL, err := freeURL()
	if err != nil {
		return "", nil, err
	}
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.Logger = "zap"
	cfg.LogLevel = "error"
	cfg.ListenClientUrls = []url.URL{*clientURL}
	cfg.AdvertiseClientUrls = []url.URL{*clientURL}
	cfg.ListenPeerUrls = []url.URL{*peerURL}
	cfg.AdvertisePeerUrls = []url.URL{*peerURL}
	cfg.InitialCluster = cfg.Name + "=" + peerURL.String()
	// Tests make many small writes; no fsync keeps a loaded CI machine fast.
	cfg.UnsafeNoFsync = true
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return "", nil, fmt.Errorf("etcd: %w", err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return "", nil, fmt.Errorf("etcd: %w", err)
	case <-time.After(5 * time.Minute):
		e.Close()
		return "", nil, fmt.Errorf("etcd: not ready after 5 minutes")
	}
	return clientURL.String(), e.Close, nil
}

// freeURL reserves a loopback port by listening and closing; etcd binds it next.
func freeURL() (*url.URL, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	return url.Parse("http://" + addr)
}
