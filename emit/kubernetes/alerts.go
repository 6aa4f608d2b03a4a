package kubernetes

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/nbac/nbac/schema"
)

// AlertsPath is the estate's PrometheusRule. A service name is a DNS label,
// so no service file can be called this.
const AlertsPath = "kubernetes/_prometheusrule.yaml"

// Alert thresholds when a block's alerts {} leaves them out
// (docs/observability.md lists them with their expressions).
const (
	DefaultBacklogGrowingFor = 10 * time.Minute
	DefaultFailureRatio      = 0.1
	DefaultHitRatioBelow     = 0.5
	DefaultL2UnavailableFor  = time.Minute
	DefaultLBDownFor         = time.Minute
	// failureFor and hitRatioFor are how long a ratio must stay bad.
	failureFor  = 5 * time.Minute
	hitRatioFor = 10 * time.Minute
)

// alertsBuilder collects the rule groups of an estate.
type alertsBuilder struct {
	m      *schema.Model
	groups []monitoringv1.RuleGroup
}

// estateRules returns the PrometheusRule of the estate: alerts for every
// queue and cache a service with a metrics block uses (their metrics are
// only scraped there), and for every HAProxy load balancer with a stats
// listener (HAProxy's own exporter serves /metrics on it). Nil when there
// is nothing to alert on.
func estateRules(m *schema.Model) *monitoringv1.PrometheusRule {
	a := &alertsBuilder{m: m}
	queues, caches := map[string]bool{}, map[string]bool{}
	for _, s := range m.Services {
		if s.Metrics == nil {
			continue
		}
		for _, u := range s.Uses {
			switch u.Kind {
			case "queue":
				queues[u.Name] = true
			case "cache":
				caches[u.Name] = true
			}
		}
	}
	for _, q := range m.Queues {
		if queues[q.Name] {
			a.queue(&q)
		}
	}
	for _, c := range m.Caches {
		if caches[c.Name] {
			a.cache(&c)
		}
	}
	for _, lb := range m.LoadBalancers {
		if lb.Stats != nil && slices.Contains(lb.Targets, "haproxy") {
			a.loadBalancer(&lb)
		}
	}
	if len(a.groups) == 0 {
		return nil
	}
	name := dnsPart(m.Project.Name) + "-nbac"
	labels := maps.Clone(m.Project.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	maps.Copy(labels, map[string]string{
		LabelName: name, LabelInstance: name, LabelVersion: "model-" + schema.Version, LabelComponent: "monitoring",
		LabelPartOf: m.Project.Name, LabelManagedBy: managedBy,
	})
	return &monitoringv1.PrometheusRule{
		TypeMeta:   typeMeta("monitoring.coreos.com/v1", "PrometheusRule"),
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: m.Project.Namespace, Labels: labels},
		Spec:       monitoringv1.PrometheusRuleSpec{Groups: a.groups},
	}
}

// where names a block for a runbook. Its position is left out: the same
// configuration split into other files must give the same bytes.
func where(kind, name string) string { return schema.Describe(kind, name) }

func rule(alert, expr string, forDur time.Duration, severity, summary, description string) monitoringv1.Rule {
	r := monitoringv1.Rule{
		Alert:       alert,
		Expr:        intstr.FromString(expr),
		Labels:      map[string]string{"severity": severity},
		Annotations: map[string]string{"summary": summary, "description": description},
	}
	if forDur > 0 {
		r.For = ptr(promDuration(forDur))
	}
	return r
}

// promDuration writes a duration the way Prometheus reads one ("10m",
// "1h30m", "90s").
func promDuration(d time.Duration) monitoringv1.Duration {
	var sb strings.Builder
	for _, u := range []struct {
		unit time.Duration
		sfx  string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&sb, "%d%s", n, u.sfx)
			d -= n * u.unit
		}
	}
	if sb.Len() == 0 {
		return "0s"
	}
	return monitoringv1.Duration(sb.String())
}

func durOr(d schema.Duration, def time.Duration) time.Duration {
	if d > 0 {
		return time.Duration(d)
	}
	return def
}

func (a *alertsBuilder) queue(q *schema.Queue) {
	growFor, ratio := DefaultBacklogGrowingFor, DefaultFailureRatio
	if al := q.Alerts; al != nil {
		growFor = durOr(al.BacklogGrowingFor, growFor)
		if al.FailureRatio > 0 {
			ratio = al.FailureRatio
		}
	}
	sel := fmt.Sprintf(`{queue=%q}`, q.Name)
	blk := where("queue", q.Name)
	a.groups = append(a.groups, monitoringv1.RuleGroup{Name: "nbac.queue." + q.Name, Rules: []monitoringv1.Rule{
		rule("NbacQueueDeadLetters",
			fmt.Sprintf(`sum by (queue) (increase(nbac_queue_dead_lettered_total%s[10m])) > 0`, sel),
			0, "warning",
			fmt.Sprintf("Messages of queue %s were dead-lettered", q.Name),
			fmt.Sprintf("{{ $value | humanize }} messages of %s failed max_attempts times in 10 minutes and went to its dead-letter queue. Read the x-nbac-error header of the dead letters (nbac queue inspect), fix the handler or the data, then replay them (nbac queue replay-dlq). Retry policy: the retry block of %s.", blk, blk)),
		rule("NbacQueueBacklogGrowing",
			fmt.Sprintf(`max by (queue) (deriv(nbac_queue_ready%s[5m])) > 0 and max by (queue) (nbac_queue_ready%s) > 0`, sel, sel),
			growFor, "warning",
			fmt.Sprintf("Backlog of queue %s has grown for %s", q.Name, promDuration(growFor)),
			fmt.Sprintf("The messages waiting in %s ({{ $value }} per second more) have grown for %s: consumers do not keep up. Check the consumers' handler latency and errors, raise workers in %s or the max of the consuming service's autoscale block. Threshold: backlog_growing_for in the alerts block of %s.", blk, promDuration(growFor), blk, blk)),
		rule("NbacQueueHandlerFailures",
			fmt.Sprintf(`(sum by (queue) (rate(nbac_queue_retried_total%s[5m])) + sum by (queue) (rate(nbac_queue_dead_lettered_total%s[5m]))) / sum by (queue) (rate(nbac_queue_consumed_total%s[5m])) > %g`, sel, sel, sel, ratio),
			failureFor, "warning",
			fmt.Sprintf("Handlers of queue %s fail more than %g%% of attempts", q.Name, ratio*100),
			fmt.Sprintf("{{ $value | humanizePercentage }} of the handler attempts on %s failed (retried or dead-lettered) for 5 minutes. Look at the consumers' logs for the error. Threshold: failure_ratio in the alerts block of %s.", blk, blk)),
	}})
}

func (a *alertsBuilder) cache(c *schema.Cache) {
	below, l2For := DefaultHitRatioBelow, DefaultL2UnavailableFor
	if al := c.Alerts; al != nil {
		if al.HitRatioBelow > 0 {
			below = al.HitRatioBelow
		}
		l2For = durOr(al.L2UnavailableFor, l2For)
	}
	blk := where("cache", c.Name)
	// Reads are counted by the first tier a read meets: L1 when there is
	// one (an L1 miss goes on to L2), else L2; hits by either tier.
	tier := "l2"
	if c.L1 != nil {
		tier = "l1"
	}
	sel := fmt.Sprintf(`{cache=%q}`, c.Name)
	tsel := fmt.Sprintf(`{cache=%q,tier=%q}`, c.Name, tier)
	var rules []monitoringv1.Rule
	if c.L2 != nil {
		rules = append(rules, rule("NbacCacheL2Unavailable",
			fmt.Sprintf(`min by (cache) (nbac_cache_l2_up%s) == 0`, sel),
			l2For, "critical",
			fmt.Sprintf("Redis tier of cache %s is unavailable", c.Name),
			fmt.Sprintf("The runtime has marked the Redis of %s down (its breaker is open) for %s: reads fall through to the origin and every pod's L1 serves alone. Check redis %q (address, credentials, memory) and the pods' logs. Threshold: l2_unavailable_for in the alerts block of %s.", blk, promDuration(l2For), c.L2.Redis, blk)))
	}
	rules = append(rules, rule("NbacCacheHitRatioLow",
		fmt.Sprintf(`sum by (cache) (rate(nbac_cache_hits_total%s[10m])) / (sum by (cache) (rate(nbac_cache_hits_total%s[10m])) + sum by (cache) (rate(nbac_cache_misses_total%s[10m]))) < %g`, sel, tsel, tsel, below),
		hitRatioFor, "warning",
		fmt.Sprintf("Hit ratio of cache %s is under %g", c.Name, below),
		fmt.Sprintf("Only {{ $value | humanizePercentage }} of the reads of %s hit a tier for 10 minutes, so most reach the origin. Check the TTLs and sizes (l1 max_entries, l2 ttl) of %s, and whether keys are invalidated too often. Threshold: hit_ratio_below in the alerts block of %s.", blk, blk, blk)))
	a.groups = append(a.groups, monitoringv1.RuleGroup{Name: "nbac.cache." + c.Name, Rules: rules})
}

func (a *alertsBuilder) loadBalancer(lb *schema.LoadBalancer) {
	downFor := DefaultLBDownFor
	if lb.Alerts != nil {
		downFor = durOr(lb.Alerts.DownFor, downFor)
	}
	blk := where("load_balancer", lb.Name)
	proxy := "be_" + lb.Name // emit/haproxy's backend name
	a.groups = append(a.groups, monitoringv1.RuleGroup{Name: "nbac.load_balancer." + lb.Name, Rules: []monitoringv1.Rule{
		rule("NbacLBBackendDown",
			fmt.Sprintf(`max by (proxy) (haproxy_backend_status{proxy=%q,state="DOWN"}) == 1`, proxy),
			downFor, "critical",
			fmt.Sprintf("HAProxy backend of load balancer %s is down", lb.Name),
			fmt.Sprintf("HAProxy reports backend %s of %s down for %s: no server passes its health check and requests fail. Check the backends and the health_check block of %s. Threshold: down_for in the alerts block of %s.", proxy, blk, promDuration(downFor), blk, blk)),
		rule("NbacLBServerDown",
			fmt.Sprintf(`max by (proxy, server) (haproxy_server_status{proxy=%q,state="DOWN"}) == 1`, proxy),
			downFor, "warning",
			fmt.Sprintf("A server of load balancer %s is down", lb.Name),
			fmt.Sprintf("HAProxy reports server {{ $labels.server }} (a backend block of %s) down for %s: it fails its health check and gets no traffic. Check that server and the health_check block of %s. Threshold: down_for in the alerts block of %s.", blk, promDuration(downFor), blk, blk)),
	}})
}
