package brokers

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/runtime"
	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/queuetest"
	"github.com/nbac/nbac/runtime/queue/redisstream"
	"github.com/nbac/nbac/schema"
)

const redisAddress = "127.0.0.1:6379"

// redisModel is one queue on the shared Redis, under a name of this test's
// own; its keys are deleted afterwards.
func redisModel(t *testing.T, priorities bool) (*schema.Model, redis.UniversalClient) {
	t.Helper()
	queuetest.RequireService(t, "Redis", redisAddress)
	m := &schema.Model{
		Brokers: []schema.Broker{{Name: "r", Type: "redis", Addresses: []string{redisAddress}}},
		Queues:  []schema.Queue{{Name: queuetest.Name(t), Broker: "r", Priorities: priorities, DeadLetter: true, Workers: 1}},
	}
	c := redis.NewClient(&redis.Options{Addr: redisAddress})
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := c.Keys(ctx, "nbac:q:{"+m.Queues[0].Name+"}*").Result()
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
		c.Close()
	})
	return m, c
}

// streamDecls is what the runtime's driver declares for the model's queue.
func streamDecls(m *schema.Model) []redisstream.Declaration {
	return redisstream.Declarations(queue.ConfigFrom(&m.Queues[0]), redisstream.Options{})
}

// groupAt is the last-delivered id of d's group, or "" without the group.
func groupAt(t *testing.T, c redis.UniversalClient, d redisstream.Declaration) string {
	t.Helper()
	gs, err := c.XInfoGroups(context.Background(), d.Stream).Result()
	if err != nil {
		t.Fatalf("XINFO GROUPS %s: %v", d.Stream, err)
	}
	for _, g := range gs {
		if g.Name == d.Group {
			return g.LastDeliveredID
		}
	}
	return ""
}

// roundTrip publishes one message on the queue as the runtime would bind
// it and waits until a consumer has handled it.
func roundTrip(t *testing.T, cfg queue.Config, drv queue.Driver) {
	t.Helper()
	q := queue.New(cfg, drv)
	defer q.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	body := fmt.Sprintf("after apply %d", time.Now().UnixNano())
	if err := q.Publish(ctx, queue.Message{Body: []byte(body)}); err != nil {
		t.Fatalf("publish after apply: %v", err)
	}
	got := make(chan string, 1)
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	go q.Consume(cctx, func(_ context.Context, d *queue.Delivery) error {
		select {
		case got <- string(d.Body):
		default:
		}
		return nil
	}, queue.ConsumeOptions{})
	select {
	case b := <-got:
		if b != body {
			t.Fatalf("consumed %q, want %q", b, body)
		}
	case <-ctx.Done():
		t.Fatal("the message published after apply was not consumed")
	}
}

// Absent streams are planned as added with their group; apply creates
// exactly what the driver's Declare does (group at 0); the next plan is
// empty, and the runtime's queue works on them.
func TestRedisMissingStreamsAreCreated(t *testing.T) {
	m, c := redisModel(t, true)
	want := streamDecls(m)
	if len(want) != queue.Levels {
		t.Fatalf("declarations = %v, want one stream per level", want)
	}
	p := compute(t, m)
	ch := p.Changes()
	if len(ch) != 1 || ch[0].Action != plan.Add || ch[0].Path != "redis "+redisAddress || len(ch[0].Objects) != len(want) {
		t.Fatalf("changes:\n%s\nwant %v added", texts(ch), want)
	}
	for i, o := range ch[0].Objects {
		if o.Kind != "RedisStream" || o.Name != want[i].Stream || o.Action != plan.Add || len(o.Fields) != 1 || plan.FieldText(o.Fields[0]) != "consumer group: (none) -> nbac" {
			t.Fatalf("object %d:\n%s\nwant %s added with its group", i, texts(ch), want[i].Stream)
		}
	}
	done, err := p.Apply(context.Background())
	if err != nil || len(done) != len(want) {
		t.Fatalf("apply: %v %v", names(done), err)
	}
	for _, d := range want {
		if typ := c.Type(context.Background(), d.Stream).Val(); typ != "stream" {
			t.Fatalf("%s is a %q after apply", d.Stream, typ)
		}
		if at := groupAt(t, c, d); at != "0-0" {
			t.Fatalf("group %q of %s at %q, want 0-0 (as Declare creates it)", d.Group, d.Stream, at)
		}
	}
	if again := compute(t, m).Changes(); len(again) != 0 {
		t.Fatalf("after apply:\n%s", texts(again))
	}
	rc, err := runtime.BrokerRedis(m, &m.Brokers[0], getenv)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	cfg := queue.ConfigFrom(&m.Queues[0])
	roundTrip(t, cfg, redisstream.New(cfg, redisstream.Options{Client: rc}))
}

// A stream someone else made without the group is a missing group: a
// change with that field; apply adds the group at 0, as Declare would, so
// the entry already there is read.
func TestRedisStreamWithoutGroupGetsIt(t *testing.T) {
	m, c := redisModel(t, false)
	d := streamDecls(m)[0]
	if err := c.XAdd(context.Background(), &redis.XAddArgs{Stream: d.Stream, Values: []string{"x", "y"}}).Err(); err != nil {
		t.Fatal(err)
	}
	p := compute(t, m)
	ch := p.Changes()
	if len(ch) != 1 || len(ch[0].Objects) != 1 {
		t.Fatalf("changes:\n%s", texts(ch))
	}
	o := ch[0].Objects[0]
	if o.Action != plan.Change || o.Name != d.Stream || !strings.Contains(o.Note, "without consumer group") || len(o.Fields) != 1 || o.Fields[0].Path != "consumer group" {
		t.Fatalf("changes:\n%s\nwant the stream changed: its group added", texts(ch))
	}
	if len(p.Conflicts()) != 0 {
		t.Fatalf("conflicts = %v", p.Conflicts())
	}
	if _, err := p.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if at := groupAt(t, c, d); at != "0-0" {
		t.Fatalf("group at %q, want 0-0", at)
	}
	if n := c.XLen(context.Background(), d.Stream).Val(); n != 1 {
		t.Fatalf("stream has %d entries after apply, want the 1 it had", n)
	}
	if again := compute(t, m).Changes(); len(again) != 0 {
		t.Fatalf("after apply:\n%s", texts(again))
	}
}

// A key of another type where a stream should be is a conflict naming the
// type; apply leaves it and says so.
func TestRedisKeyOfAnotherTypeIsAConflict(t *testing.T) {
	m, c := redisModel(t, false)
	d := streamDecls(m)[0]
	if err := c.Set(context.Background(), d.Stream, "someone else's", 0).Err(); err != nil {
		t.Fatal(err)
	}
	p := compute(t, m)
	if len(p.Conflicts()) != 1 {
		t.Fatalf("conflicts = %+v, want the stream key", p.Conflicts())
	}
	all := texts(p.Changes())
	if !strings.Contains(all, "change RedisStream "+d.Stream) || !strings.Contains(all, "holds a string, not a stream") || !strings.Contains(all, "type: string -> stream") {
		t.Fatalf("plan:\n%s\nwant the conflict naming the type", all)
	}
	done, err := p.Apply(context.Background())
	if err != nil || len(done) != 0 {
		t.Fatalf("apply: %v %v, want nothing declared", names(done), err)
	}
	if v := c.Get(context.Background(), d.Stream).Val(); v != "someone else's" {
		t.Fatalf("apply touched the key: %q", v)
	}
	if err := p.ConflictError(); err == nil || !strings.Contains(err.Error(), "RedisStream r/"+d.Stream+": the key holds a string") {
		t.Fatalf("conflict error = %v", err)
	}
	if n := len(compute(t, m).Conflicts()); n != 1 {
		t.Fatalf("%d conflicts after apply, want 1", n)
	}
}

// A Redis that refuses connections, or refuses the password, is a note,
// at once; the password of the URL is printed nowhere.
func TestRedisUnreachableIsANoteWithoutThePassword(t *testing.T) {
	const secret = "hunter2-not-printed"
	for _, tc := range []struct{ name, url, want string }{
		{"refused", "redis://nbac:" + secret + "@127.0.0.1:1/0", `broker "gone": Redis does not answer at 127.0.0.1:1`},
		{"wrong password", "redis://nbac:" + secret + "@" + redisAddress + "/0", `broker "gone": Redis does not answer at ` + redisAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "wrong password" {
				queuetest.RequireService(t, "Redis", redisAddress)
			}
			m := &schema.Model{
				Brokers: []schema.Broker{{Name: "gone", Type: "redis", URLEnv: "NBAC_TEST_REDIS_URL"}},
				Queues:  []schema.Queue{{Name: "q", Broker: "gone"}},
			}
			env := func(k string) (string, bool) {
				if k == "NBAC_TEST_REDIS_URL" {
					return tc.url, true
				}
				return "", false
			}
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			p, err := Compute(ctx, m, env)
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			t.Logf("note after %v", took)
			if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], tc.want) || len(p.Changes()) != 0 {
				t.Fatalf("notes = %q, want %q", p.Notes, tc.want)
			}
			if took > conversation {
				t.Fatalf("the note took %v: longer than a broker's conversation (%v)", took, conversation)
			}
			var out bytes.Buffer
			if err := (&plan.Plan{Live: true, Changes: p.Changes(), Notes: p.Notes}).WriteText(&out, false); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out.String(), secret) {
				t.Fatalf("the password is printed:\n%s", out.String())
			}
		})
	}
}
