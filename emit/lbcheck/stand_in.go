package lbcheck

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// Files a configuration names but that only exist where it is deployed
// (certificates, HAProxy's server state), and server host names that only
// resolve there, would make the validators fail on a build machine. When
// such a file is missing, the copy that is checked names a stand-in in the
// temp dir instead, and host names become 127.0.0.1; nothing else is
// changed, so every directive is still checked by the real program.
var (
	haproxyCrtRe   = regexp.MustCompile(`(?m)^(\s*bind\s.*\scrt\s+)(\S+)`)
	haproxyStateRe = regexp.MustCompile(`(?m)^(\s*server-state-file\s+)(\S+)\s*$`)
	nginxCertRe    = regexp.MustCompile(`(?m)^(\s*ssl_certificate(?:_key)?\s+)([^\s;]+)(;)`)
	// Server host names: both validators resolve them at load time, and
	// where they resolve is a property of the deployment (a Kubernetes
	// Service name resolves only inside its cluster).
	haproxyServerRe = regexp.MustCompile(`(?m)^(\s*server\s+\S+\s+)([A-Za-z0-9.-]+)(:\d+\s)`)
	nginxServerRe   = regexp.MustCompile(`(?m)^(\s*server\s+)([A-Za-z0-9.-]+)(:\d+[\s;])`)
)

// loopbackNames replaces every server host name (not an IP address)
// matched by re with 127.0.0.1.
func loopbackNames(cfg []byte, re *regexp.Regexp) []byte {
	return re.ReplaceAllFunc(cfg, func(m []byte) []byte {
		sub := re.FindSubmatch(m)
		if _, err := netip.ParseAddr(string(sub[2])); err == nil {
			return m
		}
		return append(append(append([]byte{}, sub[1]...), "127.0.0.1"...), sub[3]...)
	})
}

// standIn replaces, in cfg, each path matched by re (group 2) that does not
// exist with the stand-in made by mk (once per dir).
func standIn(cfg []byte, re *regexp.Regexp, mk func() (string, error)) ([]byte, error) {
	var made string
	var err error
	out := re.ReplaceAllFunc(cfg, func(m []byte) []byte {
		sub := re.FindSubmatch(m)
		if _, statErr := os.Stat(string(sub[2])); statErr == nil || err != nil {
			return m
		}
		if made == "" {
			if made, err = mk(); err != nil {
				return m
			}
		}
		rest := []byte{}
		if len(sub) > 3 {
			rest = sub[3]
		}
		return append(append(append([]byte{}, sub[1]...), made...), rest...)
	})
	return out, err
}

// selfSigned writes a throw-away certificate and its key as one PEM bundle
// (what HAProxy's crt wants; Nginx reads the same file as both).
func selfSigned(dir string) (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "lbcheck.invalid"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return "", err
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})...)
	p := filepath.Join(dir, "stand-in.pem")
	return p, os.WriteFile(p, data, 0o600)
}

// emptyState writes a server-state file with only the format version, which
// HAProxy reads as "no saved state".
func emptyState(dir string) (string, error) {
	p := filepath.Join(dir, "server-state")
	return p, os.WriteFile(p, []byte("1\n"), 0o600)
}
