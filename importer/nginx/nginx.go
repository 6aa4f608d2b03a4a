package nginx

import (
	"fmt"
	"strings"

	"github.com/tufanbarisyildirim/gonginx/config"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/lbhcl"
)

// Import reads the nginx.conf files at paths as one configuration (an
// upstream in one file may serve a server block in another, as with
// include). A file that cannot be read or parsed is a located error and
// nothing is imported.
func Import(paths []string, opts importer.Options) *importer.Result {
	r := importer.NewResult()
	imp := &estate{r: r, used: map[config.IDirective]bool{}, reported: map[config.IDirective]bool{},
		upstreams: map[string]*upstream{}, zones: map[string]*zone{}, taken: map[string]bool{}}
	for _, p := range paths {
		src, ok := lbhcl.Read(r, p, "Nginx")
		if !ok {
			continue
		}
		s, line, err := parse(p, src)
		if err != nil {
			r.Fail(p, line, "Invalid Nginx configuration", err.Error())
			continue
		}
		imp.sources = append(imp.sources, s)
	}
	if r.Diags.HasErrors() {
		return r
	}
	for _, s := range imp.sources {
		imp.collect(s, s.root.GetDirectives(), "http", nil)
	}
	lbs := imp.build()
	for _, s := range imp.sources {
		imp.finish(s, s.root.GetDirectives())
	}
	return lbhcl.Done(r, lbs, paths, opts)
}

// estate is everything read from the files.
type estate struct {
	r         *importer.Result
	sources   []*source
	used      map[config.IDirective]bool
	reported  map[config.IDirective]bool
	upstreams map[string]*upstream // by context ("http"/"stream") and name
	zones     map[string]*zone     // limit_req_zone by name
	servers   []*server
	taken     map[string]bool
}

// upstream is an upstream block.
type upstream struct {
	src  *source
	d    config.IDirective
	ctx  string
	name string
}

// zone is a limit_req_zone.
type zone struct {
	src *source
	d   config.IDirective
	rps int
	ok  bool
}

// server is a server block with the directives in force in it: those of
// its http (or stream) block first, then its own.
type server struct {
	src       *source
	d         config.IDirective
	ctx       string
	inherited []config.IDirective
}

func (e *estate) use(d config.IDirective) { e.used[d] = true }

// report records d as not imported, once.
func (e *estate) report(s *source, d config.IDirective, what, why, detail string) {
	if e.reported[d] {
		return
	}
	e.reported[d] = true
	e.r.NotImported(s.file, s.line(d), what, why, detail)
}

// collect walks the top of a file: main, http and stream contexts. A file
// holding server and upstream blocks at its top is read as an http
// snippet (conf.d/*.conf, sites-enabled/*).
func (e *estate) collect(s *source, ds []config.IDirective, ctx string, inherited []config.IDirective) {
	for _, d := range ds {
		switch d.GetName() {
		case "http", "stream":
			e.use(d)
			var inh []config.IDirective
			for _, c := range children(d) {
				if c.GetBlock() == nil {
					inh = append(inh, c)
				}
			}
			e.collect(s, children(d), d.GetName(), inh)
		case "upstream":
			ps, _ := params(d)
			if len(ps) == 1 {
				e.upstreams[ctx+" "+ps[0]] = &upstream{src: s, d: d, ctx: ctx, name: ps[0]}
			}
		case "server":
			if d.GetBlock() != nil {
				e.servers = append(e.servers, &server{src: s, d: d, ctx: ctx, inherited: inherited})
			}
		case "limit_req_zone":
			e.limitReqZone(s, d)
		}
	}
}

// emittedByNbac are directives nbac writes itself in every Nginx file it
// emits (docs/load-balancers.md).
var emittedByNbac = map[string]string{
	"events":                             "nbac writes its own events block.",
	"pid":                                "nbac writes the pid file under the prefix (NAME.pid).",
	"error_log":                          "nbac logs errors to stderr.",
	"access_log":                         "nbac logs access to /dev/stdout.",
	"load_module":                        "nbac loads the stream module itself in tcp mode.",
	"ssl_protocols":                      "nbac sets ssl_protocols TLSv1.2 TLSv1.3.",
	"proxy_next_upstream":                "nbac sets proxy_next_upstream from the health_check.",
	"zone":                               "nbac writes a zone for every upstream.",
	"limit_req_status":                   "nbac answers 429 over the rate limit.",
	"proxy_set_header Host":              "nbac sets Host $host itself.",
	"proxy_set_header X-Forwarded-For":   "nbac sets it from forwarded_for.",
	"proxy_set_header X-Forwarded-Proto": "nbac sets it from forwarded_for.",
	"worker_connections":                 "nbac sizes it from max_conn.",
	"worker_rlimit_nofile":               "nbac sizes it from max_conn.",
}

// finish reports every directive no block used. A block nothing inside
// was used from is reported once, as a whole.
func (e *estate) finish(s *source, ds []config.IDirective) {
	for _, d := range ds {
		if e.reported[d] {
			continue
		}
		if e.used[d] {
			if d.GetBlock() != nil {
				e.finish(s, children(d))
			}
			continue
		}
		if d.GetBlock() != nil && e.anyUsed(children(d)) {
			e.finish(s, children(d))
			continue
		}
		name := d.GetName()
		if name == "proxy_set_header" {
			if ps, _ := params(d); len(ps) > 0 {
				name += " " + ps[0]
			}
		}
		if why, ok := emittedByNbac[name]; ok {
			e.report(s, d, name, importer.EmittedByNbac, why)
			continue
		}
		what := name
		if ps, _ := params(d); len(ps) > 0 && d.GetBlock() != nil {
			what += " " + strings.Join(ps, " ")
		}
		detail := fmt.Sprintf("nbac's load_balancer has no setting for %s; keep it by hand if it matters, or drop it.", what)
		if name == "include" {
			detail = "Includes are not followed: import the included files too (nbac import nginx nginx.conf conf.d/*.conf)."
		}
		e.report(s, d, what, importer.NoEquivalent, detail)
	}
}

func (e *estate) anyUsed(ds []config.IDirective) bool {
	for _, d := range ds {
		if e.used[d] || e.anyUsed(children(d)) {
			return true
		}
	}
	return false
}
