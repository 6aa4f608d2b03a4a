package lang

import (
	"slices"
	"sort"

	"github.com/nbac/nbac/schema"
)

// lowerBlocks lowers every referenceable block into m. Block references are
// names (checked statically), so blocks do not depend on each other's
// values and can be lowered in any order; the only exception,
// backends_from, reads the lowered service afterwards.
func (l *loader) lowerBlocks(m *schema.Model) {
	for _, b := range l.cfg.blocks["service"] {
		if s, ok := l.lowerService(b); ok {
			m.Services = append(m.Services, s)
		}
	}
	for _, b := range l.cfg.blocks["redis"] {
		m.Redis = append(m.Redis, l.lowerRedis(b))
	}
	for _, b := range l.cfg.blocks["cache"] {
		m.Caches = append(m.Caches, l.lowerCache(b))
	}
	for _, b := range l.cfg.blocks["broker"] {
		m.Brokers = append(m.Brokers, l.lowerBroker(b))
	}
	for _, b := range l.cfg.blocks["queue"] {
		m.Queues = append(m.Queues, l.lowerQueue(b))
	}
	for _, b := range l.cfg.blocks["load_balancer"] {
		if lb, ok := l.lowerLoadBalancer(b, m); ok {
			m.LoadBalancers = append(m.LoadBalancers, lb)
		}
	}
}

// sortByName sorts items by the key name returns (stable, so equal keys
// keep declaration order).
func sortByName[T any](items []T, name func(T) string) {
	sort.SliceStable(items, func(i, j int) bool { return name(items[i]) < name(items[j]) })
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }
