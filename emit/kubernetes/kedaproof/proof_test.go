package kedaproof

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/nbac/nbac/emit/kubernetes"
	"github.com/nbac/nbac/emit/kubernetes/kedaapi"
	"github.com/nbac/nbac/emit/kubernetes/kubecheck"
	"github.com/nbac/nbac/internal/eventually"
	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/runtime"
	"github.com/nbac/nbac/runtime/queue"
)

// wait bounds every wait on the brokers: generous, for a loaded machine.
const wait = 90 * time.Second

// uniqueQueue is a queue name of this test run (the brokers are shared).
func uniqueQueue(t *testing.T) string {
	return fmt.Sprintf("kedaproof_%s_%d_%04x", strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_")), os.Getpid(), rand.N(1<<16))
}

// estate compiles hcl, checks the emitted manifest of service worker
// strictly, and returns its ScaledObject and the directory (for the
// runtime to open the same configuration).
func estate(t *testing.T, hcl string) (*kedaapi.ScaledObject, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	res := lang.Load(dir, lang.Options{})
	if res.Diags.HasErrors() {
		t.Fatalf("compile: %v", res.Diags)
	}
	arts, diags := kubernetes.Emit(res.Model)
	if diags.HasErrors() {
		t.Fatalf("emit: %v", diags)
	}
	for _, a := range arts {
		if a.Path != "kubernetes/worker.yaml" {
			continue
		}
		if err := kubecheck.Validate(a.Data); err != nil {
			t.Fatalf("kubecheck: %v", err)
		}
		r := yaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(a.Data)))
		for {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(doc, []byte("kind: ScaledObject")) {
				continue
			}
			so := &kedaapi.ScaledObject{}
			if err := sigsyaml.UnmarshalStrict(doc, so); err != nil {
				t.Fatal(err)
			}
			return so, dir
		}
	}
	t.Fatal("no ScaledObject emitted for service worker")
	return nil, ""
}

// measure is what KEDA's scaler for one trigger type reads, through the
// broker's own API, given the trigger's metadata.
type measure func(ctx context.Context, md map[string]string) (int64, error)

// backlog sums the emitted triggers of kind typ, each measured as KEDA
// would, and checks the scaling-modifier formula (when there is one) adds
// exactly those triggers: the value KEDA scales on.
func backlog(t *testing.T, so *kedaapi.ScaledObject, typ string, m measure) int64 {
	t.Helper()
	values := map[string]int64{}
	for _, tr := range so.Spec.Triggers {
		if tr.Type != typ {
			continue
		}
		n, err := m(context.Background(), tr.Metadata)
		if err != nil {
			t.Fatalf("measuring trigger %s: %v", tr.Name, err)
		}
		values[tr.Name] = n
	}
	if len(values) == 0 {
		t.Fatalf("no %s trigger in %+v", typ, so.Spec.Triggers)
	}
	var sum int64
	if a := so.Spec.Advanced; a != nil && a.ScalingModifiers != nil {
		for _, name := range strings.Split(a.ScalingModifiers.Formula, " + ") {
			v, ok := values[name]
			if !ok {
				t.Fatalf("formula %q names %q, which is not a %s trigger", a.ScalingModifiers.Formula, name, typ)
			}
			sum += v
			delete(values, name)
		}
		if len(values) > 0 {
			t.Fatalf("formula %q leaves out triggers %v", a.ScalingModifiers.Formula, values)
		}
		return sum
	}
	for _, v := range values {
		sum += v
	}
	return sum
}

// publishAcrossLevels publishes n messages spread over the four priority
// levels; bodies starting with "fail" make the test's handler fail.
func publishAcrossLevels(t *testing.T, q *queue.Queue, n int, body string) {
	t.Helper()
	levels := []string{queue.PriorityLow, queue.PriorityNormal, queue.PriorityHigh, queue.PriorityCritical}
	for i := range n {
		m := queue.Message{Body: []byte(fmt.Sprintf("%s-%d", body, i)), Priority: levels[i%len(levels)]}
		if err := q.Publish(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
}

// drain consumes q in the background until the test ends: handlers ack
// every message, except those whose body starts with "fail".
func drain(t *testing.T, q *queue.Queue) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- q.Consume(ctx, func(_ context.Context, d *queue.Delivery) error {
			if bytes.HasPrefix(d.Body, []byte("fail")) {
				return errors.New("kedaproof: failing on purpose")
			}
			return nil
		}, queue.ConsumeOptions{Workers: 4})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("consume: %v", err)
		}
	})
}

// settle waits until the measured backlog equals want.
func settle(t *testing.T, so *kedaapi.ScaledObject, typ string, m measure, want int64, what string) {
	t.Helper()
	var got int64
	defer func() {
		if got != want {
			t.Logf("last measured backlog %d, want %d", got, want)
		}
	}()
	eventually.True(t, wait, what, func() bool {
		got = backlog(t, so, typ, m)
		return got == want
	})
}

// worker is the HCL of service worker consuming queue name and scaling on
// it from zero, one replica per backlog messages; extra goes into the
// service block.
func worker(name string, backlog int, extra string) string {
	return fmt.Sprintf(`
service "worker" {
  image = "registry.example.com/worker:v1"
  uses  = [queue.%s]
%s
  autoscale {
    min = 0
    max = 10
    queue {
      queue   = queue.%s
      backlog = %d
    }
  }
}
`, name, extra, name, backlog)
}

// queueOf opens the runtime on dir (reading env for the variables the
// model names) and returns its queue name.
func queueOf(t *testing.T, dir string, env map[string]string, name string) *queue.Queue {
	t.Helper()
	q, err := openRuntime(t, dir, env).Queue(name)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func openRuntime(t *testing.T, dir string, env map[string]string) *runtime.Runtime {
	t.Helper()
	rt, err := runtime.Open(context.Background(), dir, runtime.WithGetenv(func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt
}
