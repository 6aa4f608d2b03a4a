package redisstream

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Topic is a plain fan-out topic over Redis pub/sub: every subscriber
// connected at publish time gets the message; nothing is stored. It is
// at-most-once: a subscriber that is disconnected (network cut, restart,
// slow reader dropped by Redis) misses what was published meanwhile, and
// there is no ack, retry or dead letter. Use a queue when a message must
// not be lost; use a Topic for signals that are safe to miss (cache
// invalidation with a flush on reconnect, live dashboards).
type Topic struct {
	rdb     redis.UniversalClient
	channel string
}

// NewTopic returns the topic called name on rdb (Redis channel
// "nbac:t:<name>").
func NewTopic(rdb redis.UniversalClient, name string) *Topic {
	return &Topic{rdb: rdb, channel: "nbac:t:" + name}
}

// Publish sends body to the subscribers connected now and says how many
// received it (0 is not an error: nobody was listening).
func (t *Topic) Publish(ctx context.Context, body []byte) (int64, error) {
	n, err := t.rdb.Publish(ctx, t.channel, body).Result()
	if err != nil {
		return 0, fmt.Errorf("redis topic %q: publish: %w", t.channel, err)
	}
	return n, nil
}

// Subscribe calls handle for each message until ctx is done. It returns
// once the subscription is active, so a Publish after it is seen; go-redis
// resubscribes by itself after a disconnect (messages in between are lost).
func (t *Topic) Subscribe(ctx context.Context, handle func(body []byte)) (stop func() error, err error) {
	ps := t.rdb.Subscribe(ctx, t.channel)
	if _, err := ps.Receive(ctx); err != nil {
		ps.Close()
		return nil, fmt.Errorf("redis topic %q: subscribe: %w", t.channel, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		ch := ps.Channel()
		for {
			select {
			case m, ok := <-ch:
				if !ok {
					return
				}
				handle([]byte(m.Payload))
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() error {
		err := ps.Close()
		<-done
		return err
	}, nil
}
