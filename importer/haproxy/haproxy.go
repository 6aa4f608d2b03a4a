package haproxy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/haproxycfg"
	"github.com/nbac/nbac/importer/lbhcl"
)

// Import reads the haproxy.cfg files at paths. A file that cannot be read
// or parsed is a located error and nothing is imported.
func Import(paths []string, opts importer.Options) *importer.Result {
	r := importer.NewResult()
	var lbs []*lbhcl.LB
	taken := map[string]bool{}
	for _, p := range paths {
		src, ok := lbhcl.Read(r, p, "HAProxy")
		if !ok {
			continue
		}
		cfg, err := haproxycfg.Parse(src)
		if err != nil {
			var e *haproxycfg.Error
			line := 0
			if errors.As(err, &e) {
				line = e.Line
			}
			r.Fail(p, line, "Invalid HAProxy configuration", err.Error())
			continue
		}
		imp := &fileImport{file: p, cfg: cfg, r: r, used: map[*haproxycfg.Line]bool{}, taken: taken}
		lbs = append(lbs, imp.run()...)
	}
	return lbhcl.Done(r, lbs, paths, opts)
}

// fileImport is the import of one file. used records every line that
// went into a block; every other line is reported at the end.
type fileImport struct {
	file  string
	cfg   *haproxycfg.Config
	r     *importer.Result
	used  map[*haproxycfg.Line]bool
	done  map[*haproxycfg.Line]bool // reported already, with a specific reason
	taken map[string]bool
}

func (f *fileImport) use(l *haproxycfg.Line) { f.used[l] = true }

// report records l as not imported, once.
func (f *fileImport) report(l *haproxycfg.Line, what, why, detail string) {
	if f.done == nil {
		f.done = map[*haproxycfg.Line]bool{}
	}
	if f.done[l] {
		return
	}
	f.done[l] = true
	f.r.NotImported(f.file, l.Num, what, why, detail)
}

// directive names a line for the report: its keyword, and the option name
// for `option X`, `http-request X`, `stats X`, `timeout X` ...
func directive(l *haproxycfg.Line) string {
	w := l.Words()
	switch w[0] {
	case "http-request", "http-response":
		// set-header is nbac's own only for the forwarding headers.
		if len(w) > 2 && w[1] == "set-header" && !strings.EqualFold(w[2], "X-Forwarded-Proto") && !strings.EqualFold(w[2], "X-Forwarded-For") {
			return w[0] + " " + w[1] + " " + w[2]
		}
		if len(w) > 1 {
			return w[0] + " " + w[1]
		}
	case "option", "no", "timeout", "stats", "http-check", "tcp-request", "tcp-response", "http-after-response", "stick":
		if len(w) > 1 {
			return w[0] + " " + w[1]
		}
	}
	return w[0]
}

// emittedByNbac are directives nbac writes itself in every HAProxy file it
// emits (docs/load-balancers.md): importing them would change nothing.
var emittedByNbac = map[string]string{
	"log":                            "nbac logs to stdout (log stdout format raw local0; log global).",
	"option httplog":                 "nbac enables it in http mode.",
	"option tcplog":                  "nbac enables it in tcp mode.",
	"retries":                        "nbac sets retries 3.",
	"option redispatch":              "nbac sets option redispatch 1.",
	"retry-on":                       "nbac sets retry-on conn-failure empty-response in http mode.",
	"http-request disable-l7-retry":  "nbac disables layer-7 retries for non-idempotent methods.",
	"option allbackups":              "nbac sets it whenever a backend is a backup.",
	"hash-type":                      "nbac sets hash-type consistent with ip_hash.",
	"ssl-default-bind-options":       "nbac sets ssl-min-ver TLSv1.2.",
	"stats timeout":                  "nbac sets it with a stats socket.",
	"stats refresh":                  "nbac sets stats refresh 10s.",
	"stats enable":                   "nbac enables stats on its stats listener.",
	"monitor":                        "nbac fails the monitor URI when no server is usable.",
	"http-request set-header":        "nbac sets X-Forwarded-Proto itself with forwarded_for.",
	"http-request use-service":       "nbac serves Prometheus metrics on its stats listener.",
	"load-server-state-from-file":    "nbac sets it with stats.state_file.",
	"http-after-response set-header": "nbac sets Strict-Transport-Security from tls.hsts.",
	"option http-keep-alive":         "HAProxy's default, which nbac keeps.",
	"mode":                           "",
	"default-server":                 "",
	"http-request redirect":          "",
	"redirect":                       "",
}

// finish reports every line of the file that no block used.
func (f *fileImport) finish() {
	for _, s := range f.cfg.Sections {
		for _, l := range s.Lines {
			if f.used[l] || (f.done != nil && f.done[l]) {
				continue
			}
			d := directive(l)
			if why, ok := emittedByNbac[d]; ok && why != "" {
				f.report(l, d, importer.EmittedByNbac, why)
				continue
			}
			f.report(l, d, importer.NoEquivalent, fmt.Sprintf("nbac's load_balancer has no setting for %q in a %s section; keep it by hand if it matters, or drop it.", strings.Join(l.Words(), " "), s.Kind))
		}
	}
}
