package lang

import (
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// lowerBlocks lowers every referenceable block into m. Block references are
// names (checked statically), so blocks do not depend on each other's
// values and can be lowered in any order, hence concurrently; the only
// exception, backends_from, reads the lowered services, so load balancers
// come after them.
func (l *loader) lowerBlocks(m *schema.Model) {
	m.Services = lowerAll(l, l.cfg.blocks["service"], (*loader).lowerService)
	m.Redis = lowerAll(l, l.cfg.blocks["redis"], always((*loader).lowerRedis))
	m.Caches = lowerAll(l, l.cfg.blocks["cache"], always((*loader).lowerCache))
	m.Brokers = lowerAll(l, l.cfg.blocks["broker"], always((*loader).lowerBroker))
	m.Queues = lowerAll(l, l.cfg.blocks["queue"], always((*loader).lowerQueue))
	m.Gateways = lowerAll(l, l.cfg.blocks["gateway"], always(func(f *loader, b *hcl.Block) schema.Gateway {
		return f.lowerGateway(b, m.Project.Namespace)
	}))
	m.LoadBalancers = lowerAll(l, l.cfg.blocks["load_balancer"], func(f *loader, b *hcl.Block) (schema.LoadBalancer, bool) {
		return f.lowerLoadBalancer(b, m)
	})
}

func always[T any](lower func(*loader, *hcl.Block) T) func(*loader, *hcl.Block) (T, bool) {
	return func(l *loader, b *hcl.Block) (T, bool) { return lower(l, b), true }
}

// minBlocksPerWorker keeps small configurations on one goroutine, where
// starting more would cost more than it saves.
const minBlocksPerWorker = 16

// lowerAll lowers blocks on up to GOMAXPROCS goroutines, each block with a
// fork of l, and returns the results that lowered (ok) in block order, with
// every block's diagnostics added to l in block order: the output is the
// same as lowering them one after another.
func lowerAll[T any](l *loader, blocks []*hcl.Block, lower func(*loader, *hcl.Block) (T, bool)) []T {
	if len(blocks) == 0 {
		return nil
	}
	type result struct {
		v     T
		ok    bool
		stale bool // read a value that failed elsewhere (see loader.stale)
		diags hcl.Diagnostics
	}
	results := make([]result, len(blocks))
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= len(blocks) {
				return
			}
			f := l.fork()
			v, ok := lower(f, blocks[i])
			results[i] = result{v: v, ok: ok, stale: f.stale, diags: f.diags}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(blocks)/minBlocksPerWorker)
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	out := make([]T, 0, len(blocks))
	for i, r := range results {
		l.add(r.diags...)
		if r.ok {
			out = append(out, r.v)
		}
		if !r.ok || r.stale || r.diags.HasErrors() {
			l.failed = append(l.failed, blocks[i])
		}
	}
	if len(out) == 0 {
		return nil // as when nothing lowered: no empty-but-present lists
	}
	return out
}

// sortByName sorts items by the key name returns (stable, so equal keys
// keep declaration order).
func sortByName[T any](items []T, name func(T) string) {
	sort.SliceStable(items, func(i, j int) bool { return name(items[i]) < name(items[j]) })
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }
