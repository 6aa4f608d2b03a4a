package kubernetes

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nbac/nbac/emit/kubernetes/kedaapi"
	"github.com/nbac/nbac/emit/kubernetes/kubecheck"
	"github.com/nbac/nbac/schema"
)

// kedaModel is a worker scaling on one queue per broker type: RabbitMQ
// (credentials in a Secret), Redis Streams with priorities (password from
// the container's env) and Kafka (seed list from url_env), plus CPU.
func kedaModel() *schema.Model {
	svc := minimalService()
	svc.Name = "worker"
	svc.Env = map[string]string{"REDIS_PASSWORD": "", "KAFKA_SEEDS": "k0:9092"}
	svc.SecretEnv = []schema.SecretEnv{{Name: "AMQP_URL", Secret: "rabbitmq", Key: "url"}}
	svc.Uses = []schema.Ref{{Kind: "queue", Name: "clicks"}, {Kind: "queue", Name: "ingest"}, {Kind: "queue", Name: "thumbs"}}
	svc.Autoscale = &schema.Autoscale{Min: 0, Max: 12, CPUPercent: 70, Queues: []schema.QueueTrigger{
		{Queue: "clicks", Backlog: 1000}, {Queue: "ingest", Backlog: 100}, {Queue: "thumbs", Backlog: 5},
	}}
	m := baseModel(svc)
	m.Redis = []schema.Redis{{Name: "jobs", Addresses: []string{"redis:6379"}, PasswordEnv: "REDIS_PASSWORD", DB: 3, TLS: true}}
	m.Brokers = []schema.Broker{
		{Name: "events", Type: "kafka", URLEnv: "KAFKA_SEEDS"},
		{Name: "rabbit", Type: "rabbitmq", URLEnv: "AMQP_URL"},
		{Name: "streams", Type: "redis", Redis: "jobs"},
	}
	m.Queues = []schema.Queue{
		{Name: "clicks", Broker: "events", Retry: schema.Retry{MaxAttempts: 1}},
		{Name: "ingest", Broker: "rabbit", Priorities: true, MaxDelay: schema.Duration(time.Hour)},
		{Name: "thumbs", Broker: "streams", Priorities: true, Retry: schema.Retry{MaxAttempts: 1}},
	}
	return m
}

func TestKEDAReplacesTheHPA(t *testing.T) {
	o, _ := emitOne(t, kedaModel())
	want := []string{"ServiceAccount", "ConfigMap", "ConfigMap", "Service", "Deployment", "TriggerAuthentication", "TriggerAuthentication", "ScaledObject"}
	if diff := cmp.Diff(want, o.kinds); diff != "" {
		t.Fatalf("kinds (-want +got):\n%s", diff)
	}
	if o.hpa != nil || o.pdb != nil {
		t.Fatal("a ScaledObject makes its own HPA, and min = 0 allows no PDB")
	}
	if o.deployment.Spec.Replicas != nil {
		t.Errorf("the Deployment must leave replicas to KEDA")
	}
	so := o.scaled.Spec
	if so.ScaleTargetRef.Name != o.deployment.Name || *so.MinReplicaCount != 0 || *so.MaxReplicaCount != 12 {
		t.Errorf("target %+v min %d max %d", so.ScaleTargetRef, *so.MinReplicaCount, *so.MaxReplicaCount)
	}
	auths := map[string]*kedaapi.TriggerAuthentication{}
	for _, ta := range o.triggerAuth {
		auths[ta.Name] = ta
	}
	type trig struct{ typ, name, auth string }
	var got []trig
	for _, tr := range so.Triggers {
		tt := trig{typ: tr.Type, name: tr.Name}
		if tr.AuthenticationRef != nil {
			tt.auth = tr.AuthenticationRef.Name
			if auths[tt.auth] == nil {
				t.Errorf("trigger %s refers to TriggerAuthentication %q, which is not in the file", tr.Name, tt.auth)
			}
		}
		got = append(got, tt)
	}
	wantTrig := []trig{
		{"cpu", "", ""},
		{"kafka", "q_clicks", ""},
		{"rabbitmq", "q_ingest", "worker-rabbit"},
		{"redis-streams", "q_thumbs_p3", "worker-streams"}, {"redis-streams", "q_thumbs_p2", "worker-streams"},
		{"redis-streams", "q_thumbs_p1", "worker-streams"}, {"redis-streams", "q_thumbs_p0", "worker-streams"},
	}
	if diff := cmp.Diff(wantTrig, got, cmp.AllowUnexported(trig{})); diff != "" {
		t.Fatalf("triggers (-want +got):\n%s", diff)
	}
	md := func(i int) map[string]string { return so.Triggers[i].Metadata }
	if diff := cmp.Diff(map[string]string{"topic": "clicks", "consumerGroup": "nbac.clicks", "lagThreshold": "1000", "offsetResetPolicy": "earliest", "bootstrapServersFromEnv": "KAFKA_SEEDS"}, md(1)); diff != "" {
		t.Errorf("kafka metadata:\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"protocol": "amqp", "mode": "QueueLength", "queueName": "ingest", "value": "100"}, md(2)); diff != "" {
		t.Errorf("rabbitmq metadata (no host: it comes from the Secret):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"address": "redis:6379", "stream": "nbac:q:{thumbs}:p0", "streamLength": "5", "databaseIndex": "3", "enableTLS": "true"}, md(6)); diff != "" {
		t.Errorf("redis metadata:\n%s", diff)
	}
	if diff := cmp.Diff([]kedaapi.SecretTargetRef{{Parameter: "host", Name: "rabbitmq", Key: "url"}}, auths["worker-rabbit"].Spec.SecretTargetRef); diff != "" {
		t.Errorf("rabbit credentials must come from the runtime's Secret:\n%s", diff)
	}
	if diff := cmp.Diff([]kedaapi.AuthEnvironment{{Parameter: "password", Name: "REDIS_PASSWORD", ContainerName: "worker"}}, auths["worker-streams"].Spec.Env); diff != "" {
		t.Errorf("redis password must come from the container's variable:\n%s", diff)
	}
	sm := so.Advanced.ScalingModifiers
	wantFormula := "max((q_clicks) / 1000, (q_ingest) / 100, (q_thumbs_p3 + q_thumbs_p2 + q_thumbs_p1 + q_thumbs_p0) / 5)"
	if sm.Formula != wantFormula || sm.Target != "1" || sm.MetricType != "AverageValue" {
		t.Errorf("scaling modifiers %+v", sm)
	}
}

// A queue of one part per trigger needs no formula: the HPA's maximum over
// triggers is already right, and the trigger's value is the backlog.
func TestKEDAOneTriggerPerQueueHasNoFormula(t *testing.T) {
	m := kedaModel()
	m.Queues[2].Priorities = false
	o, _ := emitOne(t, m)
	if o.scaled.Spec.Advanced != nil {
		t.Fatalf("unexpected advanced %+v", o.scaled.Spec.Advanced)
	}
	last := o.scaled.Spec.Triggers[len(o.scaled.Spec.Triggers)-1]
	if last.Name != "q_thumbs" || last.Metadata["stream"] != "nbac:q:{thumbs}:p1" {
		t.Errorf("without priorities the runtime uses the level-1 stream only; got %+v", last)
	}
	m.Services[0].Autoscale.Queues = m.Services[0].Autoscale.Queues[2:]
	m.Queues[2].Priorities = true
	o, _ = emitOne(t, m)
	if sm := o.scaled.Spec.Advanced.ScalingModifiers; sm.Formula != "q_thumbs_p3 + q_thumbs_p2 + q_thumbs_p1 + q_thumbs_p0" || sm.Target != "5" {
		t.Errorf("one split queue sums its parts against its backlog; got %+v", sm)
	}
}

// Redis behind several addresses is a cluster, behind Sentinels a
// sentinel set: each has its own KEDA scaler type.
func TestKEDARedisTopologies(t *testing.T) {
	for _, tc := range []struct {
		redis    schema.Redis
		typ, key string
	}{
		{schema.Redis{Name: "jobs", Addresses: []string{"a:6379", "b:6379", "c:6379"}}, "redis-cluster-streams", "addresses"},
		{schema.Redis{Name: "jobs", Addresses: []string{"s1:26379", "s2:26379"}, MasterName: "mymaster"}, "redis-sentinel-streams", "sentinelMaster"},
	} {
		m := kedaModel()
		m.Redis[0] = tc.redis
		m.Services[0].Autoscale.Queues = m.Services[0].Autoscale.Queues[2:]
		o, _ := emitOne(t, m)
		tr := o.scaled.Spec.Triggers[1]
		if tr.Type != tc.typ || tr.Metadata[tc.key] == "" {
			t.Errorf("%s: got %+v", tc.typ, tr)
		}
	}
}

// The KEDA schemas are strict: a misspelt or misplaced field in what nbac
// writes would fail, so the emitter's local structs are proven by them.
func TestKEDASchemasAreStrict(t *testing.T) {
	_, data := emitOne(t, kedaModel())
	for _, mut := range []struct{ from, to string }{
		{"minReplicaCount:", "minReplicas:"},
		{"scaleTargetRef:", "scaleTarget:"},
		{"secretTargetRef:", "secretTargetRefs:"},
		{"authenticationRef:", "authRef:"},
		{"type: cpu", "kind: cpu"},
		{"maxReplicaCount: 12", "maxReplicaCount: twelve"},
	} {
		bad := bytes.Replace(data, []byte(mut.from), []byte(mut.to), 1)
		if bytes.Equal(bad, data) {
			t.Fatalf("%q not in the output", mut.from)
		}
		if err := kubecheck.Validate(bad); err == nil {
			t.Errorf("kubecheck accepted %s -> %s", mut.from, mut.to)
		}
	}
}

// No credential is ever written: a RabbitMQ broker without url_env is
// dialled like the runtime does, with no user in the URL.
func TestKEDAWritesNoCredentials(t *testing.T) {
	m := kedaModel()
	m.Brokers[1].URLEnv = ""
	m.Brokers[1].Addresses = []string{"rabbitmq:5672"}
	o, data := emitOne(t, m)
	if len(o.triggerAuth) != 1 {
		t.Fatalf("want only the redis TriggerAuthentication, got %d", len(o.triggerAuth))
	}
	if got := o.scaled.Spec.Triggers[2].Metadata["host"]; got != "amqp://rabbitmq:5672/" {
		t.Errorf("host %q", got)
	}
	if strings.Contains(string(data), "@") {
		t.Errorf("output holds a URL with credentials:\n%s", data)
	}
}
