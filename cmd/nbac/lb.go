package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/agext/levenshtein"

	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/runtime/lbctl"
	"github.com/nbac/nbac/schema"
)

func init() {
	register(command{name: "lb", summary: "Show and change the servers of a running HAProxy (status, enable, disable, drain, weight, sync)", run: runLB})
}

const lbUsage = `Usage: nbac lb SUBCOMMAND PATH [args] [options]

Drives a running HAProxy through its runtime API (the admin stats socket),
with the HCL configuration at PATH as the source of truth. No reload.

Subcommands:
  status PATH                       each server's state, health and weight vs the model
  enable PATH BACKEND SERVER        put a server back in rotation (state ready)
  disable PATH BACKEND SERVER       take a server out at once (state maint)
  drain PATH BACKEND SERVER         no new clients; existing sessions finish (state drain)
  weight PATH BACKEND SERVER N      set a server's weight (0..256)
  sync PATH                         add, remove, re-weight and enable servers to match
                                    the model, then save server state (state_file)

BACKEND is a load_balancer name (or its HAProxy backend, be_NAME).
Run ` + "`nbac lb SUBCOMMAND -h`" + ` for its options.

Example:
  nbac lb drain infra web web-2 -socket /run/haproxy/admin.sock
`

// lbFlags are the flags every lb subcommand accepts.
type lbFlags struct {
	in           inputFlags
	socket, only string
	timeout      time.Duration
	dryRun, keep bool
	noSave       bool
	json         bool
	noColor      bool
}

var lbSubcommands = []string{"status", "enable", "disable", "drain", "weight", "sync"}

var lbDescriptions = map[string]string{
	"status":  "Prints each server's admin state, health, weight and sessions on HAProxy beside\nwhat the model says, and the drift between them.",
	"enable":  "Puts server SERVER of BACKEND back in rotation (state ready).",
	"disable": "Takes server SERVER of BACKEND out of rotation at once (state maint).",
	"drain":   "Sends no new clients to server SERVER of BACKEND; existing sessions finish\n(state drain).",
	"weight":  "Sets server SERVER of BACKEND's weight to N (0..256).",
	"sync":    "Adds, removes, re-weights and enables servers so that HAProxy matches the\nmodel, without a reload, then saves server state to the state_file.",
}

func runLB(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "nbac: nbac lb needs a subcommand\n\n"+lbUsage)
		return exitError
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, lbUsage)
		return exitOK
	}
	sub := args[0]
	want := map[string]int{"status": 1, "sync": 1, "enable": 3, "disable": 3, "drain": 3, "weight": 4}
	n, ok := want[sub]
	if !ok {
		fmt.Fprintf(stderr, "nbac: unknown lb subcommand %q.%s\n\n%s", sub, suggestWord(sub, lbSubcommands), lbUsage)
		return exitError
	}
	var f lbFlags
	example := map[int]string{1: "nbac lb " + sub + " infra -lb web", 3: "nbac lb " + sub + " infra web web-2", 4: "nbac lb weight infra web web-2 50"}[n]
	fs := newFlagSet("lb "+sub, lbArgNames[sub]+" [options]", lbDescriptions[sub], example, stderr)
	f.in.register(fs)
	fs.StringVar(&f.socket, "socket", "", "the stats socket: a `path` or tcp:HOST:PORT (default: the load balancer's stats { socket })")
	if n == 1 {
		fs.StringVar(&f.only, "lb", "", "only this load balancer (`name`; needed with -socket when there are several)")
	}
	fs.DurationVar(&f.timeout, "timeout", time.Minute, "give up after `duration` (a removal waits for its sessions within it)")
	if sub == "sync" {
		fs.BoolVar(&f.dryRun, "dry-run", false, "print the plan, change nothing")
		fs.BoolVar(&f.keep, "keep-admin-state", false, "leave drained or disabled servers as they are")
	}
	if sub != "status" {
		fs.BoolVar(&f.noSave, "no-save", false, "do not write the state file")
	}
	fs.BoolVar(&f.json, "json", false, "print a JSON document on stdout, errors included")
	fs.BoolVar(&f.noColor, "no-color", false, "never colour the output")
	pos, code, halt := parseFlags(fs, args[1:])
	if halt {
		return code
	}
	if len(pos) != n {
		return usageError(fs, "nbac lb %s takes %d argument(s) (%s), got %d", sub, n, lbArgNames[sub], len(pos))
	}
	if f.timeout <= 0 {
		return usageError(fs, "-timeout must be positive")
	}
	rep := &opsReport{command: "lb " + sub, json: f.json, noColor: f.noColor, stdout: stdout, stderr: stderr}
	m := lbLoad(pos[0], f, rep)
	if m == nil {
		return rep.finish(nil)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()

	out := rep.out()
	var err error
	switch sub {
	case "status", "sync":
		err = lbEach(ctx, m, f, sub, out)
	case "weight":
		w, convErr := strconv.Atoi(pos[3])
		if convErr != nil || w < 0 || w > 256 {
			err = fmt.Errorf("weight %q: want an integer in 0..256", pos[3])
			break
		}
		err = lbServerOp(ctx, m, f, pos[1], pos[2], out, func(c *lbctl.Client, be, s string) error {
			return c.SetWeight(ctx, be, s, w)
		}, fmt.Sprintf("weight %d", w))
	default:
		state := map[string]lbctl.AdminState{"enable": lbctl.Ready, "disable": lbctl.Maint, "drain": lbctl.Drain}[sub]
		err = lbServerOp(ctx, m, f, pos[1], pos[2], out, func(c *lbctl.Client, be, s string) error {
			return c.SetState(ctx, be, s, state)
		}, "state "+string(state))
	}
	if err != nil {
		return rep.fail("nbac lb "+sub+" failed", err)
	}
	return rep.finish(nil)
}

var lbArgNames = map[string]string{
	"status": "PATH", "sync": "PATH", "enable": "PATH BACKEND SERVER", "disable": "PATH BACKEND SERVER",
	"drain": "PATH BACKEND SERVER", "weight": "PATH BACKEND SERVER N",
}

// lbLoad compiles PATH and records its diagnostics; nil on errors.
func lbLoad(path string, f lbFlags, rep *opsReport) *schema.Model {
	res := lang.Load(path, lang.Options{Vars: f.in.vars, VarFiles: f.in.varFiles, Environ: os.Environ(), AllowEnv: f.in.allowEnv})
	rep.add(res.Files, res.Diags)
	if res.Diags.HasErrors() || res.Model == nil {
		return nil
	}
	return res.Model
}

// lbHAProxy lists the load balancers nbac lb can drive: those that target
// HAProxy, restricted to -lb when given.
func lbHAProxy(m *schema.Model, only string) ([]*schema.LoadBalancer, error) {
	var out []*schema.LoadBalancer
	var names []string
	for i := range m.LoadBalancers {
		lb := &m.LoadBalancers[i]
		names = append(names, lb.Name)
		if only != "" && lb.Name != only && lbctl.BackendName(lb) != only {
			continue
		}
		if !slices.Contains(lb.Targets, "haproxy") {
			if only != "" {
				return nil, fmt.Errorf("load balancer %q targets %s only: nbac lb drives HAProxy's runtime API, and Nginx open source has none (rebuild and reload Nginx instead)", lb.Name, strings.Join(lb.Targets, ", "))
			}
			continue
		}
		out = append(out, lb)
	}
	if only != "" && len(out) == 0 {
		return nil, fmt.Errorf("no load_balancer %q in the configuration%s (load balancers: %s)", only, lbSuggest(only, names), lbJoin(names))
	}
	if len(out) == 0 {
		return nil, errors.New("the configuration has no load_balancer with targets including \"haproxy\"")
	}
	return out, nil
}

func lbSuggest(given string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := levenshtein.Distance(given, n, nil); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(": did you mean %q?", best)
}

func lbJoin(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// lbDial connects to lb's socket, or to -socket.
func lbDial(ctx context.Context, lb *schema.LoadBalancer, f lbFlags) (*lbctl.Client, error) {
	socket := f.socket
	if socket == "" {
		if lb.Stats == nil || lb.Stats.Socket == "" {
			return nil, errors.New("no stats socket configured: add stats { socket = \"/run/haproxy/admin.sock\" } to the load_balancer (then rebuild and reload HAProxy), or pass -socket")
		}
		socket = lb.Stats.Socket
	}
	return lbctl.Dial(ctx, socket)
}

// lbEach runs status or sync on every selected load balancer.
func lbEach(ctx context.Context, m *schema.Model, f lbFlags, sub string, stdout io.Writer) error {
	lbs, err := lbHAProxy(m, f.only)
	if err != nil {
		return err
	}
	if f.socket != "" && len(lbs) > 1 {
		var names []string
		for _, lb := range lbs {
			names = append(names, lb.Name)
		}
		return fmt.Errorf("-socket names one HAProxy but the configuration has %d load balancers for it (%s): add -lb NAME", len(lbs), lbJoin(names))
	}
	var errs []error
	for i, lb := range lbs {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		c, err := lbDial(ctx, lb, f)
		if err == nil {
			if sub == "status" {
				err = lbStatus(ctx, c, lb, stdout)
			} else {
				err = lbSync(ctx, c, lb, f, stdout)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("load balancer %q: %w", lb.Name, err))
		}
	}
	return errors.Join(errs...)
}

func lbStatus(ctx context.Context, c *lbctl.Client, lb *schema.LoadBalancer, stdout io.Writer) error {
	plan, err := c.Plan(ctx, lb, lbctl.SyncOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "load_balancer %q: backend %s on %s\n", lb.Name, plan.Backend, c.Socket())
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVER\tADDRESS\tADMIN\tHEALTH\tWEIGHT\tSESSIONS\tMODEL")
	drift := 0
	for _, s := range plan.Live {
		health := s.Status
		if s.CheckStatus != "" {
			health += " (" + s.CheckStatus + ")"
		}
		if s.Backup {
			health += " backup"
		}
		admin := string(s.Admin)
		if r := s.AdminReason(); r != "" && r != "operator" {
			admin += " (" + r + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", s.Name, lbAddr(s), admin, health, s.Weight, s.Sessions, lbDrift(plan.Drift(s.Name), &drift))
	}
	for _, a := range plan.Actions {
		if a.Kind == lbctl.ActAdd {
			drift++
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\tdrift: not on HAProxy (model: %s)\n", a.Server, a.Detail)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range plan.Notes {
		fmt.Fprintln(stdout, "note:", n)
	}
	if drift == 0 {
		fmt.Fprintln(stdout, "HAProxy matches the model.")
	} else {
		fmt.Fprintf(stdout, "%d change(s) from the model: `nbac lb sync` applies them.\n", drift)
	}
	return nil
}

func lbAddr(s lbctl.Server) string {
	h := s.Host()
	if h == "" {
		h = "-"
	}
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	return h + ":" + strconv.Itoa(s.Port)
}

func lbDrift(actions []lbctl.Action, count *int) string {
	if len(actions) == 0 {
		return "ok"
	}
	var parts []string
	for _, a := range actions {
		*count++
		if a.Kind == lbctl.ActRemove {
			parts = append(parts, "not in the model")
			continue
		}
		parts = append(parts, a.Detail)
	}
	return "drift: " + strings.Join(parts, "; ")
}

func lbSync(ctx context.Context, c *lbctl.Client, lb *schema.LoadBalancer, f lbFlags, stdout io.Writer) error {
	opts := lbctl.SyncOptions{KeepAdminState: f.keep, DryRun: f.dryRun}
	if lb.Stats != nil && !f.noSave {
		opts.StateFile = lb.Stats.StateFile
	}
	res, err := c.SyncWith(ctx, lb, opts)
	if res == nil {
		return err
	}
	fmt.Fprintf(stdout, "load_balancer %q: backend %s on %s\n", lb.Name, res.Plan.Backend, c.Socket())
	if f.dryRun {
		for _, a := range res.Plan.Actions {
			fmt.Fprintln(stdout, "  would", a)
		}
	}
	for _, a := range res.Done {
		fmt.Fprintln(stdout, "  done ", a)
	}
	for _, n := range res.Plan.Notes {
		fmt.Fprintln(stdout, "note:", n)
	}
	if err != nil {
		return err
	}
	switch {
	case len(res.Plan.Actions) == 0:
		fmt.Fprintln(stdout, "HAProxy already matches the model: nothing to do.")
	case f.dryRun:
		fmt.Fprintf(stdout, "%d change(s) planned; nothing changed (-dry-run).\n", len(res.Plan.Actions))
	default:
		fmt.Fprintf(stdout, "%d change(s) applied without a reload.\n", len(res.Done))
	}
	if res.StateFile != "" {
		fmt.Fprintf(stdout, "Server state saved to %s.\n", res.StateFile)
	}
	return nil
}

// lbServerOp finds BACKEND in the model (a load balancer or its HAProxy
// backend name) and applies op to one server. With -socket and a backend
// the model does not know, BACKEND is used as the HAProxy backend as is.
func lbServerOp(ctx context.Context, m *schema.Model, f lbFlags, backend, server string, stdout io.Writer, op func(*lbctl.Client, string, string) error, what string) error {
	var lb *schema.LoadBalancer
	var names []string
	for i := range m.LoadBalancers {
		l := &m.LoadBalancers[i]
		names = append(names, l.Name)
		if l.Name == backend || lbctl.BackendName(l) == backend {
			lb = l
		}
	}
	var c *lbctl.Client
	var err error
	beName := backend
	switch {
	case lb != nil:
		if !slices.Contains(lb.Targets, "haproxy") {
			return fmt.Errorf("load balancer %q targets %s only: nbac lb drives HAProxy's runtime API, and Nginx open source has none (rebuild and reload Nginx instead)", lb.Name, strings.Join(lb.Targets, ", "))
		}
		beName = lbctl.BackendName(lb)
		c, err = lbDial(ctx, lb, f)
	case f.socket != "":
		c, err = lbctl.Dial(ctx, f.socket)
	default:
		return fmt.Errorf("no load_balancer %q in the configuration%s (load balancers: %s)", backend, lbSuggest(backend, names), lbJoin(names))
	}
	if err != nil {
		return err
	}
	if err := op(c, beName, server); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s/%s: %s (on %s)\n", beName, server, what, c.Socket())
	if lb != nil && lb.Stats != nil && lb.Stats.StateFile != "" && !f.noSave {
		if err := c.SaveState(ctx, lb.Stats.StateFile); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Server state saved to %s: a reload keeps the change.\n", lb.Stats.StateFile)
	}
	fmt.Fprintln(stdout, "The model is unchanged: `nbac lb sync` sets weights back and enables servers (-keep-admin-state keeps drains); edit the HCL to make a change permanent.")
	return nil
}
