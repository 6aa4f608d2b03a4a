package runtime

import (
	"errors"
	"fmt"
	"net/url"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/kafka"
	"github.com/nbac/nbac/runtime/queue/memory"
	"github.com/nbac/nbac/runtime/queue/rabbitmq"
	"github.com/nbac/nbac/runtime/queue/redisstream"
	"github.com/nbac/nbac/schema"
)

// queueSet is the runtime's open queues and the broker clients it made
// itself (a Redis broker naming a redis block shares that block's client).
type queueSet struct {
	mu     sync.Mutex
	open   map[string]*queue.Queue
	owned  []redis.UniversalClient
	closed bool
}

func init() {
	closeHooks = append(closeHooks, func(rt *Runtime) error { return rt.queues.close() })
}

// Queue returns the queue called name, bound to its broker. It connects
// nothing yet: the first Publish or Consume declares the topology. Its
// warnings go to the runtime's logger (WithLogger). rt.Close stops every
// Consume still running gracefully (as cancelling its context does) before
// it closes the connections.
func (rt *Runtime) Queue(name string) (*queue.Queue, error) {
	s := &rt.queues
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("queue %q: runtime is closed", name)
	}
	if q, ok := s.open[name]; ok {
		return q, nil
	}
	blk := rt.model.Queue(name)
	if blk == nil {
		known := make([]string, 0, len(rt.model.Queues))
		for _, q := range rt.model.Queues {
			known = append(known, q.Name)
		}
		return nil, fmt.Errorf("queue %q is not in the model%s", name, suggest(name, known))
	}
	br := rt.model.Broker(blk.Broker)
	if br == nil {
		return nil, fmt.Errorf("queue %q: broker %q is not in the model (rebuild model.json with `nbac build`)", name, blk.Broker)
	}
	cfg := queue.ConfigFrom(blk)
	if rt.log != nil {
		cfg.Logger = rt.log
	}
	cfg.TracerProvider = rt.tp
	drv, err := rt.queueDriver(br, cfg)
	if err != nil {
		return nil, fmt.Errorf("queue %q: %w", name, err)
	}
	if rt.reg != nil {
		if err := queue.Register(rt.reg); err != nil {
			return nil, fmt.Errorf("queue %q: registering metrics: %w", name, err)
		}
	}
	q := queue.New(cfg, drv)
	if s.open == nil {
		s.open = map[string]*queue.Queue{}
	}
	s.open[name] = q
	return q, nil
}

// queueDriver picks the driver of broker br. s.mu is held.
func (rt *Runtime) queueDriver(br *schema.Broker, cfg queue.Config) (queue.Driver, error) {
	switch br.Type {
	case "memory":
		return memory.Named(br.Name).Driver(cfg), nil
	case "rabbitmq":
		u, err := rt.brokerURL(br, "amqp")
		if err != nil {
			return nil, err
		}
		return rabbitmq.New(cfg, rabbitmq.Options{URL: u, ConnectionName: "nbac:" + cfg.Name, Logger: rt.log}), nil
	case "kafka":
		opts, err := KafkaOptions(br, rt.getenv)
		if err != nil {
			return nil, err
		}
		opts.Logger = rt.log
		return kafka.New(cfg, opts), nil
	case "redis":
		c, err := rt.brokerRedis(br)
		if err != nil {
			return nil, err
		}
		return redisstream.New(cfg, redisstream.Options{Client: c, Logger: rt.log}), nil
	}
	return nil, fmt.Errorf("broker %q has type %q, which the runtime has no queue driver for (use rabbitmq, kafka, redis or memory)", br.Name, br.Type)
}

// brokerURL reads the connection URL from the variable url_env names, else
// builds one from the first address (no credentials: the broker's defaults).
func (rt *Runtime) brokerURL(br *schema.Broker, scheme string) (string, error) {
	if br.URLEnv != "" {
		if v, ok := rt.getenv(br.URLEnv); ok && v != "" {
			if _, err := url.Parse(v); err != nil {
				return "", fmt.Errorf("broker %q: $%s is not a URL (it should look like %s://user:pass@host:port/)", br.Name, br.URLEnv, scheme)
			}
			return v, nil
		}
		if len(br.Addresses) == 0 {
			return "", fmt.Errorf("broker %q: environment variable %s (url_env) is not set and the block has no addresses; set it to %s://user:pass@host:port/", br.Name, br.URLEnv, scheme)
		}
	}
	if len(br.Addresses) == 0 {
		return "", fmt.Errorf("broker %q: set url_env or addresses in the broker block", br.Name)
	}
	return scheme + "://" + br.Addresses[0] + "/", nil
}

// brokerRedis returns the Redis client of a redis broker: the shared client
// of the redis block it names, else one of its own. s.mu is held.
func (rt *Runtime) brokerRedis(br *schema.Broker) (redis.UniversalClient, error) {
	if br.Redis != "" {
		return rt.redisClient(br.Redis)
	}
	c, err := ownBrokerRedis(br, rt.getenv)
	if err != nil {
		return nil, err
	}
	rt.queues.owned = append(rt.queues.owned, c)
	return c, nil
}

// close shuts the queues down together (each waits up to its
// shutdown_timeout for its handlers, so one after another would add those
// up), then closes the broker clients they used. s.mu is not held while
// waiting, so Queue calls fail fast with "runtime is closed" meanwhile.
func (s *queueSet) close() error {
	s.mu.Lock()
	s.closed = true
	open, owned := s.open, s.owned
	s.open, s.owned = nil, nil
	s.mu.Unlock()
	errs := make([]error, 0, len(open)+len(owned))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, q := range open {
		wg.Go(func() {
			err := q.Close()
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, c := range owned {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
