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

const queueUsage = `Usage: nbac queue SUBCOMMAND PATH NAME [options]

Talks to the broker of queue NAME as the runtime would: PATH is a model.json
or an HCL configuration; credentials come from the broker's url_env variable.

Subcommands:
  inspect PATH NAME      depths: ready, unacknowledged, delayed, dead letters,
                         consumers (where the broker tells)
  replay-dlq PATH NAME   move dead letters back to the queue with their attempt
                         count reset (at-least-once)

Run ` + "`nbac queue SUBCOMMAND -h`" + ` for its options.

Example:
  nbac queue inspect infra orders -json
`

// queueStats is `nbac queue inspect -json`'s result; -1 is "the broker
// does not report it".
type queueStats struct {
	Queue       string `json:"queue"`
	Broker      string `json:"broker"`
	BrokerType  string `json:"broker_type"`
	Ready       int64  `json:"ready"`
	Unacked     int64  `json:"unacked"`
	Delayed     int64  `json:"delayed"`
	DeadLetters int64  `json:"dead_letters"`
	Consumers   int64  `json:"consumers"`
}

func runQueue(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 0 {
			fmt.Fprint(stderr, "nbac: nbac queue needs a subcommand\n\n"+queueUsage)
			return exitError
		}
		fmt.Fprint(stdout, queueUsage)
		return exitOK
	}
	sub := args[0]
	if sub != "inspect" && sub != "replay-dlq" {
		fmt.Fprintf(stderr, "nbac: unknown queue subcommand %q.%s\n\n%s", sub, suggestWord(sub, []string{"inspect", "replay-dlq"}), queueUsage)
		return exitError
	}
	descr := map[string]string{
		"inspect":    "Prints the depths of queue NAME: ready, unacknowledged, delayed, dead letters\nand consumers, where the broker tells.",
		"replay-dlq": "Moves queue NAME's dead letters back to the queue with their attempt count\nreset (at-least-once: a crash mid-way may deliver one twice).",
	}[sub]
	fs := newFlagSet("queue "+sub, "PATH NAME [options]", descr, "nbac queue "+sub+" infra orders -var env=prod", stderr)
	var in inputFlags
	var asJSON, noColor bool
	in.register(fs)
	fs.BoolVar(&asJSON, "json", false, "print a JSON document on stdout, errors included")
	fs.BoolVar(&noColor, "no-color", false, "never colour the output")
	limit := new(int)
	if sub == "replay-dlq" {
		fs.IntVar(limit, "limit", 0, "replay at most `N` dead letters (0 = all)")
	}
	timeout := fs.Duration("timeout", 30*time.Second, "give up after `duration`")
	pos, code, stop := parseFlags(fs, args[1:])
	if stop {
		return code
	}
	if len(pos) != 2 {
		return usageError(fs, "nbac queue %s wants PATH and NAME, got %d argument(s)", sub, len(pos))
	}
	rep := &opsReport{command: "queue " + sub, json: asJSON, noColor: noColor, stdout: stdout, stderr: stderr}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, *timeout)
	defer cancelT()

	rt, err := runtime.Open(ctx, pos[0], runtime.WithVars(in.vars...), runtime.WithVarFiles(in.varFiles...))
	if err != nil {
		return rep.fail("Cannot open the runtime", err)
	}
	defer rt.Close()
	q, err := rt.Queue(pos[1])
	if err != nil {
		return rep.fail("Cannot open the queue", err)
	}
	blk := rt.Model().Queue(pos[1])
	broker := rt.Model().Broker(blk.Broker)
	out := rep.out()
	switch sub {
	case "inspect":
		st, err := q.Inspect(ctx)
		if err != nil {
			return rep.fail("Cannot inspect the queue", err)
		}
		res := queueStats{Queue: q.Name(), Broker: broker.Name, BrokerType: broker.Type,
			Ready: st.Ready, Unacked: st.Unacked, Delayed: st.Delayed, DeadLetters: st.DeadLetters, Consumers: st.Consumers}
		if asJSON {
			return rep.finish(res)
		}
		fmt.Fprintf(out, "queue %s on broker %s (%s)\n", q.Name(), broker.Name, broker.Type)
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
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
		return rep.finish(nil)
	default: // replay-dlq
		n, err := q.ReplayDLQ(ctx, *limit)
		if !asJSON {
			fmt.Fprintf(out, "replayed %d dead letters to queue %s\n", n, q.Name())
		}
		if err != nil {
			rep.diags = rep.diags.Append(errorDiag("Replay stopped", err, ""))
		}
		return rep.finish(map[string]any{"queue": q.Name(), "replayed": n})
	}
}
