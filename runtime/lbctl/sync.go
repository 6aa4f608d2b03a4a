package lbctl

import (
	"context"
	"fmt"

	"github.com/nbac/nbac/schema"
)

// ActionKind is one kind of change Sync makes.
type ActionKind string

const (
	ActAdd     ActionKind = "add"     // add server (dynamic)
	ActRemove  ActionKind = "remove"  // drain, then del server
	ActWeight  ActionKind = "weight"  // set server weight
	ActMaxConn ActionKind = "maxconn" // set maxconn server
	ActAddress ActionKind = "address" // set server addr ... port ...
	ActEnable  ActionKind = "enable"  // set server state ready
	// ActReplace removes and re-adds a server whose backup flag or host
	// name changed: HAProxy cannot change those in place.
	ActReplace ActionKind = "replace"
)

// Action is one planned or applied change.
type Action struct {
	Kind    ActionKind
	Backend string
	Server  string
	// Detail says what changes, e.g. "weight 100 -> 50".
	Detail string

	want Desired
	have Server
}

func (a Action) String() string {
	return fmt.Sprintf("%-7s %s/%s: %s", a.Kind, a.Backend, a.Server, a.Detail)
}

// Plan is what Sync would do to make one backend match the model.
type Plan struct {
	LoadBalancer string
	Backend      string
	Live         []Server // the servers read to compute the plan
	Actions      []Action
	// Notes are things the plan cannot make exactly right (for example a
	// cookie value on an added server), to show the operator.
	Notes []string

	check *Check
}

// Drift returns the planned actions for one server name.
func (p *Plan) Drift(server string) []Action {
	var out []Action
	for _, a := range p.Actions {
		if a.Server == server {
			out = append(out, a)
		}
	}
	return out
}

// SyncOptions change what Sync does.
type SyncOptions struct {
	// KeepAdminState leaves servers an operator drained or disabled as
	// they are instead of enabling them (the model has no admin state).
	KeepAdminState bool
	// StateFile, when set, receives `show servers state` after the
	// changes (see SaveState). Sync uses lb.Stats.StateFile.
	StateFile string
	// DryRun computes the plan and changes nothing.
	DryRun bool
}

// Result is what Sync did.
type Result struct {
	Plan *Plan
	// Done lists the actions applied, in order; on error, those that
	// succeeded before it.
	Done      []Action
	StateFile string // where state was saved, "" if not
}

// Sync makes the live backend of lb match the model without a reload and
// saves server state to lb.Stats.StateFile when the model sets one.
func (c *Client) Sync(ctx context.Context, lb *schema.LoadBalancer) (*Result, error) {
	opts := SyncOptions{}
	if lb.Stats != nil {
		opts.StateFile = lb.Stats.StateFile
	}
	return c.SyncWith(ctx, lb, opts)
}

// SyncWith is Sync with options.
func (c *Client) SyncWith(ctx context.Context, lb *schema.LoadBalancer, opts SyncOptions) (*Result, error) {
	p, err := c.Plan(ctx, lb, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Plan: p}
	if opts.DryRun {
		return res, nil
	}
	res.Done, err = c.Apply(ctx, p)
	if err != nil {
		return res, err
	}
	if opts.StateFile != "" {
		if err := c.SaveState(ctx, opts.StateFile); err != nil {
			return res, err
		}
		res.StateFile = opts.StateFile
	}
	return res, nil
}

// Plan compares lb with its live backend and lists the changes.
func (c *Client) Plan(ctx context.Context, lb *schema.LoadBalancer, opts SyncOptions) (*Plan, error) {
	backend := BackendName(lb)
	live, err := c.Servers(ctx, backend)
	if err != nil {
		return nil, fmt.Errorf("load balancer %s: %w", lb.Name, err)
	}
	p := &Plan{LoadBalancer: lb.Name, Backend: backend, Live: live, check: CheckFor(lb)}
	byName := map[string]Server{}
	for _, s := range live {
		byName[s.Name] = s
	}
	want := map[string]bool{}
	act := func(kind ActionKind, d Desired, s Server, detail string) {
		p.Actions = append(p.Actions, Action{Kind: kind, Backend: backend, Server: d.Name, Detail: detail, want: d, have: s})
	}
	for _, d := range DesiredServers(lb) {
		want[d.Name] = true
		s, ok := byName[d.Name]
		if !ok {
			act(ActAdd, d, Server{}, d.String())
			if lb.Sticky != nil && lb.Sticky.Cookie != "" {
				p.Notes = append(p.Notes, fmt.Sprintf("server %s/%s is added without a cookie value (HAProxy 2.6 refuses `cookie` on dynamic servers): cookie stickiness does not pin clients to it until the config is rebuilt and reloaded", backend, d.Name))
			}
			continue
		}
		// An IP moves in place (set server addr); a host name change, or
		// a port change on a named server, needs a new server.
		sameAddr := d.Port == s.Port && ((d.isIP() && s.FQDN == "" && s.Addr == d.Host) || (!d.isIP() && s.FQDN == d.Host))
		switch {
		case d.Backup != s.Backup:
			act(ActReplace, d, s, fmt.Sprintf("backup %t -> %t (HAProxy cannot change it in place)", s.Backup, d.Backup))
			continue
		case !sameAddr && d.isIP() && s.FQDN == "":
			act(ActAddress, d, s, fmt.Sprintf("%s -> %s", hostPort(s.Host(), s.Port), hostPort(d.Host, d.Port)))
		case !sameAddr:
			act(ActReplace, d, s, fmt.Sprintf("address %s -> %s", hostPort(s.Host(), s.Port), hostPort(d.Host, d.Port)))
			continue
		}
		if d.Weight != s.Weight {
			act(ActWeight, d, s, fmt.Sprintf("weight %d -> %d", s.Weight, d.Weight))
		}
		if d.MaxConn != s.MaxConn {
			act(ActMaxConn, d, s, fmt.Sprintf("maxconn %d -> %d", s.MaxConn, d.MaxConn))
		}
		// Only states an operator (or the config) set can be cleared; a
		// server HAProxy put in maint because its name does not resolve
		// comes back by itself.
		if s.Admin != Ready && s.Forced() && !opts.KeepAdminState {
			act(ActEnable, d, s, fmt.Sprintf("state %s -> ready", s.Admin))
		}
	}
	for _, s := range live {
		if !want[s.Name] {
			p.Actions = append(p.Actions, Action{Kind: ActRemove, Backend: backend, Server: s.Name,
				Detail: fmt.Sprintf("%s is not in the model", hostPort(s.Host(), s.Port)), have: s})
		}
	}
	return p, nil
}

// Apply carries out a plan: additions first (capacity before removal), then
// in-place changes, then replacements and removals, which drain first. It
// stops at the first error and returns what it had done.
func (c *Client) Apply(ctx context.Context, p *Plan) ([]Action, error) {
	var done []Action
	order := []ActionKind{ActAdd, ActAddress, ActWeight, ActMaxConn, ActEnable, ActReplace, ActRemove}
	for _, kind := range order {
		for _, a := range p.Actions {
			if a.Kind != kind {
				continue
			}
			if err := c.apply(ctx, p, a); err != nil {
				return done, fmt.Errorf("%s: %w", a, err)
			}
			done = append(done, a)
		}
	}
	return done, nil
}

func (c *Client) apply(ctx context.Context, p *Plan, a Action) error {
	d := a.want
	add := func() error {
		return c.AddServer(ctx, a.Backend, d.Name, d.Host, d.Port, d.Weight, AddOptions{Backup: d.Backup, MaxConn: d.MaxConn, Check: p.check})
	}
	switch a.Kind {
	case ActAdd:
		return add()
	case ActRemove:
		return c.DelServer(ctx, a.Backend, a.Server)
	case ActReplace:
		if err := c.DelServer(ctx, a.Backend, a.Server); err != nil {
			return err
		}
		return add()
	case ActAddress:
		return c.SetAddr(ctx, a.Backend, a.Server, d.Host, d.Port)
	case ActWeight:
		return c.SetWeight(ctx, a.Backend, a.Server, d.Weight)
	case ActMaxConn:
		return c.SetMaxConn(ctx, a.Backend, a.Server, d.MaxConn)
	case ActEnable:
		return c.SetState(ctx, a.Backend, a.Server, Ready)
	}
	return fmt.Errorf("unknown action %q", a.Kind)
}
