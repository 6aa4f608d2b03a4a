package runtime

import (
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/queue/kafka"
	"github.com/nbac/nbac/schema"
)

// The functions here are how the runtime reaches a broker; nbac plan -live
// and apply (live/brokers) call them so they connect exactly as the
// runtime would.

// AMQPURL is the connection URL the runtime uses for a rabbitmq broker:
// the value of its url_env variable (read with getenv), else amqp:// and
// its first address.
func AMQPURL(br *schema.Broker, getenv func(string) (string, bool)) (string, error) {
	rt := &Runtime{getenv: getenv}
	return rt.brokerURL(br, "amqp")
}

// KafkaOptions are the driver options the runtime gives a kafka broker's
// queues (no Logger): the seed list in its url_env variable
// ("host:port[,host:port...]", a kafka:// prefix tolerated), else its
// addresses; the driver's default partitions and replication.
func KafkaOptions(br *schema.Broker, getenv func(string) (string, bool)) (kafka.Options, error) {
	seeds := br.Addresses
	if br.URLEnv != "" {
		if v, ok := getenv(br.URLEnv); ok && v != "" {
			seeds = nil
			for _, a := range strings.Split(v, ",") {
				if a = strings.TrimPrefix(strings.TrimSpace(a), "kafka://"); a != "" {
					seeds = append(seeds, a)
				}
			}
		}
	}
	if len(seeds) == 0 {
		return kafka.Options{}, fmt.Errorf("broker %q: set addresses, or url_env to a variable holding host:port[,host:port...]", br.Name)
	}
	return kafka.Options{Brokers: seeds}, nil
}

// BrokerRedis is a new client connected as the runtime connects a redis
// broker: with the settings of the redis block it names, else its url_env
// URL, else its addresses. The caller closes it. (The runtime itself
// shares one client per redis block between caches and brokers.)
func BrokerRedis(m *schema.Model, br *schema.Broker, getenv func(string) (string, bool)) (redis.UniversalClient, error) {
	if br.Redis != "" {
		blk, err := redisBlock(m, br.Redis)
		if err != nil {
			return nil, err
		}
		return newRedisClient(blk, getenv)
	}
	return ownBrokerRedis(br, getenv)
}

// ownBrokerRedis is the client of a redis broker that names no redis block.
func ownBrokerRedis(br *schema.Broker, getenv func(string) (string, bool)) (redis.UniversalClient, error) {
	if br.URLEnv != "" {
		if v, ok := getenv(br.URLEnv); ok && v != "" {
			opt, err := redis.ParseURL(v)
			if err != nil {
				// Never echo the URL: it may hold a password.
				return nil, fmt.Errorf("broker %q: $%s is not a redis:// URL", br.Name, br.URLEnv)
			}
			return redis.NewClient(opt), nil
		}
	}
	if len(br.Addresses) == 0 {
		return nil, fmt.Errorf("broker %q: set redis, url_env or addresses in the broker block", br.Name)
	}
	return redis.NewUniversalClient(&redis.UniversalOptions{Addrs: br.Addresses}), nil
}
