package cache

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Invalidation: Set and Delete publish {origin, keys} on a channel derived
// from the key prefix; every other instance drops those keys from its L1.
// Pub/sub loses messages while a subscriber is disconnected, so after every
// (re)subscription but the first the whole L1 is flushed.

// invalMsg is the wire form of an invalidation.
type invalMsg struct {
	Origin string   `json:"origin"`
	Keys   []string `json:"keys"`
}

// InvalidationChannel is the pub/sub channel for caches with prefix.
func InvalidationChannel(prefix string) string { return "nbac:invalidate:" + prefix }

type invalidator struct {
	c       *Cache
	client  redis.UniversalClient
	channel string
	origin  string

	mu     sync.Mutex
	ps     *redis.PubSub
	closed bool
	done   chan struct{}
}

// pingEvery is how long the subscriber waits for traffic before pinging,
// so a dead connection is noticed and replaced.
const pingEvery = 2 * time.Second

func startInvalidator(c *Cache, client redis.UniversalClient, prefix string) *invalidator {
	iv := &invalidator{
		c:       c,
		client:  client,
		channel: InvalidationChannel(prefix),
		origin:  newOrigin(),
		done:    make(chan struct{}),
	}
	ps := iv.subscribe()
	// Wait briefly for the first confirmation so a cache that starts with
	// Redis up does not flush its L1 right after its first writes.
	first := true
	if msg, err := ps.ReceiveTimeout(context.Background(), c.l2.timeout*5); err == nil {
		if _, ok := msg.(*redis.Subscription); ok {
			first = false
		}
	}
	go iv.run(ps, first)
	return iv
}

func (iv *invalidator) subscribe() *redis.PubSub {
	ps := iv.client.Subscribe(context.Background(), iv.channel)
	iv.mu.Lock()
	defer iv.mu.Unlock()
	if iv.closed {
		// close() ran meanwhile: hand back a closed PubSub so run returns.
		_ = ps.Close()
	}
	iv.ps = ps
	return ps
}

// message encodes an invalidation of key from this instance.
func (iv *invalidator) message(key string) []byte {
	b, _ := json.Marshal(invalMsg{Origin: iv.origin, Keys: []string{key}})
	return b
}

func (iv *invalidator) run(ps *redis.PubSub, first bool) {
	defer close(iv.done)
	ctx := context.Background()
	pinged := false
	backoff := 50 * time.Millisecond
	for {
		msg, err := ps.ReceiveTimeout(ctx, pingEvery)
		if iv.isClosed() {
			return
		}
		if err != nil {
			var ne interface{ Timeout() bool }
			switch {
			case errors.As(err, &ne) && ne.Timeout() && !pinged:
				// Quiet channel: ping; a broken connection fails the ping
				// or the next read, and go-redis reconnects and resubscribes.
				_ = ps.Ping(ctx)
				pinged = true
			case errors.As(err, &ne) && ne.Timeout():
				// No answer to the ping: the connection is dead without an
				// error (a half-open TCP). Start over on a new one.
				_ = ps.Close()
				ps = iv.subscribe()
				pinged = false
			default:
				// Refused or reset: go-redis reconnects on the next read.
				time.Sleep(backoff)
				backoff = min(backoff*2, time.Second)
			}
			continue
		}
		pinged, backoff = false, 50*time.Millisecond
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind != "subscribe" {
				continue
			}
			if first {
				first = false
				continue
			}
			iv.c.l1.InvalidateAll()
			iv.c.m.l1Flushes.Add(1)
			iv.c.log.LogAttrs(ctx, slog.LevelInfo, "cache: invalidation subscriber reconnected; L1 flushed")
		case *redis.Message:
			var im invalMsg
			if json.Unmarshal([]byte(m.Payload), &im) != nil || im.Origin == iv.origin {
				continue
			}
			iv.c.m.invalRecv.Add(1)
			for _, k := range im.Keys {
				iv.c.l1.Invalidate(k)
			}
		}
	}
}

func (iv *invalidator) isClosed() bool {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	return iv.closed
}

func (iv *invalidator) close() {
	iv.mu.Lock()
	iv.closed = true
	ps := iv.ps
	iv.mu.Unlock()
	_ = ps.Close()
	<-iv.done
}
