package kubernetes

import (
	"slices"
	"strconv"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/nbac/nbac/schema"
)

// metricsPortName names the container port the runtime serves its
// Prometheus metrics on (a service's metrics block).
const metricsPortName = "metrics"

// metricsContainer adds the metrics port to the container and tells the
// runtime where to serve (rt.ServeMetrics reads the two variables).
func (b *builder) metricsContainer(c *corev1.Container) {
	m := b.svc.Metrics
	if m == nil {
		return
	}
	c.Ports = append(c.Ports, corev1.ContainerPort{Name: metricsPortName, ContainerPort: int32(m.Port), Protocol: corev1.ProtocolTCP})
	c.Env = append(c.Env,
		corev1.EnvVar{Name: schema.MetricsAddrEnv, Value: ":" + strconv.Itoa(m.Port)},
		corev1.EnvVar{Name: schema.MetricsPathEnv, Value: m.Path})
	slices.SortFunc(c.Env, func(x, y corev1.EnvVar) int { return strings.Compare(x.Name, y.Name) })
}

// policyPorts are the ports a NetworkPolicy admits: the service's, and the
// metrics port for Prometheus to scrape.
func (b *builder) policyPorts() []intstr.IntOrString {
	ports := []intstr.IntOrString{intstr.FromString(portName)}
	if b.svc.Metrics != nil {
		ports = append(ports, intstr.FromString(metricsPortName))
	}
	return ports
}

// podMonitor makes the Prometheus Operator scrape the service's pods on
// the metrics port. A PodMonitor rather than a ServiceMonitor: a worker
// that only consumes queues has no reason to be behind a Service port, and
// every pod is scraped on its own anyway.
func (b *builder) podMonitor() *monitoringv1.PodMonitor {
	m := b.svc.Metrics
	if m == nil {
		return nil
	}
	return &monitoringv1.PodMonitor{
		TypeMeta:   typeMeta("monitoring.coreos.com/v1", "PodMonitor"),
		ObjectMeta: b.meta(b.svc.Name),
		Spec: monitoringv1.PodMonitorSpec{
			Selector: *b.labelSelector(),
			PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{{
				Port: ptr(metricsPortName),
				Path: m.Path,
			}},
		},
	}
}

func policyPorts(names []intstr.IntOrString) []networkingv1.NetworkPolicyPort {
	out := make([]networkingv1.NetworkPolicyPort, len(names))
	for i := range names {
		out[i] = networkingv1.NetworkPolicyPort{Protocol: ptr(corev1.ProtocolTCP), Port: &names[i]}
	}
	return out
}
