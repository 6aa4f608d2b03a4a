package haproxy

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/haproxycfg"
	"github.com/nbac/nbac/importer/lbhcl"
)

var rateStoreRe = regexp.MustCompile(`(?:^|,)http_req_rate\(([0-9]+[a-z]*)\)`)

// isRateTable reports whether a stick-table stores a request rate (the
// rate limiter's table rather than an affinity table).
func (c *conv) isRateTable(l *haproxycfg.Line) bool {
	w := l.Words()
	for i := 1; i+1 < len(w); i++ {
		if w[i] == "store" && rateStoreRe.MatchString(w[i+1]) {
			return true
		}
	}
	return false
}

// rateLimit recognises the documented per-client limiter:
//
//	stick-table type ip size 100k expire 30s store http_req_rate(10s)
//	http-request track-sc0 src
//	http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }
//
// (also with a named acl, sc0_http_req_rate, or tcp-request connection
// track-sc0). It allows N requests per period P; nbac's HAProxy limiter
// allows 10R+B per sliding 10 s, so R and B are read from N scaled to 10 s.
func (c *conv) rateLimit() {
	var table, track, deny, acl *haproxycfg.Line
	var period time.Duration
	limit := -1
	for _, l := range c.fe.s.Lines {
		if c.skip(l) {
			continue
		}
		w := l.Words()
		switch {
		case w[0] == "stick-table" && c.isRateTable(l):
			for i := 1; i+1 < len(w); i++ {
				if w[i] == "store" {
					if m := rateStoreRe.FindStringSubmatch(w[i+1]); m != nil {
						period, _ = parseDuration(m[1])
					}
				}
			}
			table = l
		case len(w) == 3 && w[0] == "http-request" && w[1] == "track-sc0" && w[2] == "src",
			len(w) == 4 && w[0] == "tcp-request" && w[1] == "connection" && w[2] == "track-sc0" && w[3] == "src":
			track = l
		case len(w) >= 4 && w[0] == "http-request" && w[1] == "deny":
			if n, a, ok := c.denyLimit(w); ok {
				deny, acl, limit = l, a, n
			}
		}
	}
	if table == nil || track == nil || deny == nil || period <= 0 || limit < 1 {
		return
	}
	per10 := int(int64(limit) * int64(10*time.Second) / int64(period))
	r := max(1, per10/10)
	c.lb.RateLimit = &lbhcl.RateLimit{RequestsPerSecond: r, Burst: max(0, per10-10*r)}
	for _, l := range []*haproxycfg.Line{table, track, deny, acl} {
		if l != nil {
			c.f.use(l)
		}
	}
	if w := deny.Words(); len(w) > 3 && w[2] == "deny_status" && w[3] != "429" {
		c.f.r.NotImported(c.f.file, deny.Num, "deny_status "+w[3], importer.OutOfRange, "nbac answers a client over its rate limit with 429.")
	}
	if period != 10*time.Second {
		c.f.r.NotImported(c.f.file, table.Num, "http_req_rate period", importer.OutOfRange,
			fmt.Sprintf("nbac counts over 10 s; %d requests per %s became requests_per_second = %d, burst = %d.", limit, lbhcl.FormatDuration(period), r, c.lb.RateLimit.Burst))
	}
}

var rateCondRe = regexp.MustCompile(`^(?:sc_http_req_rate\(0\)|sc0_http_req_rate(?:\(\))?)$`)

// denyLimit reads the number of requests a deny rule allows (`gt N` allows
// N, `ge N` allows N-1), and the named acl it uses, if any.
func (c *conv) denyLimit(w []string) (int, *haproxycfg.Line, bool) {
	i := 2
	if len(w) > 3 && w[2] == "deny_status" {
		i = 4
	}
	if i >= len(w) || w[i] != "if" {
		return 0, nil, false
	}
	cond := w[i+1:]
	var acl *haproxycfg.Line
	if len(cond) == 1 {
		if acl = c.acls[cond[0]]; acl == nil {
			return 0, nil, false
		}
		cond = acl.Words()[2:]
	} else if len(cond) == 5 && cond[0] == "{" && cond[4] == "}" {
		cond = cond[1:4]
	}
	if len(cond) != 3 || !rateCondRe.MatchString(cond[0]) {
		return 0, nil, false
	}
	n, err := strconv.Atoi(cond[2])
	if err != nil || n < 1 {
		return 0, nil, false
	}
	switch strings.ToLower(cond[1]) {
	case "gt":
		return n, acl, true
	case "ge":
		return n - 1, acl, n > 1
	}
	return 0, nil, false
}
