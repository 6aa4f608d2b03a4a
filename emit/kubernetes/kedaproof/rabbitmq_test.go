package kedaproof

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/queuetest"
	"github.com/nbac/nbac/runtime/queue/rabbitmq"
	"github.com/nbac/nbac/runtime/queue/rabbitmq/rabbitmqtest"
)

const amqpURL = "amqp://guest:guest@127.0.0.1:5672/"

// rabbitQueueLength is KEDA's rabbitmq scaler with protocol amqp and mode
// QueueLength: a passive declare of queueName, whose reply carries the
// ready messages. The host comes from the TriggerAuthentication (the
// Secret holding url_env); here, the value the runtime read.
func rabbitQueueLength(ctx context.Context, md map[string]string) (int64, error) {
	if md["protocol"] != "amqp" || md["mode"] != "QueueLength" {
		return 0, fmt.Errorf("unexpected metadata %v", md)
	}
	conn, err := amqp.Dial(amqpURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return 0, err
	}
	q, err := ch.QueueDeclarePassive(md["queueName"], true, false, false, false, nil)
	if err != nil {
		return 0, err
	}
	return int64(q.Messages), nil
}

// TestRabbitMQBacklogIsWhatKEDAReads: messages of every priority level are
// counted, delayed ones only once they are due (the broker moves them
// into the work queue; before, no pod could do anything with them), and
// handled or dead-lettered ones no more.
func TestRabbitMQBacklogIsWhatKEDAReads(t *testing.T) {
	queuetest.RequireService(t, "RabbitMQ", "127.0.0.1:5672")
	name := uniqueQueue(t)
	so, dir := estate(t, fmt.Sprintf(`
project "proof" {}
broker "rabbit" {
  type    = "rabbitmq"
  url_env = "AMQP_URL"
}
queue %q {
  broker      = broker.rabbit
  priorities  = true
  max_delay   = "1h"
  dead_letter = true
  retry {
    max_attempts = 1
  }
}
`, name)+worker(name, 4, `  secret_env "AMQP_URL" {
    secret = "rabbitmq"
    key    = "url"
  }
`))
	q := queueOf(t, dir, map[string]string{"AMQP_URL": amqpURL}, name)
	t.Cleanup(func() { deleteRabbitQueues(t, q.Config()) })

	publishAcrossLevels(t, q, 7, "ok")
	publishAcrossLevels(t, q, 2, "fail")
	for i := range 3 { // due in an hour: not waiting for a worker yet
		if err := q.Publish(context.Background(), queue.Message{Body: []byte("later-" + strconv.Itoa(i)), Delay: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	settle(t, so, "rabbitmq", rabbitQueueLength, 9, "RabbitMQ to report the 9 ready messages of all priority levels")
	if got := so.Spec.Triggers[0].Metadata["value"]; got != "4" {
		t.Fatalf("trigger value %q, want the backlog 4", got)
	}

	if err := q.Publish(context.Background(), queue.Message{Body: []byte("soon"), Delay: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	settle(t, so, "rabbitmq", rabbitQueueLength, 10, "the message delayed by 200ms to be counted once due")

	drain(t, q)
	settle(t, so, "rabbitmq", rabbitQueueLength, 0, "the backlog to drain (7 acked, 2 dead-lettered, 3 still delayed)")
}

func deleteRabbitQueues(t *testing.T, cfg queue.Config) {
	if err := rabbitmqtest.DeleteQueues(amqpURL, rabbitmq.QueueNames(cfg)...); err != nil {
		t.Logf("cleanup: %v", err)
	}
}
