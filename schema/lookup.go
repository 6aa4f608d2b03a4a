package schema

import (
	"slices"
	"strings"
)

// Lookups by name. Slices are sorted by name, so these binary-search.

func find[T any](items []T, name string, nameOf func(*T) string) *T {
	i, ok := slices.BinarySearchFunc(items, name, func(it T, n string) int { return strings.Compare(nameOf(&it), n) })
	if !ok {
		return nil
	}
	return &items[i]
}

// Service returns the service called name, or nil.
func (m *Model) Service(name string) *Service {
	return find(m.Services, name, func(s *Service) string { return s.Name })
}

// LoadBalancer returns the load balancer called name, or nil.
func (m *Model) LoadBalancer(name string) *LoadBalancer {
	return find(m.LoadBalancers, name, func(l *LoadBalancer) string { return l.Name })
}

// RedisNamed returns the redis block called name, or nil.
func (m *Model) RedisNamed(name string) *Redis {
	return find(m.Redis, name, func(r *Redis) string { return r.Name })
}

// Cache returns the cache called name, or nil.
func (m *Model) Cache(name string) *Cache {
	return find(m.Caches, name, func(c *Cache) string { return c.Name })
}

// Broker returns the broker called name, or nil.
func (m *Model) Broker(name string) *Broker {
	return find(m.Brokers, name, func(b *Broker) string { return b.Name })
}

// Queue returns the queue called name, or nil.
func (m *Model) Queue(name string) *Queue {
	return find(m.Queues, name, func(q *Queue) string { return q.Name })
}

// SliceFor returns the part of m that service svc's runtime needs: the
// caches and queues it uses, the redis and broker blocks they name, and the
// project. The Kubernetes emitter mounts it as the pod's model.json.
func (m *Model) SliceFor(svc *Service) *Model {
	out := &Model{Version: m.Version, Project: m.Project}
	redis := map[string]bool{}
	brokers := map[string]bool{}
	for _, u := range svc.Uses {
		switch u.Kind {
		case "cache":
			if c := m.Cache(u.Name); c != nil {
				out.Caches = append(out.Caches, *c)
				if c.L2 != nil {
					redis[c.L2.Redis] = true
				}
			}
		case "queue":
			if q := m.Queue(u.Name); q != nil {
				out.Queues = append(out.Queues, *q)
				brokers[q.Broker] = true
			}
		}
	}
	for _, b := range m.Brokers {
		if brokers[b.Name] {
			out.Brokers = append(out.Brokers, b)
			if b.Redis != "" {
				redis[b.Redis] = true
			}
		}
	}
	for _, r := range m.Redis {
		if redis[r.Name] {
			out.Redis = append(out.Redis, r)
		}
	}
	slices.SortFunc(out.Caches, func(a, b Cache) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(out.Queues, func(a, b Queue) int { return strings.Compare(a.Name, b.Name) })
	return out
}
