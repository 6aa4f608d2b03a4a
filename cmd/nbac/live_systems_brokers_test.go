package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
	"github.com/rogpeppe/go-internal/testscript"
	kgo "github.com/segmentio/kafka-go"

	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/rabbitmq"
	"github.com/nbac/nbac/runtime/queue/rabbitmq/rabbitmqtest"
)

// The broker commands of testdata/live-systems (TestLiveSystemsScripts).
// They speak each broker's own protocol, so a script checks what nbac did
// on the broker, not what nbac says it did.

// cmdAMQP is the script's RabbitMQ client (the shared broker, $AMQP_URL):
//
//	amqp declare QUEUE [ARG=VALUE...]  declare a durable queue with these
//	                                   arguments (an integer VALUE is sent as
//	                                   one); deleted when the script ends
//	amqp exists QUEUE                  the queue exists (with !, it does not)
//	amqp args QUEUE [ARG=VALUE...]     the queue exists and has these
//	                                   arguments: a declare with them is
//	                                   accepted (with !, RabbitMQ refuses it
//	                                   with PRECONDITION_FAILED: they differ)
//	amqp cleanup QUEUE...              delete these queues when the script
//	                                   ends
//	amqp cleanup-model DIR             when the script ends, delete every
//	                                   queue the runtime's driver declares
//	                                   for the RabbitMQ queues of the HCL in
//	                                   DIR as it is then (work, dlq, delay
//	                                   tiers: what nbac apply declared)
func cmdAMQP(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: amqp declare|exists|args|cleanup QUEUE ...")
	}
	name := args[1]
	switch {
	case args[0] == "declare" && !neg:
		table := amqpArgs(ts, args[2:])
		amqpCleanup(ts, name)
		ts.Check(onAMQPChannel(func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclare(name, true, false, false, false, table)
			return err
		}))
	case args[0] == "exists" && len(args) == 2:
		exists, err := amqpExists(name)
		ts.Check(err)
		if exists == neg {
			ts.Fatalf("queue %q: exists = %v", name, exists)
		}
	case args[0] == "args":
		table := amqpArgs(ts, args[2:])
		exists, err := amqpExists(name)
		ts.Check(err)
		if !exists {
			ts.Fatalf("queue %q does not exist", name)
		}
		err = onAMQPChannel(func(ch *amqp.Channel) error {
			_, err := ch.QueueDeclare(name, true, false, false, false, table)
			return err
		})
		var ae *amqp.Error
		switch {
		case err == nil && neg:
			ts.Fatalf("queue %q has the arguments %v", name, args[2:])
		case err == nil:
		case !neg:
			ts.Fatalf("queue %q does not have the arguments %v: %v", name, args[2:], err)
		case !errors.As(err, &ae) || ae.Code != amqp.PreconditionFailed:
			ts.Fatalf("queue %q: %v", name, err)
		}
	case args[0] == "cleanup" && !neg:
		amqpCleanup(ts, args[1:]...)
	case args[0] == "cleanup-model" && len(args) == 2 && !neg:
		dir := ts.MkAbs(args[1])
		ts.Defer(func() {
			res := lang.Load(dir, lang.Options{})
			if res.Model == nil || res.Diags.HasErrors() {
				ts.Logf("cleanup: loading %s: %v", dir, res.Diags.Error())
				return
			}
			for i := range res.Model.Queues {
				q := &res.Model.Queues[i]
				if br := res.Model.Broker(q.Broker); br == nil || br.Type != "rabbitmq" {
					continue
				}
				for _, d := range rabbitmq.Declarations(queue.ConfigFrom(q)) {
					amqpDelete(ts, d.Name)
				}
			}
		})
	default:
		ts.Fatalf("usage: amqp declare QUEUE [ARG=VALUE...] | amqp exists QUEUE | amqp args QUEUE [ARG=VALUE...] | amqp cleanup QUEUE... | amqp cleanup-model DIR")
	}
}

func amqpArgs(ts *testscript.TestScript, kvs []string) amqp.Table {
	t := amqp.Table{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			ts.Fatalf("argument %q: want NAME=VALUE", kv)
		}
		if n, err := strconv.ParseInt(v, 10, 32); err == nil {
			t[k] = int32(n)
		} else {
			t[k] = v
		}
	}
	return t
}

// onAMQPChannel runs f on a channel of its own connection: a refused
// declare closes the channel, and the next command starts afresh.
func onAMQPChannel(f func(*amqp.Channel) error) error {
	return rabbitmqtest.OnChannel(systemsAMQPURL, f)
}

func amqpExists(name string) (bool, error) {
	err := onAMQPChannel(func(ch *amqp.Channel) error {
		_, err := ch.QueueDeclarePassive(name, true, false, false, false, nil)
		return err
	})
	var ae *amqp.Error
	if errors.As(err, &ae) && ae.Code == amqp.NotFound {
		return false, nil
	}
	return err == nil, err
}

// amqpCleanup deletes the queues when the script ends (a missing one is
// no error: RabbitMQ's delete is idempotent).
func amqpCleanup(ts *testscript.TestScript, names ...string) {
	ts.Defer(func() {
		for _, n := range names {
			amqpDelete(ts, n)
		}
	})
}

func amqpDelete(ts *testscript.TestScript, name string) {
	if err := rabbitmqtest.DeleteQueues(systemsAMQPURL, name); err != nil {
		ts.Logf("cleanup: deleting queue %q: %v", name, err)
	}
}

// cmdRedis is the script's redis-cli on the shared Redis:
//
//	redis CMD [ARG...]     send one command (e.g. SET k v, TYPE k, XINFO
//	                       GROUPS k) and print its reply on stdout, an array
//	                       one element a line; with !, the command must fail
//	                       (its error on stderr)
//	redis cleanup KEY...   delete these keys when the script ends
func cmdRedis(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: redis CMD [ARG...] | redis cleanup KEY...")
	}
	if strings.EqualFold(args[0], "cleanup") && !neg {
		keys := args[1:]
		ts.Defer(func() {
			if err := redisDo(append([]string{"DEL"}, keys...)); err != nil {
				ts.Logf("cleanup: deleting %v: %v", keys, err)
			}
		})
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), systemsDeadline)
	defer cancel()
	c := redis.NewClient(&redis.Options{Addr: systemsRedis})
	defer c.Close()
	cmdArgs := make([]any, len(args))
	for i, a := range args {
		cmdArgs[i] = a
	}
	res, err := c.Do(ctx, cmdArgs...).Result()
	switch {
	case err != nil && !errors.Is(err, redis.Nil):
		if !neg {
			ts.Fatalf("redis %s: %v", strings.Join(args, " "), err)
		}
		fmt.Fprintln(ts.Stderr(), err)
		return
	case neg:
		ts.Fatalf("redis %s succeeded", strings.Join(args, " "))
	}
	writeRedisReply(ts, res)
}

func redisDo(args []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), systemsDeadline)
	defer cancel()
	c := redis.NewClient(&redis.Options{Addr: systemsRedis})
	defer c.Close()
	a := make([]any, len(args))
	for i, s := range args {
		a[i] = s
	}
	return c.Do(ctx, a...).Err()
}

func writeRedisReply(ts *testscript.TestScript, v any) {
	switch v := v.(type) {
	case nil:
		fmt.Fprintln(ts.Stdout(), "(nil)")
	case []any:
		for _, e := range v {
			writeRedisReply(ts, e)
		}
	case map[any]any:
		keys := make([]string, 0, len(v))
		byKey := map[string]any{}
		for k, e := range v {
			keys = append(keys, fmt.Sprint(k))
			byKey[fmt.Sprint(k)] = e
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(ts.Stdout(), "%s: %v\n", k, byKey[k])
		}
	default:
		fmt.Fprintln(ts.Stdout(), v)
	}
}

// cmdKafka is the script's Kafka admin on the test's kfake cluster
// ($KAFKA_SEEDS):
//
//	kafka topic NAME N     create topic NAME with N partitions
//	kafka partitions NAME  print its partition numbers, one a line (with !,
//	                       the topic must not exist)
func cmdKafka(ts *testscript.TestScript, neg bool, args []string) {
	ctx, cancel := context.WithTimeout(context.Background(), systemsDeadline)
	defer cancel()
	seed, _, _ := strings.Cut(ts.Getenv("KAFKA_SEEDS"), ",")
	switch {
	case len(args) == 3 && args[0] == "topic" && !neg:
		n, err := strconv.Atoi(args[2])
		ts.Check(err)
		conn, err := kgo.DialContext(ctx, "tcp", seed)
		ts.Check(err)
		defer conn.Close()
		ctrl, err := conn.Controller()
		ts.Check(err)
		cc, err := kgo.DialContext(ctx, "tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
		ts.Check(err)
		defer cc.Close()
		ts.Check(cc.CreateTopics(kgo.TopicConfig{Topic: args[1], NumPartitions: n, ReplicationFactor: 1}))
	case len(args) == 2 && args[0] == "partitions":
		conn, err := kgo.DialContext(ctx, "tcp", seed)
		ts.Check(err)
		defer conn.Close()
		parts, err := conn.ReadPartitions(args[1])
		if err != nil || len(parts) == 0 {
			if !neg {
				ts.Fatalf("kafka partitions %s: %d partitions, %v", args[1], len(parts), err)
			}
			return
		}
		if neg {
			ts.Fatalf("topic %s exists with %d partitions", args[1], len(parts))
		}
		var ids []int
		for _, p := range parts {
			ids = append(ids, p.ID)
		}
		slices.Sort(ids)
		for _, id := range ids {
			fmt.Fprintln(ts.Stdout(), id)
		}
	default:
		ts.Fatalf("usage: kafka topic NAME N | kafka partitions NAME")
	}
}
