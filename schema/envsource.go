package schema

// EnvSource says where a service's pods get environment variable name:
// from a secret_env block (Secret and key, returned) or from env (a plain
// value in the ConfigMap). ok is false when the service sets neither, so
// the variable is not in the pod the emitter writes. The KEDA emitter and
// its validation use it to read a broker's credentials from the same place
// as the runtime (url_env, password_env).
func (s *Service) EnvSource(name string) (secret *SecretEnv, ok bool) {
	for i := range s.SecretEnv {
		if s.SecretEnv[i].Name == name {
			return &s.SecretEnv[i], true
		}
	}
	_, ok = s.Env[name]
	return nil, ok
}

// UsesRef reports whether the service lists r in uses.
func (s *Service) UsesRef(r Ref) bool {
	for _, u := range s.Uses {
		if u == r {
			return true
		}
	}
	return false
}

// RedelaysInConsumer reports whether the queue's delayed messages (delays
// and retries) reach their work stream or topic only through a running
// consumer of the runtime: true on Redis Streams and Kafka, whose delay
// sets and tier topics are moved by the consumer; false on RabbitMQ, whose
// delay tiers dead-letter back to the work queue inside the broker.
func (q *Queue) RedelaysInConsumer(brokerType string) bool {
	if brokerType != "redis" && brokerType != "kafka" {
		return false
	}
	return q.MaxDelay > 0 || q.Retry.MaxAttempts != 1 // 0 is the runtime default, 5
}
