package runtime

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/schema"
	"github.com/nbac/nbac/schema/validate"
)

// Option configures Open.
type Option func(*config)

type config struct {
	environ  []string
	getenv   func(string) (string, bool)
	reg      prometheus.Registerer
	log      *slog.Logger
	tp       trace.TracerProvider
	vars     []string
	varFiles []string
}

// WithEnviron replaces the process environment ("KEY=value" pairs) for
// everything the runtime reads: NBAC_MODEL, the url_env/password_env
// variables, and NBAC_VAR_* when compiling HCL.
func WithEnviron(env []string) Option {
	return func(c *config) {
		c.environ = env
		m := make(map[string]string, len(env))
		for _, kv := range env {
			if k, v, ok := strings.Cut(kv, "="); ok {
				m[k] = v
			}
		}
		c.getenv = func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
}

// WithGetenv sets how environment variables are looked up (default
// os.LookupEnv), for example to read them from a secrets manager.
func WithGetenv(f func(string) (string, bool)) Option {
	return func(c *config) { c.getenv = f }
}

// WithRegisterer registers the runtime's metrics (caches and queues) with
// r, e.g. prometheus.DefaultRegisterer. Without it nothing is registered.
func WithRegisterer(r prometheus.Registerer) Option { return func(c *config) { c.reg = r } }

// WithLogger sets the runtime's logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithTracerProvider traces the runtime's queues (publish and handler
// spans, trace context carried in message headers) and caches (GetOrLoad
// misses) with tp; see docs/tracing.md. Without it nothing is traced, at
// no cost. Pass otel.GetTracerProvider() to use the global provider.
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithVars passes -var style "name=value" settings when src is HCL.
func WithVars(vars ...string) Option {
	return func(c *config) { c.vars = append(c.vars, vars...) }
}

// WithVarFiles passes -var-file paths when src is HCL.
func WithVarFiles(files ...string) Option {
	return func(c *config) { c.varFiles = append(c.varFiles, files...) }
}

// Open reads a model and returns a Runtime for it. src is:
//   - a model.json file (as `nbac build` writes it),
//   - an HCL configuration: a .hcl/.hcl.json file or a directory of them,
//     compiled on the spot with the same compiler as `nbac build`,
//   - "" for $NBAC_MODEL, else schema.DefaultModelPath (where the Kubernetes
//     emitter mounts a service's model slice).
//
// Open connects nothing: caches and their Redis clients are built on first
// use (rt.Cache), so a Redis outage never stops a service from starting.
func Open(ctx context.Context, src string, opts ...Option) (*Runtime, error) {
	cfg := config{getenv: os.LookupEnv, log: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.environ == nil {
		cfg.environ = os.Environ()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if src == "" {
		src = schema.DefaultModelPath
		if p, ok := cfg.getenv(schema.ModelPathEnv); ok && p != "" {
			src = p
		}
	}
	m, err := loadModel(src, &cfg)
	if err != nil {
		return nil, err
	}
	return &Runtime{model: m, getenv: cfg.getenv, environ: cfg.environ, log: cfg.log, reg: cfg.reg, tp: cfg.tp}, nil
}

func loadModel(src string, cfg *config) (*schema.Model, error) {
	fi, err := os.Stat(src)
	if err != nil {
		return nil, fmt.Errorf("runtime: no model at %s: %w (pass a model.json, an .hcl file or directory, or set %s)", src, err, schema.ModelPathEnv)
	}
	if !fi.IsDir() && strings.HasSuffix(src, ".json") && !strings.HasSuffix(src, ".hcl.json") {
		return readModelJSON(src)
	}
	res := lang.Load(src, lang.Options{Vars: cfg.vars, VarFiles: cfg.varFiles, Environ: cfg.environ})
	if res.Diags.HasErrors() || res.Model == nil {
		return nil, fmt.Errorf("runtime: compiling %s:\n%s", src, renderDiags(res.Files, res.Diags))
	}
	return res.Model, nil
}

func readModelJSON(path string) (*schema.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	defer f.Close()
	m, err := schema.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("runtime: %s: %w", path, err)
	}
	if diags := validate.Model(m); diags.HasErrors() {
		return nil, fmt.Errorf("runtime: %s is not a valid model (rebuild it with `nbac build`):\n%s", path, renderDiags(nil, diags))
	}
	return m, nil
}

// renderDiags formats diagnostics with source snippets when the files are
// known, as the CLI does.
func renderDiags(files map[string]*hcl.File, diags hcl.Diagnostics) string {
	var buf bytes.Buffer
	w := hcl.NewDiagnosticTextWriter(&buf, files, 0, false)
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			_ = w.WriteDiagnostic(d)
		}
	}
	return strings.TrimSpace(buf.String())
}
