package redisstream

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/queue"
)

// moveDue moves due delayed messages to their streams; atomic, so several
// consumers may run it at once.
var moveDue = redis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  local blob = redis.call('HGET', KEYS[2], id)
  if blob then
    local lvl = tonumber(string.sub(id, 1, 1))
    redis.call('XADD', KEYS[3 + lvl], '*', 'm', blob)
    redis.call('HDEL', KEYS[2], id)
  end
  redis.call('ZREM', KEYS[1], id)
end
return #ids
`)

const (
	fetchMax  = 256
	moveEvery = 25 * time.Millisecond
	blockFor  = 500 * time.Millisecond
)

func (d *driver) NewReceiver(context.Context) (queue.Receiver, error) {
	return &receiver{d: d, name: consumerName(), inflight: map[string]bool{}}, nil
}

type receiver struct {
	d        *driver
	name     string
	mu       sync.Mutex
	inflight map[string]bool
	extra    []*queue.Delivery // read but not yet handed out (Run only)
	claimed  []*queue.Delivery // taken over by the claimer, for Run to hand out
}

func (r *receiver) done(id string) {
	r.mu.Lock()
	delete(r.inflight, id)
	r.mu.Unlock()
}

func (r *receiver) Run(ctx context.Context, credit *queue.Credit, out chan<- *queue.Delivery) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { r.mover(ctx) })
	wg.Go(func() { r.claimer(ctx) })
	wait := 50 * time.Millisecond
	for {
		// Fetch in batches of at least a quarter of the prefetch: the
		// buffered deliveries keep the workers busy meanwhile.
		n, err := credit.AcquireBatch(ctx, max(1, r.d.cfg.Prefetch/4), fetchMax)
		if err != nil {
			return err
		}
		got, err := r.fetch(ctx, n)
		credit.Release(n - len(got))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if strings.HasPrefix(err.Error(), "NOGROUP") {
				// The stream or group vanished (FLUSHALL, a new node):
				// declare again.
				_ = r.d.Declare(ctx)
			}
			r.d.log.Warn("read failed; retrying", "err", err, "in", wait)
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return ctx.Err()
			}
			wait = min(wait*2, 2*time.Second)
			continue
		}
		wait = 50 * time.Millisecond
		for _, dl := range got {
			out <- dl
		}
	}
}

// fetch reads up to n new entries, strictly highest priority first: a lower
// stream is read only when the higher ones are empty. When all are empty it
// blocks on all of them for a while.
func (r *receiver) fetch(ctx context.Context, n int) ([]*queue.Delivery, error) {
	d := r.d
	r.mu.Lock()
	r.extra = append(r.extra, r.claimed...)
	r.claimed = nil
	r.mu.Unlock()
	if len(r.extra) > 0 {
		k := min(n, len(r.extra))
		got := append([]*queue.Delivery(nil), r.extra[:k]...)
		r.extra = r.extra[k:]
		return got, nil
	}
	var got []*queue.Delivery
	if len(d.streams) > 1 {
		for _, s := range d.streams {
			res, err := d.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
				Group: d.opts.Group, Consumer: r.name, Streams: []string{s, ">"},
				Count: int64(n - len(got)), Block: -1,
			}).Result()
			if err != nil && !errors.Is(err, redis.Nil) {
				return got, err
			}
			got = r.collect(got, res, false)
			if len(got) >= n {
				return got, nil
			}
		}
		if len(got) > 0 {
			return got, nil
		}
	}
	args := make([]string, 0, 2*len(d.streams))
	args = append(args, d.streams...)
	for range d.streams {
		args = append(args, ">")
	}
	res, err := d.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: d.opts.Group, Consumer: r.name, Streams: args, Count: int64(n), Block: blockFor,
	}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return got, err
	}
	got = r.collect(got, res, false)
	if len(got) > n {
		// A blocking read over several streams can return n from each;
		// the extra ones are ours already and go out first next time.
		r.extra = append(r.extra, got[n:]...)
		got = got[:n]
	}
	return got, nil
}

func (r *receiver) collect(got []*queue.Delivery, res []redis.XStream, claimed bool) []*queue.Delivery {
	for _, s := range res {
		for _, m := range s.Messages {
			if dl := r.delivery(s.Stream, m, claimed); dl != nil {
				got = append(got, dl)
			}
		}
	}
	return got
}

func (r *receiver) delivery(stream string, m redis.XMessage, claimed bool) *queue.Delivery {
	d := r.d
	env, err := decodeEntry(m)
	if err != nil {
		// Not ours to handle; park it in the DLQ so it is visible.
		d.log.Error("undecodable entry moved to the dead-letter stream", "stream", stream, "id", m.ID, "err", err)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = d.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.XAdd(ctx, &redis.XAddArgs{Stream: d.dlq, Values: m.Values})
			p.XAck(ctx, stream, d.opts.Group, m.ID)
			p.XDel(ctx, stream, m.ID)
			return nil
		})
		return nil
	}
	r.mu.Lock()
	r.inflight[m.ID] = true
	r.mu.Unlock()
	return &queue.Delivery{
		Message:     env.Message,
		ID:          m.ID,
		Attempt:     max(env.Attempt, 1),
		Redelivered: claimed || m.Values[handedBackField] != nil,
		Queue:       d.cfg.Name,
		Level:       env.Level,
		Tag:         &tag{stream: stream, id: m.ID, env: env, r: r},
	}
}

// mover moves due delayed messages into the streams.
func (r *receiver) mover(ctx context.Context) {
	d := r.d
	keys := []string{d.delayed, d.data, d.byLevel[0], d.byLevel[1], d.byLevel[2], d.byLevel[3]}
	t := time.NewTicker(moveEvery)
	defer t.Stop()
	for {
		for {
			n, err := moveDue.Run(ctx, d.rdb, keys, time.Now().UnixMilli(), 500).Int()
			if err != nil {
				if ctx.Err() == nil {
					d.log.Debug("moving delayed messages failed; retrying", "err", err)
				}
				break
			}
			if n < 500 {
				break
			}
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// claimer takes over deliveries left pending longer than the visibility
// timeout by a consumer that died or was cut off. It queues
// them for Run, which hands them out with the credit it holds (the claimer
// competing for credit with Run's fetch loop would starve).
func (r *receiver) claimer(ctx context.Context) {
	d := r.d
	every := max(d.cfg.VisibilityTimeout/2, 100*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		for _, s := range d.streams {
			start := "0-0"
			for {
				r.mu.Lock()
				room := d.cfg.Prefetch - len(r.claimed)
				r.mu.Unlock()
				if room <= 0 {
					break
				}
				msgs, next, err := d.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
					Stream: s, Group: d.opts.Group, Consumer: r.name, MinIdle: d.cfg.VisibilityTimeout, Start: start, Count: int64(min(room, 64)),
				}).Result()
				if err != nil {
					break
				}
				for _, m := range msgs {
					r.mu.Lock()
					busy := r.inflight[m.ID]
					r.mu.Unlock()
					if busy {
						continue // ours, still being handled
					}
					if dl := r.delivery(s, m, true); dl != nil {
						r.mu.Lock()
						r.claimed = append(r.claimed, dl)
						r.mu.Unlock()
					}
				}
				if next == "0-0" || len(msgs) == 0 {
					break
				}
				start = next
			}
		}
	}
}
