package haproxy

import (
	"fmt"
	"strconv"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/haproxycfg"
	"github.com/nbac/nbac/importer/lbhcl"
)

// proxy is a frontend, backend or listen section with the defaults
// section in force where it appears.
type proxy struct {
	s        *haproxycfg.Section
	defaults *haproxycfg.Section
}

// lines are the proxy's effective lines: its defaults', then its own, so
// that a later line overrides an earlier one.
func (p *proxy) lines() []*haproxycfg.Line {
	var out []*haproxycfg.Line
	if p.defaults != nil {
		out = append(out, p.defaults.Lines...)
	}
	return append(out, p.s.Lines...)
}

// run turns the file's frontends and listen sections into load balancers.
func (f *fileImport) run() []*lbhcl.LB {
	var global *haproxycfg.Section
	var defaults *haproxycfg.Section
	var fronts []*proxy
	backends := map[string]*proxy{}
	named := map[string]*haproxycfg.Section{} // defaults NAME
	usedBackends := map[string]bool{}
	for _, s := range f.cfg.Sections {
		// A value taken from the environment is not the file's: refuse it
		// wherever it is, before anything reads the line.
		for _, l := range s.Lines {
			for _, a := range l.Args {
				if a.Env {
					f.report(l, directive(l), importer.Unsafe, "The value refers to an environment variable, which nbac does not expand in a load balancer; write the value, or use an nbac variable in the imported HCL.")
					break
				}
			}
		}
		switch s.Kind {
		case "global":
			global = s
		case "defaults":
			defaults = f.defaultsOf(s, defaults, named)
			if s.Name != "" {
				named[s.Name] = s
			}
		case "frontend", "listen":
			fronts = append(fronts, &proxy{s: s, defaults: f.defaultsOf(s, defaults, named)})
		case "backend":
			backends[s.Name] = &proxy{s: s, defaults: f.defaultsOf(s, defaults, named)}
		default:
			f.r.NotImported(f.file, s.Line, s.Kind+" section", importer.NoEquivalent,
				fmt.Sprintf("nbac's load_balancer has nothing like a %s section; its lines are not imported.", s.Kind))
			for _, l := range s.Lines {
				f.used[l] = true // covered by the section's report
			}
		}
	}
	var lbs []*lbhcl.LB
	var statsOnly []*proxy
	for _, fe := range fronts {
		c := &conv{f: f, fe: fe}
		if fe.s.Kind == "listen" {
			c.be = fe
		} else if name, l := c.defaultBackend(); l != nil {
			be := backends[name]
			if be == nil {
				f.report(l, "default_backend", importer.NoEquivalent, fmt.Sprintf("There is no backend %q in this file.", name))
			} else {
				f.use(l)
				c.be = be
				usedBackends[name] = true
			}
		}
		if c.be == nil || !c.hasServers() {
			if c.isStats() {
				statsOnly = append(statsOnly, fe)
				continue
			}
			f.r.NotImported(f.file, fe.s.Line, fe.s.Kind+" "+fe.s.Name, importer.NoEquivalent,
				"A load_balancer sends traffic to servers: this section has no default_backend with servers, so none of it is imported.")
			for _, l := range fe.s.Lines {
				f.used[l] = true
			}
			continue
		}
		lb := c.convert()
		if lb == nil {
			continue
		}
		lbs = append(lbs, lb)
	}
	for _, s := range f.cfg.Sections {
		name, be := s.Name, backends[s.Name]
		if s.Kind == "backend" && be != nil && be.s == s && !usedBackends[name] {
			f.r.NotImported(f.file, be.s.Line, "backend "+name, importer.NoEquivalent,
				"No frontend uses it as its default_backend, so no load_balancer sends traffic to it.")
			for _, l := range be.s.Lines {
				f.used[l] = true
			}
		}
	}
	f.stats(statsOnly, lbs)
	f.global(global, lbs)
	f.finish()
	return lbs
}

// defaultsOf is the defaults section in force for s: the one its
// `from NAME` names (HAProxy 2.4+), else the last one above it. A defaults
// section is itself; its own `from` is reported (only its own lines are
// read).
func (f *fileImport) defaultsOf(s *haproxycfg.Section, last *haproxycfg.Section, named map[string]*haproxycfg.Section) *haproxycfg.Section {
	if len(s.Args) == 2 && s.Args[0].Text == "from" {
		if d := named[s.Args[1].Text]; d != nil {
			if s.Kind == "defaults" {
				f.r.NotImported(f.file, s.Line, "defaults from "+s.Args[1].Text, importer.NoEquivalent, "A defaults section inheriting another is read with its own lines only; repeat the inherited lines in it.")
				return s
			}
			return d
		}
		f.r.NotImported(f.file, s.Line, "from "+s.Args[1].Text, importer.NoEquivalent, "There is no defaults section of that name above; the last defaults section is used.")
	}
	if s.Kind == "defaults" {
		return s
	}
	return last
}

// global applies the global section to every load balancer of the file:
// nbac gives each one its own HAProxy process.
func (f *fileImport) global(g *haproxycfg.Section, lbs []*lbhcl.LB) {
	if g == nil {
		return
	}
	for _, l := range g.Lines {
		w := l.Words()
		switch {
		case w[0] == "maxconn" && len(w) == 2:
			n, ok := f.intArg(l, w[1], 1, 10000000)
			if ok {
				for _, lb := range lbs {
					lb.MaxConn = n
				}
				f.use(l)
			}
		case w[0] == "stats" && len(w) >= 3 && w[1] == "socket":
			f.socket(l, lbs)
		case w[0] == "server-state-file" && len(w) == 2:
			for _, lb := range lbs {
				if lb.Stats != nil && lb.Stats.Socket != "" {
					lb.Stats.StateFile = w[1]
					f.use(l)
				}
			}
		}
	}
}

func (f *fileImport) socket(l *haproxycfg.Line, lbs []*lbhcl.LB) {
	w := l.Words()
	var withStats []*lbhcl.LB
	for _, lb := range lbs {
		if lb.Stats != nil {
			withStats = append(withStats, lb)
		}
	}
	if len(withStats) == 0 {
		f.report(l, "stats socket", importer.NoEquivalent, "nbac's stats.socket belongs to a stats block, which needs a stats listener (a section with stats uri and a bind); none was imported.")
		return
	}
	for i := 3; i < len(w); i++ {
		switch w[i] {
		case "mode", "level", "user", "group", "expose-fd":
			i++
		default:
			f.report(l, "stats socket "+w[i], importer.NoEquivalent, "nbac writes the socket as `stats socket PATH mode 600 level admin`.")
		}
	}
	for _, lb := range withStats {
		lb.Stats.Socket = w[2]
	}
	f.use(l)
}

// stats attaches a stats-only section (bind + stats uri, no servers) to
// the file's load balancer, when there is exactly one.
func (f *fileImport) stats(sections []*proxy, lbs []*lbhcl.LB) {
	for _, p := range sections {
		c := &conv{f: f, fe: p}
		if len(lbs) != 1 {
			f.r.NotImported(f.file, p.s.Line, p.s.Kind+" "+p.s.Name, importer.NoEquivalent,
				fmt.Sprintf("nbac's stats listener belongs to one load_balancer; this file imports %d, so attach a stats block by hand.", len(lbs)))
			for _, l := range p.s.Lines {
				f.used[l] = true
			}
			continue
		}
		c.statsInto(lbs[0])
	}
}

// intArg reads an integer in [lo, hi], reporting the line when it is not.
func (f *fileImport) intArg(l *haproxycfg.Line, s string, lo, hi int) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		f.report(l, directive(l), importer.OutOfRange, fmt.Sprintf("%q is not a whole number from %d to %d.", s, lo, hi))
		return 0, false
	}
	return n, true
}
