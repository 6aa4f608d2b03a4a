package queue

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/rabbitmq"
)

// BenchmarkRabbitMQ pairs the nbac driver with the bare amqp091-go loop and
// watermill-amqp, 3 alternating rounds of 20,000 messages each (watermill
// waits for every confirm, so it gets one round).
func BenchmarkRabbitMQ(b *testing.B) {
	need(b, "RabbitMQ", amqpAddr)
	for _, c := range consumerCounts {
		b.Run(fmt.Sprintf("consumers=%d", c), func(b *testing.B) { paired(b, c, 3, nbacRabbit, bareAMQP) })
	}
	for _, c := range consumerCounts {
		b.Run(fmt.Sprintf("watermill/consumers=%d", c), func(b *testing.B) { paired(b, c, 1, watermillAMQP) })
	}
}

func deleteAMQP(names ...string) {
	conn, err := amqp.Dial(amqpURL)
	if err != nil {
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	for _, n := range names {
		_, _ = ch.QueueDelete(n, false, false, false)
	}
}

func nbacQueueSystem(b *testing.B, name string, q *queue.Queue) *system {
	s := &system{name: name}
	var cur atomic.Pointer[counter]
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(ctx, func(context.Context, *queue.Delivery) error { cur.Load().add(); return nil }, queue.ConsumeOptions{})
	}()
	s.cleanup(func() { cancel(); <-done })
	batch := make([]queue.Message, window)
	for i := range batch {
		batch[i] = queue.Message{Body: payload}
	}
	// One publisher goroutine; PublishBatch sends 256 back to back and
	// waits for their confirms together.
	s.round = func(b *testing.B, n int) {
		cnt := newCounter(n)
		cur.Store(cnt)
		tctx, tcancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer tcancel()
		for i := 0; i < n; i += window {
			if err := q.PublishBatch(tctx, batch[:min(window, n-i)]); err != nil {
				b.Fatal(err)
			}
		}
		cnt.wait(b, tctx)
	}
	return s
}

func nbacRabbit(b *testing.B, consumers int) *system {
	cfg := queue.Config{Name: uniqueName("nbac"), Workers: consumers, Prefetch: window, MaxAttempts: 3, DeadLetter: true, ShutdownTimeout: 5 * time.Second}
	q := queue.New(cfg, rabbitmq.New(cfg, rabbitmq.Options{URL: amqpURL}))
	s := &system{}
	s.cleanup(func() { deleteAMQP(rabbitmq.QueueNames(q.Config())...) })
	s.cleanup(func() { q.Close() })
	inner := nbacQueueSystem(b, "nbac", q)
	s.name, s.round = inner.name, inner.round
	s.stop = append(s.stop, inner.stop...)
	return s
}

// bareAMQP is the anchor: a hand-written amqp091-go loop with a durable
// queue, persistent messages, a sliding window of 256 unconfirmed publishes
// and manual acks, one channel per consumer.
func bareAMQP(b *testing.B, consumers int) *system {
	s := &system{name: "amqp091"}
	name := uniqueName("amqp091")
	s.cleanup(func() { deleteAMQP(name) })
	conn, err := amqp.Dial(amqpURL)
	if err != nil {
		b.Fatal(err)
	}
	s.cleanup(func() { conn.Close() })
	pub, err := conn.Channel()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pub.QueueDeclare(name, true, false, false, false, nil); err != nil {
		b.Fatal(err)
	}
	if err := pub.Confirm(false); err != nil {
		b.Fatal(err)
	}
	confirms := pub.NotifyPublish(make(chan amqp.Confirmation, window))
	var cur atomic.Pointer[counter]
	cconn, err := amqp.Dial(amqpURL)
	if err != nil {
		b.Fatal(err)
	}
	s.cleanup(func() { cconn.Close() })
	for i := range consumers {
		ch, err := cconn.Channel()
		if err != nil {
			b.Fatal(err)
		}
		if err := ch.Qos(window, 0, false); err != nil {
			b.Fatal(err)
		}
		dlvs, err := ch.Consume(name, fmt.Sprint("c", i), false, false, false, false, nil)
		if err != nil {
			b.Fatal(err)
		}
		go func() {
			for d := range dlvs {
				cur.Load().add()
				_ = d.Ack(false)
			}
		}()
	}
	s.round = func(b *testing.B, n int) {
		ctx := context.Background()
		cnt := newCounter(n)
		cur.Store(cnt)
		out := 0
		for range n {
			if out == window {
				if c := <-confirms; !c.Ack {
					b.Fatal("nack")
				}
				out--
			}
			err := pub.PublishWithContext(ctx, "", name, true, false, amqp.Publishing{DeliveryMode: amqp.Persistent, Body: payload})
			if err != nil {
				b.Fatal(err)
			}
			out++
		}
		for ; out > 0; out-- {
			if c := <-confirms; !c.Ack {
				b.Fatal("nack")
			}
		}
		tctx, tcancel := context.WithTimeout(ctx, 5*time.Minute)
		defer tcancel()
		cnt.wait(b, tctx)
	}
	return s
}

// watermillAMQP is watermill-amqp with the same guarantees: durable queue,
// persistent messages, publisher confirms (it waits for each), manual acks,
// one subscription per consumer.
func watermillAMQP(b *testing.B, consumers int) *system {
	s := &system{name: "watermill"}
	topic := uniqueName("watermill")
	s.cleanup(func() { deleteAMQP(topic) })
	cfg := wamqp.NewDurableQueueConfig(amqpURL)
	cfg.Publish.ConfirmDelivery = true
	cfg.Consume.Qos.PrefetchCount = window
	logger := watermill.NopLogger{}
	pub, err := wamqp.NewPublisher(cfg, logger)
	if err != nil {
		b.Fatal(err)
	}
	s.cleanup(func() { pub.Close() })
	sub, err := wamqp.NewSubscriber(cfg, logger)
	if err != nil {
		b.Fatal(err)
	}
	s.cleanup(func() { sub.Close() })
	var cur atomic.Pointer[counter]
	ctx, cancel := context.WithCancel(context.Background())
	s.cleanup(cancel)
	for range consumers {
		msgs, err := sub.Subscribe(ctx, topic)
		if err != nil {
			b.Fatal(err)
		}
		go func() {
			for m := range msgs {
				cur.Load().add()
				m.Ack()
			}
		}()
	}
	s.round = func(b *testing.B, n int) {
		cnt := newCounter(n)
		cur.Store(cnt)
		for range n {
			if err := pub.Publish(topic, message.NewMessage(watermill.NewUUID(), payload)); err != nil {
				b.Fatal(err)
			}
		}
		tctx, tcancel := context.WithTimeout(ctx, 15*time.Minute)
		defer tcancel()
		cnt.wait(b, tctx)
	}
	return s
}
