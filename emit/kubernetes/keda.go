package kubernetes

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"

	"github.com/nbac/nbac/emit/kubernetes/kedaapi"
	"github.com/nbac/nbac/schema"
)

// Names the runtime gives a queue's storage on each broker (runtime/queue/
// rabbitmq, redisstream, kafka). They are derived here independently of
// the runtime, and emit/kubernetes/kedaproof checks them against a real
// backlog the runtime builds.
const (
	redisStreamPrefix = "nbac:q:{%s}:p%d" // queue name, priority level
	redisNoPriority   = 1                 // the one stream's level without priorities
	kafkaGroupPrefix  = "nbac."           // + topic: every topic has its own group
	priorityLevels    = 4                 // low, normal, high, critical
)

// kedaObjects returns the TriggerAuthentications and the ScaledObject that
// replace the HPA when autoscale has queue triggers (docs/autoscaling.md).
func (b *builder) kedaObjects() []any {
	a := b.svc.Autoscale
	if a == nil || len(a.Queues) == 0 {
		return nil
	}
	var (
		triggers []kedaapi.ScaleTrigger
		auths    []any
		authOf   = map[string]string{} // broker -> TriggerAuthentication name
		groups   []triggerGroup
	)
	if a.CPUPercent > 0 {
		triggers = append(triggers, resourceTrigger("cpu", a.CPUPercent))
	}
	if a.MemoryPercent > 0 {
		triggers = append(triggers, resourceTrigger("memory", a.MemoryPercent))
	}
	for i := range a.Queues {
		t := &a.Queues[i]
		q := b.m.Queue(t.Queue)
		br := (*schema.Broker)(nil)
		if q != nil {
			br = b.m.Broker(q.Broker)
		}
		if br == nil {
			b.errorf(b.at(t.Src, "queue"), "Unknown queue or broker",
				fmt.Sprintf("The queue trigger of %s names queue.%s, which is not in the model with its broker.", schema.Describe("service", b.svc.Name), t.Queue))
			continue
		}
		qt, auth := b.queueTriggers(t, q, br)
		if len(qt) == 0 {
			continue
		}
		if auth != nil {
			name, ok := authOf[br.Name]
			if !ok {
				name = b.svc.Name + "-" + dnsPart(br.Name)
				authOf[br.Name] = name
				auth.ObjectMeta = b.meta(name)
				auths = append(auths, auth)
			}
			for j := range qt {
				qt[j].AuthenticationRef = &kedaapi.AuthenticationRef{Name: name}
			}
		}
		g := triggerGroup{backlog: t.Backlog}
		for j := range qt {
			g.names = append(g.names, qt[j].Name)
		}
		groups = append(groups, g)
		triggers = append(triggers, qt...)
	}
	if b.diags.HasErrors() {
		return nil
	}
	so := &kedaapi.ScaledObject{
		TypeMeta:   typeMeta(kedaapi.APIVersion, "ScaledObject"),
		ObjectMeta: b.meta(b.svc.Name),
		Spec: kedaapi.ScaledObjectSpec{
			ScaleTargetRef:  kedaapi.ScaleTarget{APIVersion: "apps/v1", Kind: "Deployment", Name: b.svc.Name},
			MinReplicaCount: ptr(int32(a.Min)),
			MaxReplicaCount: ptr(int32(a.Max)),
			Advanced:        sumModifiers(groups),
			Triggers:        triggers,
		},
	}
	return append(auths, so)
}

// triggerGroup is the triggers of one queue (several when the queue is
// several streams or topics) and its backlog per replica.
type triggerGroup struct {
	names   []string
	backlog int
}

// sumModifiers returns nil when every queue is one trigger: the HPA then
// takes the largest replica count any trigger asks for, which is right
// across queues (each pod runs a consumer of each). A queue spread over
// several streams or topics (priority levels) must be summed instead, so
// the triggers are combined by a formula: the largest, over queues, of
// (messages waiting in all its parts) / (its backlog), against a target of
// 1 per replica. KEDA keeps CPU and memory triggers as metrics of their own.
func sumModifiers(groups []triggerGroup) *kedaapi.AdvancedConfig {
	split := false
	for _, g := range groups {
		split = split || len(g.names) > 1
	}
	if !split {
		return nil
	}
	terms := make([]string, len(groups))
	for i, g := range groups {
		sum := strings.Join(g.names, " + ")
		if len(groups) == 1 {
			terms[i] = sum
		} else {
			terms[i] = fmt.Sprintf("(%s) / %d", sum, g.backlog)
		}
	}
	m := &kedaapi.ScalingModifiers{MetricType: autoscalingv2.AverageValueMetricType}
	if len(groups) == 1 {
		m.Formula, m.Target = terms[0], strconv.Itoa(groups[0].backlog)
	} else {
		m.Formula, m.Target = "max("+strings.Join(terms, ", ")+")", "1"
	}
	return &kedaapi.AdvancedConfig{ScalingModifiers: m}
}

func resourceTrigger(kind string, pct int) kedaapi.ScaleTrigger {
	return kedaapi.ScaleTrigger{
		Type:       kind,
		MetricType: autoscalingv2.UtilizationMetricType,
		Metadata:   map[string]string{"value": strconv.Itoa(pct)},
	}
}

// queueTriggers returns the triggers counting what waits in queue q on
// broker br, and the TriggerAuthentication (without metadata) that reads
// the broker's credentials from where the runtime reads them, or nil.
func (b *builder) queueTriggers(t *schema.QueueTrigger, q *schema.Queue, br *schema.Broker) ([]kedaapi.ScaleTrigger, *kedaapi.TriggerAuthentication) {
	value := strconv.Itoa(t.Backlog)
	name := func(part string) string { return "q_" + strings.ReplaceAll(q.Name, "-", "_") + part }
	switch br.Type {
	case "rabbitmq":
		// One queue holds every priority level (x-max-priority); the delay
		// tiers hold messages not yet due, which the broker itself
		// dead-letters into the work queue when they are, so they are
		// left out. Over AMQP, KEDA counts the ready messages.
		md := map[string]string{"protocol": "amqp", "mode": "QueueLength", "queueName": q.Name, "value": value}
		var auth *kedaapi.TriggerAuthentication
		if br.URLEnv != "" {
			auth = b.triggerAuth(map[string]string{"host": br.URLEnv})
		} else if len(br.Addresses) > 0 {
			md["host"] = "amqp://" + br.Addresses[0] + "/" // no credentials, as the runtime dials
		}
		return []kedaapi.ScaleTrigger{{Type: "rabbitmq", Name: name(""), Metadata: md}}, auth
	case "redis":
		return b.redisTriggers(q, br, value, name)
	case "kafka":
		var out []kedaapi.ScaleTrigger
		for _, topic := range kafkaWorkTopics(q) {
			md := map[string]string{
				"topic": topic, "consumerGroup": kafkaGroupPrefix + topic, "lagThreshold": value,
				// The runtime's groups start at the first offset, so a
				// topic the group never committed on is all backlog.
				"offsetResetPolicy": "earliest",
			}
			if br.URLEnv != "" {
				md["bootstrapServersFromEnv"] = br.URLEnv
			} else {
				md["bootstrapServers"] = strings.Join(br.Addresses, ",")
			}
			out = append(out, kedaapi.ScaleTrigger{Type: "kafka", Name: name(partSuffix(q, topic)), Metadata: md})
		}
		return out, nil
	}
	b.errorf(b.at(t.Src, "queue"), "Broker KEDA cannot read",
		fmt.Sprintf("queue.%s is on broker %q of type %q, which has no KEDA trigger in nbac.", q.Name, br.Name, br.Type))
	return nil, nil
}

// redisTriggers counts a Redis Streams queue by the length of its streams:
// the runtime deletes an entry when it acks it (XACK + XDEL), so a stream
// holds exactly what waits for the group plus what is being handled. The
// group's pending entries alone would miss everything not yet read, and
// are zero when no pod runs.
func (b *builder) redisTriggers(q *schema.Queue, br *schema.Broker, value string, name func(string) string) ([]kedaapi.ScaleTrigger, *kedaapi.TriggerAuthentication) {
	addrs, typ := br.Addresses, "redis-streams"
	md := map[string]string{}
	var auth *kedaapi.TriggerAuthentication
	if r := b.m.RedisNamed(br.Redis); r != nil {
		addrs = r.Addresses
		if r.DB != 0 {
			md["databaseIndex"] = strconv.Itoa(r.DB)
		}
		if r.TLS {
			md["enableTLS"] = "true"
		}
		if r.MasterName != "" {
			typ = "redis-sentinel-streams"
			md["sentinelMaster"] = r.MasterName
		}
		if r.PasswordEnv != "" {
			auth = b.triggerAuth(map[string]string{"password": r.PasswordEnv})
		}
	}
	switch {
	case typ == "redis-sentinel-streams":
		md["addresses"] = strings.Join(addrs, ",")
	case len(addrs) > 1:
		typ = "redis-cluster-streams"
		md["addresses"] = strings.Join(addrs, ",")
	case len(addrs) == 1:
		md["address"] = addrs[0]
	}
	var out []kedaapi.ScaleTrigger
	for _, s := range redisWorkStreams(q) {
		m := map[string]string{"stream": s, "streamLength": value}
		for k, v := range md {
			m[k] = v
		}
		out = append(out, kedaapi.ScaleTrigger{Type: typ, Name: name(partSuffix(q, s)), Metadata: m})
	}
	return out, auth
}

// triggerAuth maps KEDA parameters to the environment variables the
// runtime reads: a variable from a secret_env block becomes the same
// Secret and key; one from env is read from the container.
func (b *builder) triggerAuth(params map[string]string) *kedaapi.TriggerAuthentication {
	ta := &kedaapi.TriggerAuthentication{TypeMeta: typeMeta(kedaapi.APIVersion, "TriggerAuthentication")}
	for _, p := range slices.Sorted(maps.Keys(params)) {
		env := params[p]
		if se, _ := b.svc.EnvSource(env); se != nil {
			ta.Spec.SecretTargetRef = append(ta.Spec.SecretTargetRef, kedaapi.SecretTargetRef{Parameter: p, Name: se.Secret, Key: se.Key})
		} else {
			ta.Spec.Env = append(ta.Spec.Env, kedaapi.AuthEnvironment{Parameter: p, Name: env, ContainerName: b.svc.Name})
		}
	}
	return ta
}

// redisWorkStreams are the streams consumers read for q: one per priority
// level with priorities (highest first), else the level-1 stream.
func redisWorkStreams(q *schema.Queue) []string {
	if !q.Priorities {
		return []string{fmt.Sprintf(redisStreamPrefix, q.Name, redisNoPriority)}
	}
	var out []string
	for l := priorityLevels - 1; l >= 0; l-- {
		out = append(out, fmt.Sprintf(redisStreamPrefix, q.Name, l))
	}
	return out
}

// kafkaWorkTopics are q's work topics: NAME.p3 .. NAME.p0 with
// priorities, else NAME.
func kafkaWorkTopics(q *schema.Queue) []string {
	if !q.Priorities {
		return []string{q.Name}
	}
	var out []string
	for l := priorityLevels - 1; l >= 0; l-- {
		out = append(out, fmt.Sprintf("%s.p%d", q.Name, l))
	}
	return out
}

// partSuffix names a trigger of a queue split by priority after its level
// ("_p3"); a queue of one part gets no suffix.
func partSuffix(q *schema.Queue, part string) string {
	if !q.Priorities {
		return ""
	}
	return "_p" + part[len(part)-1:]
}

// dnsPart turns an HCL label into a DNS-1123 label part.
func dnsPart(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", "-"))
}
