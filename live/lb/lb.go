package lb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/runtime/lbctl"
	"github.com/nbac/nbac/schema"
)

// Plan is the difference between a model's HAProxy load balancers and the
// running HAProxy processes.
type Plan struct {
	Backends []Backend
	// Notes are the load balancers that could not be compared, and why.
	Notes []string
}

// Backend is one load balancer's live backend and the changes it needs.
type Backend struct {
	LB     *schema.LoadBalancer
	Socket string
	Plan   *lbctl.Plan
}

// Compute reads every HAProxy load balancer of m through its stats
// socket. A load balancer without a socket, an HAProxy that does not
// answer, and an Nginx-only load balancer become notes, not errors: the
// plan still covers the rest.
func Compute(ctx context.Context, m *schema.Model) (*Plan, error) {
	p := &Plan{}
	for i := range m.LoadBalancers {
		l := &m.LoadBalancers[i]
		if slices.Contains(l.Targets, "nginx") {
			p.Notes = append(p.Notes, fmt.Sprintf("load_balancer %q targets %s: Nginx has no runtime API, so its live servers cannot be read; rebuild and reload Nginx to apply the model", l.Name, strings.Join(l.Targets, ", ")))
		}
		if !slices.Contains(l.Targets, "haproxy") {
			continue
		}
		if l.Stats == nil || l.Stats.Socket == "" {
			p.Notes = append(p.Notes, fmt.Sprintf("load_balancer %q has no stats { socket }: its running HAProxy is not compared", l.Name))
			continue
		}
		c, err := lbctl.Dial(ctx, l.Stats.Socket)
		if err != nil {
			// err names the socket and what to check.
			p.Notes = append(p.Notes, fmt.Sprintf("load_balancer %q: HAProxy does not answer (%v): not compared", l.Name, err))
			continue
		}
		lp, err := c.Plan(ctx, l, lbctl.SyncOptions{})
		if err != nil {
			return nil, err
		}
		p.Backends = append(p.Backends, Backend{LB: l, Socket: l.Stats.Socket, Plan: lp})
		p.Notes = append(p.Notes, lp.Notes...)
	}
	return p, nil
}

// Changes is p in emit/plan's format: one entry per load balancer whose
// backend differs, a server per object (kind HAProxyServer, namespace the
// backend), its changes as fields.
func (p *Plan) Changes() []plan.FileChange {
	var out []plan.FileChange
	for _, b := range p.Backends {
		if len(b.Plan.Actions) == 0 {
			continue
		}
		fc := plan.FileChange{Path: "haproxy " + b.Socket, Action: plan.Change,
			Origin: fmt.Sprintf("load_balancer %q", b.LB.Name), Range: b.LB.Src.Range("")}
		byServer := map[string]int{}
		for _, a := range b.Plan.Actions {
			i, ok := byServer[a.Server]
			if !ok {
				i = len(fc.Objects)
				byServer[a.Server] = i
				fc.Objects = append(fc.Objects, plan.ObjectChange{Kind: "HAProxyServer", Namespace: a.Backend, Name: a.Server, Action: action(a.Kind)})
			}
			fc.Objects[i].Fields = append(fc.Objects[i].Fields, field(a))
		}
		out = append(out, fc)
	}
	return out
}

func action(k lbctl.ActionKind) plan.Action {
	switch k {
	case lbctl.ActAdd:
		return plan.Add
	case lbctl.ActRemove:
		return plan.Remove
	}
	return plan.Change
}

// field turns "weight 100 -> 50" into a field change weight: 100 -> 50;
// an action without that shape is one field named by its kind.
func field(a lbctl.Action) plan.FieldChange {
	if before, after, ok := strings.Cut(a.Detail, " -> "); ok {
		name, from, ok := strings.Cut(before, " ")
		if ok && !strings.Contains(from, " ") {
			return plan.FieldChange{Path: name, Before: value(from), After: value(firstWord(after)), HasBefore: true, HasAfter: true}
		}
		if a.Kind == lbctl.ActAddress {
			return plan.FieldChange{Path: "address", Before: before, After: after, HasBefore: true, HasAfter: true}
		}
	}
	switch a.Kind {
	case lbctl.ActAdd:
		return plan.FieldChange{Path: "server", After: a.Detail, HasAfter: true}
	case lbctl.ActRemove:
		return plan.FieldChange{Path: "server", Before: a.Detail, HasBefore: true}
	}
	return plan.FieldChange{Path: string(a.Kind), After: a.Detail, HasAfter: true}
}

// value keeps a number a number, so that it prints and encodes as one.
func value(s string) any {
	if _, err := strconv.Atoi(s); err == nil {
		return json.Number(s)
	}
	return s
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}

// Apply performs what `nbac lb sync` does on every backend that differs:
// the changes without a reload, then the server state saved to the
// state_file when the model names one.
func (p *Plan) Apply(ctx context.Context) ([]lbctl.Action, error) {
	var done []lbctl.Action
	var errs []error
	for _, b := range p.Backends {
		if len(b.Plan.Actions) == 0 {
			continue
		}
		c, err := lbctl.Dial(ctx, b.Socket)
		if err == nil {
			opts := lbctl.SyncOptions{}
			if b.LB.Stats != nil {
				opts.StateFile = b.LB.Stats.StateFile
			}
			var res *lbctl.Result
			res, err = c.SyncWith(ctx, b.LB, opts)
			if res != nil {
				done = append(done, res.Done...)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("load_balancer %q: %w", b.LB.Name, err))
		}
	}
	return done, errors.Join(errs...)
}
