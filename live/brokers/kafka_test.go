package brokers

import (
	"context"
	"strings"
	"testing"
	"time"

	kgo "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/runtime"
	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/kafka"
	"github.com/nbac/nbac/runtime/queue/queuetest"
	"github.com/nbac/nbac/schema"
)

// kafkaModel is one queue on an in-process Kafka of this test's own, and
// that cluster's address.
func kafkaModel(t *testing.T, priorities bool) (*schema.Model, []string) {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	m := &schema.Model{
		Brokers: []schema.Broker{{Name: "k", Type: "kafka", Addresses: c.ListenAddrs()}},
		Queues: []schema.Queue{{Name: queuetest.Name(t), Broker: "k", Priorities: priorities, DeadLetter: true, Workers: 1,
			MaxDelay: schema.Duration(time.Second)}},
	}
	return m, c.ListenAddrs()
}

// admin is a client of its own transport: kafka-go's transports serve
// metadata from a cache, which must not be one from before apply.
func admin(t *testing.T, addrs []string) *kgo.Client {
	tr := &kgo.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &kgo.Client{Addr: kgo.TCP(addrs...), Timeout: time.Minute, Transport: tr}
}

// topics is what the runtime's driver declares for the model's queue, with
// the options the runtime gives it.
func topics(t *testing.T, m *schema.Model) []kafka.Topic {
	t.Helper()
	opts, err := runtime.KafkaOptions(&m.Brokers[0], getenv)
	if err != nil {
		t.Fatal(err)
	}
	return kafka.Topics(queue.ConfigFrom(&m.Queues[0]), opts)
}

// partitions is each topic's partition count on the cluster (absent: 0).
func partitions(t *testing.T, addrs []string, names ...string) map[string]int {
	t.Helper()
	md, err := admin(t, addrs).Metadata(context.Background(), &kgo.MetadataRequest{Topics: names})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, tp := range md.Topics {
		if tp.Error == nil {
			out[tp.Name] = len(tp.Partitions)
		}
	}
	return out
}

// Absent topics are planned as added with their partitions; apply creates
// exactly what the driver's Declare does; the next plan is empty, and the
// runtime's queue works on them.
func TestKafkaMissingTopicsAreCreated(t *testing.T) {
	m, addrs := kafkaModel(t, true)
	want := topics(t, m)
	if len(want) < queue.Levels+2 {
		t.Fatalf("topics = %v, want the levels, a delay tier or more and the dlq", want)
	}
	p := compute(t, m)
	ch := p.Changes()
	if len(ch) != 1 || ch[0].Action != plan.Add || !strings.HasPrefix(ch[0].Path, "kafka ") || len(ch[0].Objects) != len(want) {
		t.Fatalf("changes:\n%s\nwant %v added", texts(ch), want)
	}
	var names []string
	for i, o := range ch[0].Objects {
		if o.Kind != "KafkaTopic" || o.Name != want[i].Name || o.Action != plan.Add || len(o.Fields) != 1 || o.Fields[0].Path != "partitions" || o.Fields[0].After != want[i].Partitions {
			t.Fatalf("object %d:\n%s\nwant %s added with %d partitions", i, texts(ch), want[i].Name, want[i].Partitions)
		}
		names = append(names, o.Name)
	}
	if n := len(partitions(t, addrs, names...)); n != 0 {
		t.Fatalf("the plan created %d topics", n)
	}
	done, err := p.Apply(context.Background())
	if err != nil || len(done) != len(want) {
		t.Fatalf("apply: %v %v", names, err)
	}
	got := partitions(t, addrs, names...)
	for _, w := range want {
		if got[w.Name] != w.Partitions {
			t.Fatalf("after apply %s has %d partitions, want %d", w.Name, got[w.Name], w.Partitions)
		}
	}
	if again := compute(t, m).Changes(); len(again) != 0 {
		t.Fatalf("after apply:\n%s", texts(again))
	}
	opts, err := runtime.KafkaOptions(&m.Brokers[0], getenv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := queue.ConfigFrom(&m.Queues[0])
	roundTrip(t, cfg, kafka.New(cfg, opts))
}

// A topic made with another partition count is a conflict that says both
// counts; apply creates the rest and leaves it as it is.
func TestKafkaOtherPartitionCountIsAConflict(t *testing.T) {
	m, addrs := kafkaModel(t, false)
	want := topics(t, m)
	work := want[0]
	res, err := admin(t, addrs).CreateTopics(context.Background(), &kgo.CreateTopicsRequest{Topics: []kgo.TopicConfig{{Topic: work.Name, NumPartitions: work.Partitions + 3, ReplicationFactor: 1}}})
	if err != nil || res.Errors[work.Name] != nil {
		t.Fatalf("create %s: %v %v", work.Name, err, res)
	}
	p := compute(t, m)
	if c := p.Conflicts(); len(c) != 1 || c[0].Name != work.Name {
		t.Fatalf("conflicts = %+v, want %s", c, work.Name)
	}
	all := texts(p.Changes())
	if !strings.Contains(all, "change KafkaTopic "+work.Name) || !strings.Contains(all, "partitions: 7 -> 4") || !strings.Contains(all, "add KafkaTopic "+work.Name+".dlq") {
		t.Fatalf("plan:\n%s\nwant the partition conflict and the missing topics", all)
	}
	done, err := p.Apply(context.Background())
	if err != nil || len(done) != len(want)-1 {
		t.Fatalf("apply: %d declared, %v", len(done), err)
	}
	if n := partitions(t, addrs, work.Name)[work.Name]; n != work.Partitions+3 {
		t.Fatalf("apply changed %s to %d partitions", work.Name, n)
	}
	if err := p.ConflictError(); err == nil || !strings.Contains(err.Error(), "KafkaTopic k/"+work.Name+": the topic has 7 partitions") {
		t.Fatalf("conflict error = %v", err)
	}
	again := compute(t, m)
	if len(again.Conflicts()) != 1 || len(again.Changes()) != 1 || len(again.Changes()[0].Objects) != 1 {
		t.Fatalf("after apply:\n%s\nwant the conflict alone", texts(again.Changes()))
	}
}

// A Kafka that refuses connections is a note, at once.
func TestKafkaUnreachableIsANote(t *testing.T) {
	m := &schema.Model{
		Brokers: []schema.Broker{{Name: "gone", Type: "kafka", Addresses: []string{"127.0.0.1:1"}}},
		Queues:  []schema.Queue{{Name: "q", Broker: "gone"}},
	}
	start := time.Now()
	p := compute(t, m)
	took := time.Since(start)
	t.Logf("note after %v: %s", took, p.Notes)
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], `broker "gone": Kafka does not answer at 127.0.0.1:1`) || len(p.Changes()) != 0 {
		t.Fatalf("notes = %q", p.Notes)
	}
	if took > conversation {
		t.Fatalf("the note took %v: longer than a broker's conversation (%v)", took, conversation)
	}
}
