package alertproof

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/yaml"

	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/emit/kubernetes"
	"github.com/nbac/nbac/internal/eventually"
	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/runtime"
	"github.com/nbac/nbac/runtime/lbctl/lbctltest"
	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/queuetest"
	"github.com/nbac/nbac/runtime/queue/rabbitmq"
	"github.com/nbac/nbac/runtime/queue/rabbitmq/rabbitmqtest"
)

// metricName finds the metric names in a PromQL expression: nbac's and
// HAProxy's exporters prefix every name they serve.
var metricName = regexp.MustCompile(`\b(?:nbac|haproxy)_[a-z0-9_]+\b`)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// scrapeNames fetches a Prometheus text exposition and returns the metric
// family names it declares (histograms add _bucket, _sum and _count).
func scrapeNames(t *testing.T, url string) (map[string]bool, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	names := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, _, _ := strings.Cut(line, "{")
		name, _, _ = strings.Cut(name, " ")
		names[name] = true
	}
	return names, string(body)
}

// TestAlertMetricNamesExist compiles an estate with a scraped service
// using a two-tier cache and a queue, and an HAProxy load balancer with a
// stats listener; every metric name in the emitted rules must be served by
// the runtime's registry or by haproxy's exporter, and the label values
// the rules select (queue, cache, proxy) must be there too.
func TestAlertMetricNamesExist(t *testing.T) {
	queuetest.RequireService(t, "RabbitMQ", "127.0.0.1:5672")
	queuetest.RequireService(t, "Redis", "127.0.0.1:6379")
	haproxy := lbctltest.Binary(t, "haproxy")
	qname := fmt.Sprintf("alertproof_%d_%d", os.Getpid(), time.Now().UnixNano()%100000)
	lbPort, statsPort := freePort(t), freePort(t)
	dir := t.TempDir()
	hcl := fmt.Sprintf(`
project "proof" {}
redis "main" {
  address = "127.0.0.1:6379"
}
cache "stats" {
  l1 {
    max_entries = 100
    ttl         = "1m"
  }
  l2 {
    redis      = redis.main
    ttl        = "1m"
    key_prefix = "%s:"
  }
}
broker "rabbit" {
  type      = "rabbitmq"
  addresses = ["127.0.0.1:5672"]
}
queue %q {
  broker = broker.rabbit
}
service "worker" {
  image = "registry.example.com/worker:v1"
  uses  = [cache.stats, queue.%s]
  metrics {}
}
load_balancer "front" {
  targets = ["haproxy"]
  listen  = %d
  health_check {
    path     = "/health"
    interval = "1s"
  }
  backend "app1" { address = "127.0.0.1:1" }
  stats { listen = %d }
}
`, qname, qname, qname, lbPort, statsPort)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	res := lang.Load(dir, lang.Options{})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags)
	}
	arts, diags := build.Artifacts(res.Model)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var rules *monitoringv1.PrometheusRule
	var haproxyCfg []byte
	for _, a := range arts {
		switch a.Path {
		case kubernetes.AlertsPath:
			rules = &monitoringv1.PrometheusRule{}
			if err := yaml.UnmarshalStrict([]byte(strings.SplitN(string(a.Data), "---\n", 2)[1]), rules); err != nil {
				t.Fatal(err)
			}
		case "haproxy/front.cfg":
			haproxyCfg = a.Data
		}
	}
	if rules == nil || haproxyCfg == nil {
		t.Fatalf("missing artifacts: rules %v, haproxy %v", rules != nil, haproxyCfg != nil)
	}

	// The runtime, with the cache and the queue open and used once.
	reg := prometheus.NewRegistry()
	rt, err := runtime.Open(context.Background(), dir, runtime.WithRegisterer(reg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	c, err := rt.Cache("stats")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.GetBytes(context.Background(), "k")
	q, err := rt.Queue(qname)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Declare(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteQueues(t, q) })
	h, err := rt.MetricsHandler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	served, rtBody := scrapeNames(t, srv.URL)
	for _, want := range []string{fmt.Sprintf(`nbac_queue_ready{queue=%q} 0`, qname), `nbac_cache_l2_up{cache="stats"} 1`, `nbac_cache_hits_total{cache="stats",tier="l1"}`} {
		if !strings.Contains(rtBody, want) {
			t.Errorf("the runtime does not serve %s", want)
		}
	}

	// HAProxy with the emitted configuration; its exporter is on the
	// stats listener.
	cfg := filepath.Join(dir, "front.cfg")
	if err := os.WriteFile(cfg, haproxyCfg, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(haproxy, "-db", "-f", cfg)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	statsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", statsPort)
	eventually.True(t, time.Minute, "haproxy's exporter to answer", func() bool {
		resp, err := http.Get(statsURL)
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})
	hnames, hBody := scrapeNames(t, statsURL)
	for n := range hnames {
		served[n] = true
	}
	for _, want := range []string{`haproxy_backend_status{proxy="be_front",state="DOWN"}`, `haproxy_server_status{proxy="be_front",server="app1",state="DOWN"}`} {
		if !strings.Contains(hBody, want) {
			t.Errorf("haproxy does not serve %s", want)
		}
	}

	var used []string
	for _, g := range rules.Spec.Groups {
		for _, r := range g.Rules {
			for _, n := range metricName.FindAllString(r.Expr.String(), -1) {
				if !slices.Contains(used, n) {
					used = append(used, n)
				}
			}
		}
	}
	slices.Sort(used)
	if len(used) < 9 { // every name the rules of this estate use (3 queue, 4 cache, 2 haproxy)
		t.Fatalf("the rules use only %v", used)
	}
	for _, n := range used {
		if !served[n] {
			t.Errorf("the rules use %s, which neither the runtime nor haproxy serves", n)
		}
	}
	t.Logf("%d metric names checked: %v", len(used), used)
}

func deleteQueues(t *testing.T, q *queue.Queue) {
	if err := rabbitmqtest.DeleteQueues("amqp://guest:guest@127.0.0.1:5672/", rabbitmq.QueueNames(q.Config())...); err != nil {
		t.Logf("cleanup: %v", err)
	}
}
