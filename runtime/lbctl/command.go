package lbctl

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// nameRE is the allow-list for backend and server names that lbctl sends.
// It is the emitter's identifier rule (^[a-z][a-z0-9_]{0,62}$) widened to
// the characters hand-written HAProxy configs commonly use (capitals, '-',
// '.'), none of which the runtime API gives a meaning: no space, ';', '#',
// '/', quote, '$' or '%'.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$`)

// newNameRE is the stricter rule for servers lbctl creates: the schema's
// identifier allow-list, so an added server could also have been emitted.
var newNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// wordRE is the last line of defence: every word of every command matches
// it, whatever built the word. ',' and ':' appear in addresses and check
// options; nothing here is a separator or comment in the CLI grammar.
// The length (1 to maxWord bytes) is checked apart: a {1,300} repetition
// compiles to 300 copies of the class, 4 ms of every nbac start.
var wordRE = regexp.MustCompile(`^[A-Za-z0-9_.:,/@\[\]-]+$`)

const maxWord = 300

// hostLabel is one RFC 1123 label.
var hostLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

func checkName(kind, name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%w: %s name %q: use letters, digits, '_', '-' and '.', starting with a letter, digit or '_', at most 63 characters", ErrInvalidArgument, kind, name)
	}
	return nil
}

// checkHost accepts an IP address or an RFC 1123 host name.
func checkHost(host string) error {
	if _, err := netip.ParseAddr(host); err == nil {
		return nil
	}
	if len(host) > 253 || host == "" {
		return fmt.Errorf("%w: address %q is neither an IP address nor a host name", ErrInvalidArgument, host)
	}
	for _, l := range strings.Split(host, ".") {
		if !hostLabel.MatchString(l) {
			return fmt.Errorf("%w: address %q is neither an IP address nor a host name", ErrInvalidArgument, host)
		}
	}
	return nil
}

func checkPort(port int) error {
	if port < 1 || port > 65535 {
		return fmt.Errorf("%w: port %d is not in 1..65535", ErrInvalidArgument, port)
	}
	return nil
}

func checkWeight(w int) error {
	if w < 0 || w > 256 {
		return fmt.Errorf("%w: weight %d is not in 0..256 (HAProxy's range)", ErrInvalidArgument, w)
	}
	return nil
}

// hostPort renders an address as HAProxy reads it: IPv6 in brackets.
func hostPort(host string, port int) string {
	if a, err := netip.ParseAddr(host); err == nil && a.Is6() && !a.Is4In6() {
		return "[" + a.String() + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}

// line joins words into one command line after checking each of them, so
// that no argument can end the command or start another.
func line(words ...string) (string, error) {
	for _, w := range words {
		if len(w) > maxWord || !wordRE.MatchString(w) {
			return "", fmt.Errorf("%w: %q cannot be sent to HAProxy (only letters, digits and _.:,/@[]- are allowed in a runtime API argument)", ErrInvalidArgument, w)
		}
	}
	return strings.Join(words, " "), nil
}

// run validates words, sends them as one command and returns the answer
// with surrounding blank lines trimmed.
func (c *Client) run(ctx context.Context, words ...string) (string, error) {
	l, err := line(words...)
	if err != nil {
		return "", err
	}
	ans, err := c.raw(ctx, l)
	return strings.TrimSpace(ans), err
}

// srv names a server in the backend/server form the API wants.
func srv(backend, server string) (string, error) {
	if err := checkName("backend", backend); err != nil {
		return "", err
	}
	if err := checkName("server", server); err != nil {
		return "", err
	}
	return backend + "/" + server, nil
}
