package redisstream_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/queue/queuetest"
	"github.com/nbac/nbac/runtime/queue/redisstream"
)

func TestTopicFansOutToEverySubscriber(t *testing.T) {
	queuetest.RequireService(t, "Redis", addr)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	topic := redisstream.NewTopic(rdb, queuetest.Name(t))
	got := [2]chan string{make(chan string, 1), make(chan string, 1)}
	for i := range got {
		stop, err := topic.Subscribe(ctx, func(b []byte) { got[i] <- string(b) })
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
	}
	n, err := topic.Publish(ctx, []byte("flush"))
	if err != nil || n != 2 {
		t.Fatalf("Publish = %d receivers, %v; want 2, nil", n, err)
	}
	for i, ch := range got {
		select {
		case b := <-ch:
			if b != "flush" {
				t.Errorf("subscriber %d got %q", i, b)
			}
		case <-ctx.Done():
			t.Fatalf("subscriber %d got nothing", i)
		}
	}
}

func TestTopicWithoutSubscribersIsNotAnError(t *testing.T) {
	queuetest.RequireService(t, "Redis", addr)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	n, err := redisstream.NewTopic(rdb, queuetest.Name(t)).Publish(context.Background(), []byte("x"))
	if err != nil || n != 0 {
		t.Fatalf("Publish with no subscriber = %d, %v; want 0, nil", n, err)
	}
}
