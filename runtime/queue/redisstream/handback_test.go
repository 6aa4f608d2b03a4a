package redisstream

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/queuetest"
)

// TestHandBackOnlyWhatIsStillOurs: the hand-back re-adds (marked) only the
// entries still pending for the consumer that hands them back; one another
// consumer has claimed meanwhile stays with it, so a hand-back never
// duplicates a message someone else holds, and nothing is lost.
func TestHandBackOnlyWhatIsStillOurs(t *testing.T) {
	queuetest.RequireService(t, "Redis", "127.0.0.1:6379")
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := fmt.Sprintf("nbactest.handback.%d.%04x", os.Getpid(), rand.N(1<<16))
	drv := New(queue.Config{Name: name}, Options{Client: rdb}).(*driver)
	defer drv.Close()
	stream := drv.streams[0]
	defer rdb.Del(ctx, stream)
	if err := drv.Declare(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []string{"m", fmt.Sprint(i)}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "nbac", Consumer: "a", Streams: []string{stream, ">"}, Count: 3}).Result()
	if err != nil || len(res[0].Messages) != 3 {
		t.Fatalf("read = %v, %v; want 3 entries", res, err)
	}
	ids := []string{res[0].Messages[0].ID, res[0].Messages[1].ID, res[0].Messages[2].ID}
	// b takes the first one over, as XAUTOCLAIM would after the timeout.
	if err := rdb.XClaim(ctx, &redis.XClaimArgs{Stream: stream, Group: "nbac", Consumer: "b", Messages: ids[:1]}).Err(); err != nil {
		t.Fatal(err)
	}
	args := []any{"nbac", "a", ids[0], ids[1], ids[2]}
	n, err := handBack.Run(ctx, rdb, []string{stream}, args...).Int()
	if err != nil || n != 2 {
		t.Fatalf("handBack = %d, %v; want 2 re-added", n, err)
	}
	pend, err := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: stream, Group: "nbac", Start: "-", End: "+", Count: 10}).Result()
	if err != nil || len(pend) != 1 || pend[0].ID != ids[0] || pend[0].Consumer != "b" {
		t.Fatalf("pending after hand-back = %+v, %v; want only %s, held by b", pend, err, ids[0])
	}
	fresh, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "nbac", Consumer: "c", Streams: []string{stream, ">"}, Count: 10}).Result()
	if err != nil || len(fresh[0].Messages) != 2 {
		t.Fatalf("a new reader got %v, %v; want the 2 handed-back entries", fresh, err)
	}
	for i, m := range fresh[0].Messages {
		if m.Values["m"] != fmt.Sprint(i+1) || m.Values[handedBackField] != "1" {
			t.Errorf("handed-back entry %d = %v; want m=%d and the redelivered mark", i, m.Values, i+1)
		}
	}
	if l := rdb.XLen(ctx, stream).Val(); l != 3 {
		t.Errorf("stream length %d after the hand-back, want 3 (b's entry + 2 copies; the originals deleted)", l)
	}
}
