package kubernetes

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"sigs.k8s.io/yaml"

	"github.com/nbac/nbac/emit/kubernetes/kubecheck"
	"github.com/nbac/nbac/schema"
)

// alertsModel has a service with a metrics block using two queues (one
// with overridden thresholds), a two-tier cache and an L2-only cache, and
// an HAProxy load balancer with a stats listener.
func alertsModel() *schema.Model {
	m := kedaModel()
	svc := &m.Services[0]
	svc.Metrics = &schema.Metrics{Port: 9102, Path: "/metrics"}
	// Two queues are enough here; thumbs is left out of the scraped set.
	svc.Autoscale.Queues = svc.Autoscale.Queues[:2]
	svc.Uses = append(svc.Uses[:2], schema.Ref{Kind: "cache", Name: "both"}, schema.Ref{Kind: "cache", Name: "remote"})
	m.Queues[1].Alerts = &schema.QueueAlerts{BacklogGrowingFor: schema.Duration(30 * time.Minute), FailureRatio: 0.6}
	m.Caches = []schema.Cache{
		{Name: "both", L1: &schema.L1Cache{MaxEntries: 10}, L2: &schema.L2Cache{Redis: "jobs"}, Alerts: &schema.CacheAlerts{HitRatioBelow: 0.8}},
		{Name: "remote", L2: &schema.L2Cache{Redis: "jobs"}},
	}
	m.LoadBalancers = []schema.LoadBalancer{{Name: "front", Targets: []string{"haproxy", "nginx"}, Stats: &schema.Stats{Listen: 8404}}}
	return m
}

func TestMetricsPortPodMonitorAndPolicy(t *testing.T) {
	m := alertsModel()
	m.Services[0].NetworkPolicy = true
	o, _ := emitOne(t, m)
	c := o.container(t)
	if len(c.Ports) != 2 || c.Ports[1].Name != "metrics" || c.Ports[1].ContainerPort != 9102 {
		t.Fatalf("ports %+v", c.Ports)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	if env[schema.MetricsAddrEnv] != ":9102" || env[schema.MetricsPathEnv] != "/metrics" {
		t.Errorf("the runtime is not told where to serve: %v", env)
	}
	if o.podMonitor == nil || *o.podMonitor.Spec.PodMetricsEndpoints[0].Port != "metrics" || o.podMonitor.Spec.PodMetricsEndpoints[0].Path != "/metrics" {
		t.Fatalf("PodMonitor %+v", o.podMonitor)
	}
	if got := o.podMonitor.Spec.Selector.MatchLabels; got[LabelName] != "worker" {
		t.Errorf("PodMonitor selects %v", got)
	}
	var ports []string
	for _, p := range o.netpol.Spec.Ingress[0].Ports {
		ports = append(ports, p.Port.String())
	}
	if !slices.Equal(ports, []string{"http", "metrics"}) {
		t.Errorf("the NetworkPolicy must admit the scrape: %v", ports)
	}
}

// rulesOf emits m and returns the estate's PrometheusRule, checked
// strictly against the Prometheus Operator's CRD schema.
func rulesOf(t *testing.T, m *schema.Model) *monitoringv1.PrometheusRule {
	t.Helper()
	arts, diags := Emit(m)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, a := range arts {
		if a.Path != AlertsPath {
			continue
		}
		if err := kubecheck.Validate(a.Data); err != nil {
			t.Fatalf("kubecheck: %v\n%s", err, a.Data)
		}
		pr := &monitoringv1.PrometheusRule{}
		if err := yaml.UnmarshalStrict([]byte(strings.SplitN(string(a.Data), "---\n", 2)[1]), pr); err != nil {
			t.Fatal(err)
		}
		return pr
	}
	t.Fatalf("no %s", AlertsPath)
	return nil
}

func TestNoMetricsNoRules(t *testing.T) {
	m := kedaModel()
	arts, _ := Emit(m)
	for _, a := range arts {
		if a.Path == AlertsPath {
			t.Fatal("alerts on metrics nobody scrapes")
		}
	}
}

// alertCase is one promtool unit test: series that must fire alert (with
// the labels it aggregates by), or must not.
type alertCase struct {
	group, alert string
	labels       map[string]string // the by() labels of the alert
	series       map[string]string // series -> values
	fire         bool
}

// alertCases cover every rule of alertsModel, each with series that fire
// it and series that do not (including the overridden thresholds).
func alertCases() []alertCase {
	q := func(name, alert string, fire bool, series map[string]string) alertCase {
		return alertCase{"nbac.queue." + name, alert, map[string]string{"queue": name}, series, fire}
	}
	c := func(name, alert string, fire bool, series map[string]string) alertCase {
		return alertCase{"nbac.cache." + name, alert, map[string]string{"cache": name}, series, fire}
	}
	lb := func(alert string, fire bool, labels, series map[string]string) alertCase {
		return alertCase{"nbac.load_balancer.front", alert, labels, series, fire}
	}
	qs := func(name, metric string) string { return fmt.Sprintf(`%s{queue=%q,pod="a"}`, metric, name) }
	cs := func(name, metric, tier string) string {
		if tier == "" {
			return fmt.Sprintf(`%s{cache=%q,pod="a"}`, metric, name)
		}
		return fmt.Sprintf(`%s{cache=%q,tier=%q,pod="a"}`, metric, name, tier)
	}
	failing := func(name, retried string) map[string]string {
		return map[string]string{
			qs(name, "nbac_queue_consumed_total"): "0+100x90", qs(name, "nbac_queue_retried_total"): retried,
			qs(name, "nbac_queue_dead_lettered_total"): "0x90",
		}
	}
	hitRatio := func(name, first string, hits, l2hits, misses string) map[string]string {
		s := map[string]string{cs(name, "nbac_cache_hits_total", first): hits, cs(name, "nbac_cache_misses_total", first): misses}
		if l2hits != "" {
			s[cs(name, "nbac_cache_hits_total", "l2")] = l2hits
		}
		return s
	}
	front := map[string]string{"proxy": "be_front"}
	server := map[string]string{"proxy": "be_front", "server": "app1"}
	return []alertCase{
		q("clicks", "NbacQueueDeadLetters", true, map[string]string{qs("clicks", "nbac_queue_dead_lettered_total"): "0x10 1+1x80"}),
		q("clicks", "NbacQueueDeadLetters", false, map[string]string{qs("clicks", "nbac_queue_dead_lettered_total"): "3x90"}),
		q("clicks", "NbacQueueBacklogGrowing", true, map[string]string{qs("clicks", "nbac_queue_ready"): "0+10x90"}),
		q("clicks", "NbacQueueBacklogGrowing", false, map[string]string{qs("clicks", "nbac_queue_ready"): "500x90"}),
		q("clicks", "NbacQueueBacklogGrowing", false, map[string]string{qs("clicks", "nbac_queue_ready"): "900-10x90"}),
		// Growing for the last 18 minutes: over the default 10m, under ingest's 30m.
		q("clicks", "NbacQueueBacklogGrowing", true, map[string]string{qs("clicks", "nbac_queue_ready"): "0x70 0+10x20"}),
		q("ingest", "NbacQueueBacklogGrowing", false, map[string]string{qs("ingest", "nbac_queue_ready"): "0x70 0+10x20"}),
		q("ingest", "NbacQueueBacklogGrowing", true, map[string]string{qs("ingest", "nbac_queue_ready"): "0x40 0+10x50"}),
		q("ingest", "NbacQueueDeadLetters", true, map[string]string{qs("ingest", "nbac_queue_dead_lettered_total"): "0x85 1x5"}),
		q("ingest", "NbacQueueDeadLetters", false, map[string]string{qs("ingest", "nbac_queue_dead_lettered_total"): "0x10 4x80"}),
		q("clicks", "NbacQueueHandlerFailures", true, failing("clicks", "0+50x90")),
		q("clicks", "NbacQueueHandlerFailures", false, failing("clicks", "0+5x90")),
		// Half the attempts fail: over the default 0.1, under ingest's 0.6.
		q("ingest", "NbacQueueHandlerFailures", false, failing("ingest", "0+50x90")),
		q("ingest", "NbacQueueHandlerFailures", true, failing("ingest", "0+70x90")),
		c("both", "NbacCacheL2Unavailable", true, map[string]string{cs("both", "nbac_cache_l2_up", ""): "1x10 0x80"}),
		c("both", "NbacCacheL2Unavailable", false, map[string]string{cs("both", "nbac_cache_l2_up", ""): "1x90"}),
		// A blip shorter than l2_unavailable_for (1m) stays pending.
		c("both", "NbacCacheL2Unavailable", false, map[string]string{cs("both", "nbac_cache_l2_up", ""): "1x88 0 1"}),
		c("remote", "NbacCacheL2Unavailable", true, map[string]string{cs("remote", "nbac_cache_l2_up", ""): "1x85 0x5"}),
		c("remote", "NbacCacheL2Unavailable", false, map[string]string{cs("remote", "nbac_cache_l2_up", ""): "0x60 1x30"}),
		// both: 70% of reads hit, under its hit_ratio_below of 0.8.
		c("both", "NbacCacheHitRatioLow", true, hitRatio("both", "l1", "0+50x90", "0+20x90", "0+50x90")),
		c("both", "NbacCacheHitRatioLow", false, hitRatio("both", "l1", "0+80x90", "0+15x90", "0+20x90")),
		// remote has no L1: reads are counted at L2; 70% is over the default 0.5.
		c("remote", "NbacCacheHitRatioLow", false, hitRatio("remote", "l2", "0+70x90", "", "0+30x90")),
		c("remote", "NbacCacheHitRatioLow", true, hitRatio("remote", "l2", "0+30x90", "", "0+70x90")),
		lb("NbacLBBackendDown", true, front, map[string]string{`haproxy_backend_status{proxy="be_front",state="DOWN"}`: "0x10 1x80", `haproxy_backend_status{proxy="be_front",state="UP"}`: "1x10 0x80"}),
		lb("NbacLBBackendDown", false, front, map[string]string{`haproxy_backend_status{proxy="be_front",state="DOWN"}`: "0x90", `haproxy_backend_status{proxy="be_other",state="DOWN"}`: "1x90"}),
		lb("NbacLBServerDown", true, server, map[string]string{`haproxy_server_status{proxy="be_front",server="app1",state="DOWN"}`: "0x10 1x80"}),
		lb("NbacLBServerDown", false, server, map[string]string{`haproxy_server_status{proxy="be_front",server="app1",state="DOWN"}`: "0x90", `haproxy_server_status{proxy="be_front",server="app1",state="MAINT"}`: "1x90"}),
	}
}

// promtool returns the path of promtool, or skips loudly (fails under
// NBAC_REQUIRE_SERVICES=1) when the Debian package prometheus is missing.
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err == nil {
		return p
	}
	msg := "promtool is not installed (apt-get install -y prometheus): the alert rules were NOT checked by Prometheus"
	if os.Getenv("NBAC_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg)
	}
	t.Skip("SKIP: " + msg)
	return ""
}

// TestAlertRulesWithPromtool: promtool check rules accepts the emitted
// groups, and promtool test rules runs one unit test per case: at 90
// minutes, ALERTS{alertstate="firing"} holds the alert with its labels
// exactly when the case says it fires. Every rule has a firing and a quiet
// case.
func TestAlertRulesWithPromtool(t *testing.T) {
	bin := promtool(t)
	pr := rulesOf(t, alertsModel())
	dir := t.TempDir()
	rules, err := yaml.Marshal(map[string]any{"groups": pr.Spec.Groups})
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rulesFile := write("rules.yml", rules)
	if out, err := exec.Command(bin, "check", "rules", rulesFile).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s\n%s", err, out, rules)
	}

	covered := map[string][2]bool{} // group/alert -> fires, quiet
	var tests []any
	for _, tc := range alertCases() {
		key := tc.group + "/" + tc.alert
		cov := covered[key]
		if tc.fire {
			cov[0] = true
		} else {
			cov[1] = true
		}
		covered[key] = cov
		var series []any
		for _, s := range slices.Sorted(maps.Keys(tc.series)) {
			series = append(series, map[string]string{"series": s, "values": tc.series[s]})
		}
		var samples []any
		if tc.fire {
			lbl := fmt.Sprintf(`ALERTS{alertname=%q,alertstate="firing",severity=%q`, tc.alert, severityOf(t, pr, tc.group, tc.alert))
			for _, k := range slices.Sorted(maps.Keys(tc.labels)) {
				lbl += fmt.Sprintf(",%s=%q", k, tc.labels[k])
			}
			samples = append(samples, map[string]any{"labels": lbl + "}", "value": 1})
		}
		tests = append(tests, map[string]any{
			"name":         fmt.Sprintf("%s fire=%v %v", key, tc.fire, tc.series),
			"interval":     "1m",
			"input_series": series,
			"promql_expr_test": []any{map[string]any{
				"expr":        fmt.Sprintf(`ALERTS{alertname=%q,alertstate="firing"}`, tc.alert),
				"eval_time":   "90m",
				"exp_samples": samples,
			}},
		})
	}
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			if cov := covered[g.Name+"/"+r.Alert]; !cov[0] || !cov[1] {
				t.Errorf("alert %s of group %s lacks a firing or a quiet case (%v)", r.Alert, g.Name, cov)
			}
		}
	}
	testYAML, err := yaml.Marshal(map[string]any{"rule_files": []string{rulesFile}, "evaluation_interval": "1m", "tests": tests})
	if err != nil {
		t.Fatal(err)
	}
	testFile := write("rules_test.yml", testYAML)
	if out, err := exec.Command(bin, "test", "rules", testFile).CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
}

func severityOf(t *testing.T, pr *monitoringv1.PrometheusRule, group, alert string) string {
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			if g.Name == group && r.Alert == alert {
				return r.Labels["severity"]
			}
		}
	}
	t.Fatalf("no alert %s in group %s", alert, group)
	return ""
}
