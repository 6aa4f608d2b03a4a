package lbhcl

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/nbac/nbac/importer"
)

// LB is one load_balancer block being imported. Zero values and nil
// pointers are left out of the HCL (nbac's default applies).
type LB struct {
	Name string
	File string // source file and line of what the block came from
	Line int

	Targets         []string
	Mode            string // "" or "tcp"
	Listen          int
	ListenAddresses []string
	Algorithm       string
	ServerNames     []string
	MaxConn         int
	ForwardedFor    *bool
	HealthPath      string
	HealthCheck     *HealthCheck
	Backends        []Backend
	TLS             *TLS
	Sticky          *Sticky
	RateLimit       *RateLimit
	Timeouts        []Timeout
	Stats           *Stats
}

// HealthCheck is a health_check block.
type HealthCheck struct {
	Type, Path, Method, Host string
	ExpectStatus             int
	Interval, Timeout        string
	Rise, Fall               int
}

// Backend is a backend block.
type Backend struct {
	Name    string
	Address string
	Weight  *int
	Backup  bool
	MaxConn int
}

// TLS is a tls block.
type TLS struct {
	Certificate, Key string
	RedirectHTTP     *bool
	HTTPPort         int
	HTTP2            bool
}

// Sticky is a sticky_sessions block.
type Sticky struct {
	Cookie   string
	ClientIP bool
}

// RateLimit is a rate_limit block.
type RateLimit struct{ RequestsPerSecond, Burst int }

// Timeout is one attribute of the timeouts block ("connect", "5s").
type Timeout struct{ Name, Value string }

// Stats is a stats block.
type Stats struct {
	Listen                  int
	Path, Socket, StateFile string
}

// SetTimeout sets (or replaces) one timeout, keeping first-set order.
func (lb *LB) SetTimeout(name, value string) {
	for i := range lb.Timeouts {
		if lb.Timeouts[i].Name == name {
			lb.Timeouts[i].Value = value
			return
		}
	}
	lb.Timeouts = append(lb.Timeouts, Timeout{name, value})
}

// Write appends lb as a load_balancer block to f.
func Write(f *hclwrite.File, lb *LB) {
	body := f.Body()
	if len(body.Blocks()) > 0 {
		body.AppendNewline()
	}
	b := body.AppendNewBlock("load_balancer", []string{lb.Name}).Body()
	if len(lb.Targets) > 0 {
		b.SetAttributeValue("targets", strList(lb.Targets))
	}
	importer.SetString(b, "mode", lb.Mode)
	b.SetAttributeValue("listen", cty.NumberIntVal(int64(lb.Listen)))
	if len(lb.ListenAddresses) > 0 {
		b.SetAttributeValue("listen_addresses", strList(lb.ListenAddresses))
	}
	importer.SetString(b, "algorithm", lb.Algorithm)
	if len(lb.ServerNames) > 0 {
		b.SetAttributeValue("server_names", strList(lb.ServerNames))
	}
	importer.SetInt(b, "max_conn", lb.MaxConn)
	if lb.ForwardedFor != nil {
		b.SetAttributeValue("forwarded_for", cty.BoolVal(*lb.ForwardedFor))
	}
	importer.SetString(b, "health_path", lb.HealthPath)
	if h := lb.HealthCheck; h != nil {
		hb := block(b, "health_check")
		importer.SetString(hb, "type", h.Type)
		importer.SetString(hb, "path", h.Path)
		importer.SetString(hb, "method", h.Method)
		importer.SetString(hb, "host", h.Host)
		importer.SetInt(hb, "expect_status", h.ExpectStatus)
		importer.SetString(hb, "interval", h.Interval)
		importer.SetString(hb, "timeout", h.Timeout)
		importer.SetInt(hb, "rise", h.Rise)
		importer.SetInt(hb, "fall", h.Fall)
	}
	for _, be := range lb.Backends {
		bb := b.AppendNewBlock("backend", []string{be.Name}).Body()
		bb.SetAttributeValue("address", cty.StringVal(be.Address))
		if be.Weight != nil {
			bb.SetAttributeValue("weight", cty.NumberIntVal(int64(*be.Weight)))
		}
		if be.Backup {
			bb.SetAttributeValue("backup", cty.True)
		}
		importer.SetInt(bb, "max_conn", be.MaxConn)
	}
	if t := lb.TLS; t != nil {
		tb := block(b, "tls")
		importer.SetString(tb, "certificate", t.Certificate)
		if t.Key != t.Certificate {
			importer.SetString(tb, "key", t.Key)
		}
		if t.RedirectHTTP != nil {
			tb.SetAttributeValue("redirect_http", cty.BoolVal(*t.RedirectHTTP))
		}
		if t.HTTPPort != 80 {
			importer.SetInt(tb, "http_port", t.HTTPPort)
		}
		if t.HTTP2 {
			tb.SetAttributeValue("http2", cty.True)
		}
	}
	if s := lb.Sticky; s != nil {
		sb := block(b, "sticky_sessions")
		importer.SetString(sb, "cookie", s.Cookie)
		if s.ClientIP {
			sb.SetAttributeValue("client_ip", cty.True)
		}
	}
	if r := lb.RateLimit; r != nil {
		rb := block(b, "rate_limit")
		rb.SetAttributeValue("requests_per_second", cty.NumberIntVal(int64(r.RequestsPerSecond)))
		rb.SetAttributeValue("burst", cty.NumberIntVal(int64(r.Burst)))
	}
	if len(lb.Timeouts) > 0 {
		tb := block(b, "timeouts")
		for _, t := range lb.Timeouts {
			tb.SetAttributeValue(t.Name, cty.StringVal(t.Value))
		}
	}
	if s := lb.Stats; s != nil {
		sb := block(b, "stats")
		importer.SetInt(sb, "listen", s.Listen)
		importer.SetString(sb, "path", s.Path)
		importer.SetString(sb, "socket", s.Socket)
		importer.SetString(sb, "state_file", s.StateFile)
	}
}

func block(b *hclwrite.Body, name string) *hclwrite.Body {
	b.AppendNewline()
	return b.AppendNewBlock(name, nil).Body()
}

func strList(ss []string) cty.Value {
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}

var (
	labelRe   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	nonWordRe = regexp.MustCompile(`[^a-z0-9_]+`)
)

// Label turns a source name (HAProxy's `fe-web.1`, Nginx's `app_backend`)
// into a load_balancer or backend label, which nbac restricts to
// ^[a-z][a-z0-9_]{0,62}$: lower case, other characters become `_`, a name
// not starting with a letter gets prefix. ok is false when nothing usable
// is left.
func Label(name, prefix string) (string, bool) {
	s := strings.Trim(nonWordRe.ReplaceAllString(strings.ToLower(name), "_"), "_")
	if s == "" {
		return "", false
	}
	if s[0] < 'a' || s[0] > 'z' {
		s = prefix + s
	}
	if len(s) > 63 {
		s = s[:63]
	}
	return s, labelRe.MatchString(s)
}

// Unique returns label, or label_2, label_3 ... when taken already.
func Unique(label string, taken map[string]bool) string {
	s := label
	for i := 2; taken[s]; i++ {
		s = label + "_" + itoa(i)
	}
	taken[s] = true
	return s
}

func itoa(i int) string {
	var b []byte
	for i > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
	}
	return string(b)
}

// ProjectFile is the file holding the project block, which an imported
// configuration needs to build on its own.
const ProjectFile = "project.hcl"

// AddProject writes `project "NAME" {}` into r's project file. name is
// opts.Project, or derived from the first input file's base name.
func AddProject(r *importer.Result, name string) {
	body := r.File(ProjectFile).Body()
	body.AppendNewBlock("project", []string{name}).Body()
}

var dnsLabelRe = regexp.MustCompile(`[^a-z0-9-]+`)

// ProjectName is the -project option if given, else a DNS label made from
// the file's base name without extension ("edge" from "edge.cfg"), else
// "imported".
func ProjectName(opt, file string) string {
	if opt != "" {
		return opt
	}
	base := file
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	s := strings.Trim(dnsLabelRe.ReplaceAllString(strings.ToLower(base), "-"), "-")
	if len(s) > 63 {
		s = strings.Trim(s[:63], "-")
	}
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return "imported"
	}
	return s
}

// AddListenAddress adds a listener's address ("" for every IPv4 address,
// as `bind :80` and `listen 80` mean) to list, once.
func AddListenAddress(list []string, addr string) []string {
	if addr == "" {
		addr = "0.0.0.0"
	}
	for _, x := range list {
		if x == addr {
			return list
		}
	}
	return append(list, addr)
}

// ListenAddresses is list as listen_addresses: nil when it is only every
// IPv4 address, nbac's default.
func ListenAddresses(list []string) []string {
	if len(list) == 1 && list[0] == "0.0.0.0" {
		return nil
	}
	return list
}

// FormatDuration writes d as a duration attribute in its largest whole
// unit ("30s", "2m", "250ms").
func FormatDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	case d%time.Millisecond == 0:
		return fmt.Sprintf("%dms", d/time.Millisecond)
	}
	return d.String()
}
