package graph

import (
	"fmt"
	"path"
	"strings"
)

// Select returns the part of g around the nodes that patterns name: each
// matched node, everything it reaches (what it uses, down to redis and
// brokers) and everything that reaches it (what is in front of it). A
// pattern is a path.Match glob tried against a node's ID ("service.api")
// and its name ("api"), so `-target 'service.checkout-*'` keeps a few
// services of a large estate and their dependencies. A pattern that
// matches nothing is an error: a typo must not draw an empty picture.
func Select(g *Graph, patterns []string) (*Graph, error) {
	if len(patterns) == 0 {
		return g, nil
	}
	var seeds []string
	var unmatched []string
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("-target %q is not a valid pattern: %w", p, err)
		}
		found := false
		for _, n := range g.Nodes {
			if ok, _ := path.Match(p, n.ID); ok || matchName(p, n.Name) {
				seeds = append(seeds, n.ID)
				found = true
			}
		}
		if !found {
			unmatched = append(unmatched, p)
		}
	}
	if len(unmatched) > 0 {
		return nil, fmt.Errorf("no block matches -target %s (a target is kind.name or name, with * and ? wildcards)", strings.Join(quoteAll(unmatched), ", "))
	}
	out, in := map[string][]string{}, map[string][]string{}
	for _, e := range g.Edges {
		out[e.From] = append(out[e.From], e.To)
		in[e.To] = append(in[e.To], e.From)
	}
	keep := map[string]bool{}
	reach(seeds, out, keep)
	reach(seeds, in, keep)

	sub := &Graph{Name: g.Name, Namespace: g.Namespace}
	for _, n := range g.Nodes {
		if keep[n.ID] {
			sub.add(n)
		}
	}
	for _, e := range g.Edges {
		if keep[e.From] && keep[e.To] {
			sub.Edges = append(sub.Edges, e)
		}
	}
	return sub, nil
}

func matchName(p, name string) bool {
	ok, _ := path.Match(p, name)
	return ok
}

// reach marks every node reachable from seeds along next.
func reach(seeds []string, next map[string][]string, seen map[string]bool) {
	visited := map[string]bool{}
	stack := append([]string(nil), seeds...)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if visited[id] {
			continue
		}
		visited[id] = true
		seen[id] = true
		stack = append(stack, next[id]...)
	}
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
