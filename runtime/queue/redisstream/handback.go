package redisstream

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// handedBackField marks a stream entry re-added by handBack, so that its
// next delivery says Redelivered.
const handedBackField = "r"

// handBack gives pending entries of one consumer back to the group at once.
// A pending entry is invisible to XREADGROUP ">" and XAUTOCLAIM takes it
// only after the visibility timeout, so instead the script copies each
// entry to the stream's tail (marked handedBackField) and acks and deletes
// the original, in one atomic step: the message is in the stream exactly
// when it leaves the pending list, and any consumer blocked on the stream
// gets it immediately. An id no longer pending for this consumer (acked, or
// claimed by another one meanwhile) is skipped, so a hand-back never
// duplicates a message someone else holds.
//
// KEYS[1] stream; ARGV[1] group, ARGV[2] consumer, ARGV[3..] entry ids.
var handBack = redis.NewScript(`
local n = 0
for i = 3, #ARGV do
  local id = ARGV[i]
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1, ARGV[2])
  if #p == 1 then
    local e = redis.call('XRANGE', KEYS[1], id, id)
    if #e == 1 then
      local f = e[1][2]
      local marked = false
      for j = 1, #f, 2 do
        if f[j] == 'r' then marked = true end
      end
      if not marked then
        f[#f + 1] = 'r'
        f[#f + 1] = '1'
      end
      redis.call('XADD', KEYS[1], '*', unpack(f))
      n = n + 1
    end
    redis.call('XACK', KEYS[1], ARGV[1], id)
    redis.call('XDEL', KEYS[1], id)
  end
end
return n
`)

// forgetConsumer removes a consumer with nothing pending from the group,
// so Inspect stops counting it; one with pending entries is kept (deleting
// it would drop them).
var forgetConsumer = redis.NewScript(`
local p = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if #p == 0 then
  redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
`)

func (d *driver) handBackCmd(p redis.Pipeliner, stream, consumer string, ids []string) redis.Cmder {
	args := make([]any, 0, 2+len(ids))
	args = append(args, d.opts.Group, consumer)
	for _, id := range ids {
		args = append(args, id)
	}
	// EVAL, not EVALSHA: in a pipeline a NOSCRIPT reply could not be
	// retried, and the script is short.
	return handBack.Eval(context.Background(), p, []string{stream}, args...)
}

// Close runs after Consume's handlers are done. It waits for queued acks
// to reach Redis, then hands back everything still pending for this
// consumer that no handler holds: deliveries read but never handed out
// (the fetch batch's remainder, claimed entries) and entries whose read
// reply was lost when the fetch was cancelled. Without this they would
// wait out the visibility timeout.
func (r *receiver) Close() error {
	d := r.d
	done := make(chan struct{})
	go func() { d.pending.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		// An ack still queued would be handed back too and handled
		// twice; leave everything to the visibility timeout instead.
		d.log.Warn("acks not flushed within 5s; deliveries not started are redelivered after the visibility timeout", "visibility_timeout", d.cfg.VisibilityTimeout)
		return nil
	}
	r.mu.Lock()
	for _, dl := range append(r.extra, r.claimed...) {
		delete(r.inflight, dl.ID)
	}
	r.extra, r.claimed = nil, nil
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	for _, s := range d.streams {
		n, err := r.handBackIdle(ctx, s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n > 0 {
			d.log.Debug("handed back deliveries not started", "stream", s, "n", n)
		}
		if err := forgetConsumer.Run(ctx, d.rdb, []string{s}, d.opts.Group, r.name).Err(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return d.errorf("hand back at shutdown: %v (those deliveries are redelivered after visibility_timeout %s)", err, d.cfg.VisibilityTimeout)
	}
	return nil
}

// handBackIdle hands back this consumer's pending entries of stream s that
// no handler holds, and says how many it re-added.
func (r *receiver) handBackIdle(ctx context.Context, s string) (int, error) {
	d := r.d
	total := 0
	start := "-"
	for {
		pend, err := d.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{
			Stream: s, Group: d.opts.Group, Consumer: r.name, Start: start, End: "+", Count: 500,
		}).Result()
		if err != nil {
			return total, err
		}
		var ids []string
		r.mu.Lock()
		for _, p := range pend {
			if !r.inflight[p.ID] {
				ids = append(ids, p.ID)
			}
		}
		r.mu.Unlock()
		if len(ids) > 0 {
			args := make([]any, 0, 2+len(ids))
			args = append(args, d.opts.Group, r.name)
			for _, id := range ids {
				args = append(args, id)
			}
			n, err := handBack.Run(ctx, d.rdb, []string{s}, args...).Int()
			if err != nil {
				return total, err
			}
			total += n
		}
		if len(pend) < 500 {
			return total, nil
		}
		start = "(" + pend[len(pend)-1].ID
	}
}
