package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	kgo "github.com/segmentio/kafka-go"

	"github.com/nbac/nbac/runtime/queue"
)

// Topic is one topic Declare creates, with the partition count and
// replication factor it creates it with (-1: the broker's default).
type Topic struct {
	Name              string
	Partitions        int
	ReplicationFactor int
}

// Topics lists, in declaring order, the topics Declare creates for queue
// cfg on opts (Partitions and ReplicationFactor defaulted as New does):
// the work topics (one per priority level, highest first, or NAME), the
// delay tiers up to the queue's longest delay (max_delay or the retry
// backoff's cap), and NAME.dlq. The driver
// declares exactly these, so a comparison with a cluster (nbac plan -live)
// sees what the runtime would.
func Topics(cfg queue.Config, opts Options) []Topic {
	opts = withDefaults(opts)
	l := newLayout(cfg)
	names := l.topics()
	out := make([]Topic, len(names))
	for i, n := range names {
		out[i] = Topic{Name: n, Partitions: opts.Partitions, ReplicationFactor: opts.ReplicationFactor}
	}
	return out
}

// Create creates the topics on the cluster c talks to; one that exists
// already is left as it is (whatever its partition count). Declare and
// nbac apply both create with it.
func Create(ctx context.Context, c *kgo.Client, topics []Topic) error {
	cfgs := make([]kgo.TopicConfig, len(topics))
	for i, t := range topics {
		cfgs[i] = kgo.TopicConfig{Topic: t.Name, NumPartitions: t.Partitions, ReplicationFactor: t.ReplicationFactor}
	}
	res, err := c.CreateTopics(ctx, &kgo.CreateTopicsRequest{Topics: cfgs})
	if err != nil {
		return fmt.Errorf("create topics: %v", err)
	}
	for _, t := range topics {
		if err := res.Errors[t.Name]; err != nil && !errors.Is(err, kgo.TopicAlreadyExists) {
			return fmt.Errorf("create topic %q: %v", t.Name, err)
		}
	}
	return nil
}

func withDefaults(opts Options) Options {
	if opts.Partitions <= 0 {
		opts.Partitions = 4
	}
	if opts.ReplicationFactor == 0 {
		opts.ReplicationFactor = -1
	}
	return opts
}

// layout is the topic names of one queue.
type layout struct {
	name    string
	byLevel [queue.Levels]string
	work    []string // highest priority first
	tiers   []time.Duration
	dlq     string
}

func newLayout(cfg queue.Config) layout {
	l := layout{name: cfg.Name, dlq: cfg.Name + ".dlq"}
	for lv := range queue.Levels {
		if cfg.Priorities {
			l.byLevel[lv] = fmt.Sprintf("%s.p%d", cfg.Name, lv)
		} else {
			l.byLevel[lv] = cfg.Name
		}
	}
	if cfg.Priorities {
		for lv := queue.Levels - 1; lv >= 0; lv-- {
			l.work = append(l.work, l.byLevel[lv])
		}
	} else {
		l.work = []string{cfg.Name}
	}
	longest := cfg.LongestDelay()
	for i, t := range tiers {
		if i == 0 || t <= longest {
			l.tiers = append(l.tiers, t)
		}
	}
	return l
}

func (l layout) tierTopic(t time.Duration) string { return fmt.Sprintf("%s.delay.%s", l.name, t) }

func (l layout) topics() []string {
	ts := append([]string(nil), l.work...)
	for _, t := range l.tiers {
		ts = append(ts, l.tierTopic(t))
	}
	return append(ts, l.dlq)
}
