package lbctl

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultDrainTimeout bounds how long DelServer waits for a draining
// server's sessions to end when the context has no deadline.
const DefaultDrainTimeout = 30 * time.Second

// SetState sets a server's admin state: ready, drain or maint.
func (c *Client) SetState(ctx context.Context, backend, server string, state AdminState) error {
	if _, err := ParseAdminState(string(state)); err != nil {
		return err
	}
	bs, err := srv(backend, server)
	if err != nil {
		return err
	}
	ans, err := c.run(ctx, "set", "server", bs, "state", string(state))
	if err != nil {
		return err
	}
	return c.check(ctx, backend, server, "set server "+bs+" state "+string(state), ans)
}

// SetWeight sets a server's weight (0..256; 0 = no new traffic).
func (c *Client) SetWeight(ctx context.Context, backend, server string, weight int) error {
	if err := checkWeight(weight); err != nil {
		return err
	}
	bs, err := srv(backend, server)
	if err != nil {
		return err
	}
	ans, err := c.run(ctx, "set", "server", bs, "weight", strconv.Itoa(weight))
	if err != nil {
		return err
	}
	if strings.Contains(ans, "static LB algorithm") {
		return fmt.Errorf("%w: backend %s (balance %s) only accepts weights 0%% and 100%% at runtime: %s", ErrStaticAlgorithm, backend, c.algoName(ctx, backend), ans)
	}
	return c.check(ctx, backend, server, "set server "+bs+" weight", ans)
}

// SetMaxConn sets a server's connection limit (0 = none).
func (c *Client) SetMaxConn(ctx context.Context, backend, server string, maxconn int) error {
	if maxconn < 0 {
		return fmt.Errorf("%w: maxconn %d is negative", ErrInvalidArgument, maxconn)
	}
	bs, err := srv(backend, server)
	if err != nil {
		return err
	}
	ans, err := c.run(ctx, "set", "maxconn", "server", bs, strconv.Itoa(maxconn))
	if err != nil {
		return err
	}
	return c.check(ctx, backend, server, "set maxconn server "+bs, ans)
}

// SetAddr moves a server to another IP address and port.
func (c *Client) SetAddr(ctx context.Context, backend, server, ip string, port int) error {
	if err := checkPort(port); err != nil {
		return err
	}
	if err := checkHost(ip); err != nil {
		return err
	}
	bs, err := srv(backend, server)
	if err != nil {
		return err
	}
	ans, err := c.run(ctx, "set", "server", bs, "addr", ip, "port", strconv.Itoa(port))
	if err != nil {
		return err
	}
	// Success answers describe the change ("IP changed from ...", "no need
	// to change the addr, port changed ...").
	if strings.Contains(ans, "changed") || strings.Contains(ans, "no need to change") {
		return nil
	}
	return c.check(ctx, backend, server, "set server "+bs+" addr", ans)
}

// Check is an active health check on an added server. The check's kind
// (HTTP path, method, expected status) is the backend's own
// (option httpchk / http-check): HAProxy applies it to dynamic servers too.
type Check struct {
	Inter time.Duration // 0 = HAProxy's default (2s)
	Rise  int           // 0 = default
	Fall  int           // 0 = default
	SSL   bool          // check over TLS (check-ssl verify none)
	Port  int           // 0 = the server's port
}

// AddOptions are the optional settings of AddServer.
type AddOptions struct {
	Backup  bool
	MaxConn int
	Check   *Check
	// Disabled leaves the new server in maint instead of enabling it.
	Disabled bool
}

// AddServer adds a dynamic server to backend and, unless opts.Disabled,
// enables it (HAProxy creates dynamic servers in maint). The backend must
// use a dynamic algorithm (roundrobin, leastconn, first, random or a
// consistent hash); the error says which algorithm it has otherwise.
func (c *Client) AddServer(ctx context.Context, backend, name, host string, port, weight int, opts AddOptions) error {
	if !newNameRE.MatchString(name) {
		return fmt.Errorf("%w: new server name %q: use ^[a-z][a-z0-9_]{0,62}$ (the model's identifier rule)", ErrInvalidArgument, name)
	}
	bs, err := srv(backend, name)
	if err != nil {
		return err
	}
	if err := checkHost(host); err != nil {
		return err
	}
	if err := checkPort(port); err != nil {
		return err
	}
	if err := checkWeight(weight); err != nil {
		return err
	}
	words := []string{"add", "server", bs, hostPort(host, port), "weight", strconv.Itoa(weight)}
	if opts.Backup {
		words = append(words, "backup")
	}
	if opts.MaxConn > 0 {
		words = append(words, "maxconn", strconv.Itoa(opts.MaxConn))
	}
	if ck := opts.Check; ck != nil {
		words = append(words, "check")
		if ck.Inter > 0 {
			words = append(words, "inter", strconv.FormatInt(max(ck.Inter.Milliseconds(), 1), 10))
		}
		if ck.Rise > 0 {
			words = append(words, "rise", strconv.Itoa(ck.Rise))
		}
		if ck.Fall > 0 {
			words = append(words, "fall", strconv.Itoa(ck.Fall))
		}
		if ck.Port > 0 {
			if err := checkPort(ck.Port); err != nil {
				return err
			}
			words = append(words, "port", strconv.Itoa(ck.Port))
		}
		if ck.SSL {
			words = append(words, "check-ssl", "verify", "none")
		}
	}
	ans, err := c.run(ctx, words...)
	if err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(ans, "New server registered"):
	case strings.Contains(ans, "dynamic load balancing"):
		return fmt.Errorf("%w: cannot add server %s to backend %s: it uses `balance %s`; HAProxy adds servers at runtime only with roundrobin, leastconn, first, random or a consistent hash (set algorithm to round_robin, weighted_round_robin or least_connections, or rebuild the config and reload)", ErrStaticAlgorithm, name, backend, c.algoName(ctx, backend))
	case strings.HasPrefix(ans, "No such backend"):
		return c.unknownBackend(ctx, backend)
	default:
		return fmt.Errorf("%w: add server %s: %s", ErrHAProxy, bs, ans)
	}
	if opts.Check != nil {
		ans, err := c.run(ctx, "enable", "health", bs)
		if err != nil {
			return err
		}
		if err := c.check(ctx, backend, name, "enable health "+bs, ans); err != nil {
			return err
		}
	}
	if opts.Disabled {
		return nil
	}
	return c.SetState(ctx, backend, name, Ready)
}

// DelServer removes a server without cutting its sessions: it drains it,
// waits (bounded by ctx, or DefaultDrainTimeout without a deadline) until
// it has no sessions or queued requests, puts it in maint and deletes it.
// On timeout the server stays in maint, taking no traffic, and the error
// says how many sessions it still had.
func (c *Client) DelServer(ctx context.Context, backend, server string) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultDrainTimeout)
		defer cancel()
	}
	s, err := c.Server(ctx, backend, server)
	if err != nil {
		return err
	}
	bs := backend + "/" + server
	if s.Admin == Ready {
		if err := c.SetState(ctx, backend, server, Drain); err != nil {
			return err
		}
	}
	tick := time.NewTicker(c.pollInterval())
	defer tick.Stop()
	gaveUp := func() error {
		_ = c.SetState(context.WithoutCancel(ctx), backend, server, Maint)
		return fmt.Errorf("server %s still had %d sessions and %d queued requests when the wait ended (%v); it is in maint and was not deleted: retry, or wait for its clients to finish", bs, s.Sessions, s.Queued, ctx.Err())
	}
	for s.Sessions > 0 || s.Queued > 0 {
		select {
		case <-ctx.Done():
			return gaveUp()
		case <-tick.C:
		}
		next, err := c.Server(ctx, backend, server)
		if err != nil {
			if waitEnded(ctx) {
				return gaveUp()
			}
			return err
		}
		s = next
	}
	if err := c.SetState(ctx, backend, server, Maint); err != nil {
		return err
	}
	for {
		ans, err := c.run(ctx, "del", "server", bs)
		if err != nil {
			return err
		}
		if strings.HasPrefix(ans, "Server deleted") {
			return nil
		}
		// Idle server-side connections can outlive the last session for
		// a moment; anything else is final.
		if !strings.Contains(ans, "still") {
			return c.check(ctx, backend, server, "del server "+bs, ans)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: del server %s: %s (gave up: %v); the server is in maint", ErrHAProxy, bs, ans, ctx.Err())
		case <-tick.C:
		}
	}
}

func (c *Client) pollInterval() time.Duration {
	if c.PollInterval > 0 {
		return c.PollInterval
	}
	return 100 * time.Millisecond
}

// check turns HAProxy's answer to a command that answers nothing on
// success into an error with the server or backend it concerns.
func (c *Client) check(ctx context.Context, backend, server, what, ans string) error {
	switch {
	case ans == "":
		return nil
	case strings.HasPrefix(ans, "No such server"):
		var names []string
		if all, err := c.Servers(ctx, backend); err == nil {
			for _, s := range all {
				names = append(names, s.Name)
			}
		} else {
			return err // most often the backend is the unknown one
		}
		return unknownServer(backend, server, names)
	case strings.HasPrefix(ans, "No such backend"), strings.HasPrefix(ans, "Can't find backend"):
		return c.unknownBackend(ctx, backend)
	}
	return fmt.Errorf("%w: %s: %s", ErrHAProxy, what, ans)
}

func (c *Client) algoName(ctx context.Context, backend string) string {
	if a := c.backendAlgo(ctx, backend); a != "" {
		return a
	}
	return "(unknown)"
}

// waitEnded reports whether ctx's wait is over: cancelled, or past its
// deadline. The deadline is checked by the clock too, because a socket call
// bounded by it fails with "i/o timeout" a moment before ctx.Err() is set,
// and that error must read as the wait ending, not as HAProxy failing.
func waitEnded(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}
