package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/nbac/nbac/runtime"
)

func init() {
	register(command{name: "queue", summary: "Inspect a queue and replay its dead letters (inspect, replay-dlq)", run: runQueue})
}

const queueUsage = `Usage: nbac queue SUBCOMMAND PATH NAME [flags]

Talks to the broker of queue NAME as the runtime would: PATH is a model.json
or an HCL configuration; credentials come from the broker's url_env variable.

  inspect PATH NAME              depths: ready, unacknowledged, delayed,
                                 dead letters, consumers (where the broker tells)
  replay-dlq PATH NAME           move dead letters back to the queue with their
                                 attempt count reset (at-least-once)

Flags:
  -limit N          replay-dlq: move at most N messages (default: all)
  -timeout D        give up after D (default 30s)
  -var k=v          set a variable (repeatable)
  -var-file F       read variables from F (repeatable)
`

func runQueue(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, queueUsage)
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	sub := args[0]
	if sub != "inspect" && sub != "replay-dlq" {
		fmt.Fprintf(stderr, "nbac queue: unknown subcommand %q (use inspect or replay-dlq)\n", sub)
		return exitError
	}
	fs := newFlagSet("queue "+sub, "PATH NAME", "See `nbac queue -h`.", stderr)
	var in inputFlags
	in.register(fs)
	limit := fs.Int("limit", 0, "replay at most `N` dead letters (0 = all)")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after `D`")
	pos, code, stop := parseFlags(fs, args[1:])
	if stop {
		return code
	}
	if len(pos) != 2 {
		fmt.Fprintf(stderr, "nbac queue %s: want PATH and NAME, got %d arguments\n\n%s", sub, len(pos), queueUsage)
		return exitError
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, *timeout)
	defer cancelT()

	rt, err := runtime.Open(ctx, pos[0], runtime.WithVars(in.vars...), runtime.WithVarFiles(in.varFiles...))
	if err != nil {
		fmt.Fprintf(stderr, "nbac queue: %v\n", err)
		return exitError
	}
	defer rt.Close()
	q, err := rt.Queue(pos[1])
	if err != nil {
		fmt.Fprintf(stderr, "nbac queue: %v\n", err)
		return exitError
	}
	blk := rt.Model().Queue(pos[1])
	broker := rt.Model().Broker(blk.Broker)
	switch sub {
	case "inspect":
		st, err := q.Inspect(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "nbac queue inspect: %v\n", err)
			return exitError
		}
		fmt.Fprintf(stdout, "queue %s on broker %s (%s)\n", q.Name(), broker.Name, broker.Type)
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, row := range []struct {
			k string
			v int64
		}{{"ready", st.Ready}, {"unacked", st.Unacked}, {"delayed", st.Delayed}, {"dead letters", st.DeadLetters}, {"consumers", st.Consumers}} {
			v := strconv.FormatInt(row.v, 10)
			if row.v < 0 {
				v = "unknown (the broker does not report it)"
			}
			fmt.Fprintf(tw, "  %s\t%s\n", row.k, v)
		}
		tw.Flush()
	case "replay-dlq":
		n, err := q.ReplayDLQ(ctx, *limit)
		fmt.Fprintf(stdout, "replayed %d dead letters to queue %s\n", n, q.Name())
		if err != nil {
			fmt.Fprintf(stderr, "nbac queue replay-dlq: %v\n", err)
			return exitError
		}
	}
	return exitOK
}
