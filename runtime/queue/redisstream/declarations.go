package redisstream

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/queue"
)

// Declaration is one consumer group Declare creates, with its stream
// (XGROUP CREATE stream group 0 MKSTREAM).
type Declaration struct {
	Stream, Group string
}

// Declarations lists, highest priority first, what Declare creates for
// queue cfg on opts (Prefix and Group defaulted as New does): one stream
// per priority level, or the p1 stream alone, each with the consumer group.
// The driver declares exactly these, so a comparison with a server (nbac
// plan -live) sees what the runtime would. The delayed set and the
// dead-letter stream are made by their first write, not declared.
func Declarations(cfg queue.Config, opts Options) []Declaration {
	opts = withDefaults(opts)
	_, streams := streamKeys(cfg, opts)
	out := make([]Declaration, len(streams))
	for i, s := range streams {
		out[i] = Declaration{Stream: s, Group: opts.Group}
	}
	return out
}

func withDefaults(opts Options) Options {
	if opts.Prefix == "" {
		opts.Prefix = "nbac:q:"
	}
	if opts.Group == "" {
		opts.Group = "nbac"
	}
	return opts
}

// base is the prefix of every key of queue cfg; the hash tag {NAME} keeps
// them on one Cluster node.
func base(cfg queue.Config, opts Options) string { return opts.Prefix + "{" + cfg.Name + "}" }

// streamKeys maps each priority level to its stream and lists the streams
// in reading order, highest level first.
func streamKeys(cfg queue.Config, opts Options) (byLevel [queue.Levels]string, streams []string) {
	b := base(cfg, opts)
	if !cfg.Priorities {
		for l := range byLevel {
			byLevel[l] = b + ":p1"
		}
		return byLevel, []string{byLevel[1]}
	}
	for l := range byLevel {
		byLevel[l] = fmt.Sprintf("%s:p%d", b, l)
	}
	for l := queue.Levels - 1; l >= 0; l-- {
		streams = append(streams, byLevel[l])
	}
	return byLevel, streams
}

// Create makes dc's stream (when absent) and group, reading from the
// stream's first entry; a group that exists already is left as it is.
// Declare and nbac apply both create with it.
func Create(ctx context.Context, rdb redis.UniversalClient, dc Declaration) error {
	err := rdb.XGroupCreateMkStream(ctx, dc.Stream, dc.Group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create consumer group %q on %q: %v", dc.Group, dc.Stream, err)
	}
	return nil
}
