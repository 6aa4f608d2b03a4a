package brokers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	kgo "github.com/segmentio/kafka-go"

	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/runtime"
	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/kafka"
	"github.com/nbac/nbac/schema"
)

// kafkaEndpoint is a kafka cluster at the seeds the runtime uses
// (runtime.KafkaOptions).
type kafkaEndpoint struct{ seeds []string }

func (e *kafkaEndpoint) where() string { return "kafka " + strings.Join(e.seeds, ",") }

// client is kafka-go's admin client on a transport of its own: its
// metadata cache starts empty (not the process-wide default's, which may
// be stale) and its connections are closed by close. Its metadata
// requests never ask the broker to auto-create a topic.
func (e *kafkaEndpoint) client(id string, topics []string) (c *kgo.Client, close func()) {
	tr := &kgo.Transport{DialTimeout: answer, ClientID: id, MetadataTopics: topics}
	return &kgo.Client{Addr: kgo.TCP(e.seeds...), Timeout: answer, Transport: tr}, tr.CloseIdleConnections
}

// compareKafka asks the cluster's metadata for every topic kafka.Topics
// lists: an unknown topic is missing; one with another partition count
// (or, when the driver sets one, replication factor) is a conflict, which
// apply never changes: more partitions remap keys to partitions, and
// Kafka cannot take partitions away.
func compareKafka(ctx context.Context, br *schema.Broker, qs []*schema.Queue, getenv func(string) (string, bool)) ([]Object, error) {
	opts, err := runtime.KafkaOptions(br, getenv)
	if err != nil {
		return nil, err
	}
	ep := &kafkaEndpoint{seeds: opts.Brokers}
	var out []Object
	var names []string
	for _, q := range qs {
		for _, t := range kafka.Topics(queue.ConfigFrom(q), opts) {
			out = append(out, Object{Model: q, Broker: br, Kind: "KafkaTopic", Name: t.Name, State: Present, ep: ep, spec: t})
			names = append(names, t.Name)
		}
	}
	c, closeClient := ep.client("nbac plan -live", names)
	defer closeClient()
	md, err := c.Metadata(ctx, &kgo.MetadataRequest{Topics: names})
	if err != nil {
		return nil, unreachable(br, "Kafka", strings.Join(ep.seeds, ","), err)
	}
	found := map[string]kgo.Topic{}
	for _, t := range md.Topics {
		found[t.Name] = t
	}
	for i := range out {
		o := &out[i]
		want := o.spec.(kafka.Topic)
		t, ok := found[o.Name]
		switch {
		case !ok || errors.Is(t.Error, kgo.UnknownTopicOrPartition):
			o.State = Missing
			o.Fields = []plan.FieldChange{{Path: "partitions", After: want.Partitions, HasAfter: true}}
		case t.Error != nil:
			return nil, fmt.Errorf("broker %q: Kafka at %s: topic %q: %v", br.Name, strings.Join(ep.seeds, ","), o.Name, t.Error)
		case len(t.Partitions) != want.Partitions:
			o.State = Conflict
			o.Reason = fmt.Sprintf("the topic has %d partitions, the runtime creates it with %d", len(t.Partitions), want.Partitions)
			o.Remedy = partitionsRemedy(len(t.Partitions), want.Partitions)
			o.Fields = []plan.FieldChange{{Path: "partitions", Before: len(t.Partitions), After: want.Partitions, HasBefore: true, HasAfter: true}}
		case want.ReplicationFactor > 0 && len(t.Partitions) > 0 && len(t.Partitions[0].Replicas) != want.ReplicationFactor:
			o.State = Conflict
			o.Reason = fmt.Sprintf("the topic has replication factor %d, the runtime creates it with %d", len(t.Partitions[0].Replicas), want.ReplicationFactor)
			o.Remedy = "apply never changes a topic: reassign its replicas with Kafka's tools, or rename the queue block"
			o.Fields = []plan.FieldChange{{Path: "replication factor", Before: len(t.Partitions[0].Replicas), After: want.ReplicationFactor, HasBefore: true, HasAfter: true}}
		}
	}
	return out, nil
}

// partitionsRemedy says what a different partition count does to the
// driver (see kafka.Options.Partitions) and what to do.
func partitionsRemedy(have, want int) string {
	const never = "apply never changes a topic's partitions (adding some remaps keys to partitions; Kafka cannot remove any)"
	if have > want {
		return fmt.Sprintf("the queue works, but nbac queue inspect and its priority order at start see only partitions 0-%d; %s: recreate the topic, or rename the queue block", want-1, never)
	}
	return fmt.Sprintf("the queue works, with at most %d consumers of a group reading it at once; %s: add partitions with Kafka's tools if remapped keys are acceptable, or rename the queue block", have, never)
}

// declare creates the missing topics as the driver's Declare does.
func (e *kafkaEndpoint) declare(ctx context.Context, missing []Object) ([]Object, error) {
	topics := make([]kafka.Topic, len(missing))
	names := make([]string, len(missing))
	for i, o := range missing {
		topics[i] = o.spec.(kafka.Topic)
		names[i] = o.Name
	}
	c, closeClient := e.client("nbac apply", names)
	defer closeClient()
	if err := kafka.Create(ctx, c, topics); err != nil {
		return nil, err
	}
	return missing, nil
}
