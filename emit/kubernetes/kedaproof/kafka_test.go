package kedaproof

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	kgo "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
)

// kafkaLag is KEDA's kafka scaler: per partition of topic, the latest
// offset less the group's committed one (the earliest offset when the
// group committed nothing and offsetResetPolicy is earliest), summed.
func kafkaLag(seeds []string) measure {
	return func(ctx context.Context, md map[string]string) (int64, error) {
		if md["offsetResetPolicy"] != "earliest" {
			return 0, fmt.Errorf("the runtime's groups start at the first offset; got %v", md)
		}
		if got := md["bootstrapServers"]; got != strings.Join(seeds, ",") {
			return 0, fmt.Errorf("bootstrapServers %q, want %q", got, seeds)
		}
		c := &kgo.Client{Addr: kgo.TCP(seeds...), Timeout: 10 * time.Second}
		topic, group := md["topic"], md["consumerGroup"]
		meta, err := c.Metadata(ctx, &kgo.MetadataRequest{Topics: []string{topic}})
		if err != nil {
			return 0, err
		}
		if len(meta.Topics) != 1 || meta.Topics[0].Error != nil {
			return 0, fmt.Errorf("topic %q: %+v", topic, meta.Topics)
		}
		var parts []int
		var reqs []kgo.OffsetRequest
		for _, p := range meta.Topics[0].Partitions {
			parts = append(parts, p.ID)
			reqs = append(reqs, kgo.FirstOffsetOf(p.ID), kgo.LastOffsetOf(p.ID))
		}
		offs, err := c.ListOffsets(ctx, &kgo.ListOffsetsRequest{Topics: map[string][]kgo.OffsetRequest{topic: reqs}})
		if err != nil {
			return 0, err
		}
		com, err := c.OffsetFetch(ctx, &kgo.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
		if err != nil {
			return 0, err
		}
		committed := map[int]int64{}
		for _, p := range com.Topics[topic] {
			committed[p.Partition] = p.CommittedOffset
		}
		var lag int64
		for _, p := range offs.Topics[topic] {
			from, ok := committed[p.Partition]
			if !ok || from < 0 {
				from = p.FirstOffset
			}
			lag += p.LastOffset - from
		}
		return lag, nil
	}
}

// TestKafkaLagIsWhatKEDAReads: the four priority topics, each read by its
// own nbac.<topic> group, lag by what was published and by nothing once
// the runtime committed it.
func TestKafkaLagIsWhatKEDAReads(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	seeds := c.ListenAddrs()
	name := uniqueQueue(t)
	so, dir := estate(t, fmt.Sprintf(`
project "proof" {}
broker "events" {
  type      = "kafka"
  addresses = [%q]
}
queue %q {
  broker     = broker.events
  priorities = true
  retry {
    max_attempts = 1
  }
}
`, strings.Join(seeds, ","), name)+worker(name, 5, ""))
	q := queueOf(t, dir, nil, name)
	if err := q.Declare(context.Background()); err != nil {
		t.Fatal(err)
	}
	publishAcrossLevels(t, q, 10, "ok")
	m := kafkaLag(seeds)
	settle(t, so, "kafka", m, 10, "the four priority topics to lag by the 10 messages")
	drain(t, q)
	settle(t, so, "kafka", m, 0, "the groups to commit everything")
}
