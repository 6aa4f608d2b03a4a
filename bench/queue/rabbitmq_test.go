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

func BenchmarkRabbitMQ(b *testing.B) {
	need(b, "RabbitMQ", amqpAddr)
	for _, c := range consumerCounts {
		b.Run(fmt.Sprintf("nbac/consumers=%d", c), func(b *testing.B) { benchNbacRabbit(b, c) })
		b.Run(fmt.Sprintf("amqp091/consumers=%d", c), func(b *testing.B) { benchBareAMQP(b, c) })
		b.Run(fmt.Sprintf("watermill/consumers=%d", c), func(b *testing.B) { benchWatermill(b, c) })
	}
}

func deleteAMQP(b *testing.B, names ...string) {
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

func benchNbacRabbit(b *testing.B, consumers int) {
	cfg := queue.Config{Name: uniqueName("nbac"), Workers: consumers, Prefetch: window, MaxAttempts: 3, DeadLetter: true, ShutdownTimeout: 5 * time.Second}
	q := queue.New(cfg, rabbitmq.New(cfg, rabbitmq.Options{URL: amqpURL}))
	defer deleteAMQP(b, rabbitmq.QueueNames(q.Config())...)
	defer q.Close()
	var cur atomic.Pointer[counter]
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(ctx, func(context.Context, *queue.Delivery) error { cur.Load().add(); return nil }, queue.ConsumeOptions{})
	}()
	defer func() { cancel(); <-done }()
	batch := make([]queue.Message, window)
	for i := range batch {
		batch[i] = queue.Message{Body: payload}
	}
	run(b, func(b *testing.B, n int) {
		cnt := newCounter(n)
		cur.Store(cnt)
		tctx, tcancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer tcancel()
		for i := 0; i < n; i += window {
			if err := q.PublishBatch(tctx, batch[:min(window, n-i)]); err != nil {
				b.Fatal(err)
			}
		}
		cnt.wait(b, tctx)
	})
}

// benchBareAMQP is the anchor: a hand-written amqp091-go loop with a
// durable queue, persistent messages, a sliding window of 256 unconfirmed
// publishes and manual acks.
func benchBareAMQP(b *testing.B, consumers int) {
	name := uniqueName("amqp091")
	defer deleteAMQP(b, name)
	conn, err := amqp.Dial(amqpURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
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
	defer cconn.Close()
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
	ctx := context.Background()
	run(b, func(b *testing.B, n int) {
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
		tctx, tcancel := context.WithTimeout(ctx, 2*time.Minute)
		defer tcancel()
		cnt.wait(b, tctx)
	})
}

// benchWatermill is watermill-amqp with the same guarantees: durable queue,
// persistent messages, publisher confirms, manual acks.
func benchWatermill(b *testing.B, consumers int) {
	topic := uniqueName("watermill")
	defer deleteAMQP(b, topic)
	cfg := wamqp.NewDurableQueueConfig(amqpURL)
	cfg.Publish.ConfirmDelivery = true
	cfg.Consume.Qos.PrefetchCount = window
	logger := watermill.NopLogger{}
	pub, err := wamqp.NewPublisher(cfg, logger)
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	sub, err := wamqp.NewSubscriber(cfg, logger)
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	var cur atomic.Pointer[counter]
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
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
	run(b, func(b *testing.B, n int) {
		cnt := newCounter(n)
		cur.Store(cnt)
		for range n {
			if err := pub.Publish(topic, message.NewMessage(watermill.NewUUID(), payload)); err != nil {
				b.Fatal(err)
			}
		}
		tctx, tcancel := context.WithTimeout(ctx, 5*time.Minute)
		defer tcancel()
		cnt.wait(b, tctx)
	})
}
