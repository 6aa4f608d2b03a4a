package kubetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// EnvBinary names the kube-apiserver-test binary to use instead of the
// cached build.
const EnvBinary = "NBAC_KUBE_APISERVER"

// ErrUnavailable is returned by Start when no binary is built.
var ErrUnavailable = errors.New("kube-apiserver-test is not built")

// Server is a running API server.
type Server struct {
	URL        string
	Kubeconfig string // a kubeconfig file with one context, "nbac-test"
	Config     *rest.Config
	dir        string
	cmd        *exec.Cmd
	log        *os.File
	done       chan struct{}
	stopOnce   sync.Once
}

// Binary finds the server binary: $NBAC_KUBE_APISERVER, else the cached
// build for the nested module's current go.sum and main.go.
func Binary() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%w: %s=%s: %v", ErrUnavailable, EnvBinary, p, err)
		}
		return p, nil
	}
	p, err := CachePath()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%w at %s (run `make kube-apiserver-test`, about 10 minutes cold)", ErrUnavailable, p)
	}
	return p, nil
}

// CachePath is where `make kube-apiserver-test` puts the binary:
// $XDG_CACHE_HOME/nbac/kube-apiserver-test-HASH, HASH the first 16 hex
// digits of sha256(go.sum + main.go) of the nested module, as the
// Makefile computes it.
func CachePath() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, f := range []string{"conformance/kubernetes/go.sum", "conformance/kubernetes/cmd/kube-apiserver-test/main.go"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "nbac", "kube-apiserver-test-"+hex.EncodeToString(h.Sum(nil))[:16]), nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "conformance", "kubernetes", "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: not inside the nbac repository", ErrUnavailable)
		}
		dir = parent
	}
}

// Start runs a server with its files in dir (certificates, token file,
// etcd data, log) and waits until /readyz answers ok. The wait is bounded
// only to stop a broken start from hanging: a slow machine just waits.
func Start(dir string) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := selfSigned()
	if err != nil {
		return nil, err
	}
	saKey, saPub, err := serviceAccountKeys()
	if err != nil {
		return nil, err
	}
	token := randomToken()
	files := map[string][]byte{
		"serving.crt": certPEM, "serving.key": keyPEM, "sa.key": saKey, "sa.pub": saPub,
		"tokens.csv": []byte(token + ",nbac-test,nbac-test,system:masters\n"),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	f := func(name string) string { return filepath.Join(dir, name) }
	args := []string{"-data", f("data"),
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + strconv.Itoa(port),
		"--tls-cert-file=" + f("serving.crt"), "--tls-private-key-file=" + f("serving.key"),
		"--token-auth-file=" + f("tokens.csv"), "--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc", "--service-account-key-file=" + f("sa.pub"),
		"--service-account-signing-key-file=" + f("sa.key"),
		"--service-cluster-ip-range=10.0.0.0/24", "--endpoint-reconciler-type=none",
		"--enable-priority-and-fairness=false", "--profiling=false", "--v=0",
	}
	logf, err := os.Create(f("kube-apiserver.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &Server{URL: "https://127.0.0.1:" + strconv.Itoa(port), dir: dir, cmd: cmd, log: logf, done: make(chan struct{})}
	go func() { cmd.Wait(); close(s.done) }()
	s.Config = &rest.Config{Host: s.URL, BearerToken: token, TLSClientConfig: rest.TLSClientConfig{CAData: certPEM}, QPS: 200, Burst: 400}
	if err := s.writeKubeconfig(certPEM, token); err != nil {
		s.Stop()
		return nil, err
	}
	if err := s.waitReady(certPEM, token); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) writeKubeconfig(ca []byte, token string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["nbac-test"] = &clientcmdapi.Cluster{Server: s.URL, CertificateAuthorityData: ca}
	cfg.AuthInfos["nbac-test"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["nbac-test"] = &clientcmdapi.Context{Cluster: "nbac-test", AuthInfo: "nbac-test"}
	cfg.CurrentContext = "nbac-test"
	s.Kubeconfig = filepath.Join(s.dir, "kubeconfig")
	return clientcmd.WriteToFile(*cfg, s.Kubeconfig)
}

// readyWait bounds the wait for /readyz (about 4 s on an idle machine).
const readyWait = 5 * time.Minute

func (s *Server) waitReady(ca []byte, token string) error {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	deadline := time.Now().Add(readyWait)
	for {
		select {
		case <-s.done:
			return fmt.Errorf("kube-apiserver-test exited before it was ready:\n%s", s.Log())
		default:
		}
		req, _ := http.NewRequest("GET", s.URL+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kube-apiserver-test not ready after %s:\n%s", readyWait, s.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Log is the server's output so far, the last 8 KB.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "kube-apiserver.log"))
	if len(b) > 8192 {
		b = b[len(b)-8192:]
	}
	return string(b)
}

// Stop ends the server and waits for it.
func (s *Server) Stop() {
	if s == nil {
		return
	}
	s.stopOnce.Do(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(time.Minute):
			s.cmd.Process.Kill()
			<-s.done
		}
		s.log.Close()
	})
}

// Require returns s, or skips the test loudly when err says the server is
// unavailable (fails it under NBAC_REQUIRE_SERVICES=1, as CI sets); any
// other start error fails it.
func Require(t testing.TB, s *Server, err error) *Server {
	t.Helper()
	if err == nil {
		return s
	}
	if errors.Is(err, ErrUnavailable) && os.Getenv("NBAC_REQUIRE_SERVICES") != "1" {
		t.Skip("SKIP: " + err.Error() + ": the tests against a real Kubernetes API server did NOT run")
	}
	t.Fatalf("kube-apiserver-test: %v", err)
	return nil
}

func selfSigned() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kube-apiserver-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), nil
}

func serviceAccountKeys() (priv, pub []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	pb, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pb}), nil
}

func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
