package kubernetes

import (
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// defaultCPUTarget is the HPA's CPU target when autoscale names none
// (the API server's own default for an HPA without metrics).
const defaultCPUTarget = 80

// hpa scales the Deployment on CPU and/or memory utilisation.
func (b *builder) hpa() *autoscalingv2.HorizontalPodAutoscaler {
	a := b.svc.Autoscale
	if a == nil || len(a.Queues) > 0 { // KEDA's ScaledObject makes the HPA (keda.go)
		return nil
	}
	var metrics []autoscalingv2.MetricSpec
	add := func(name corev1.ResourceName, pct int) {
		metrics = append(metrics, autoscalingv2.MetricSpec{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{
				Name:   name,
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr(int32(pct))},
			},
		})
	}
	if a.CPUPercent > 0 {
		add(corev1.ResourceCPU, a.CPUPercent)
	}
	if a.MemoryPercent > 0 {
		add(corev1.ResourceMemory, a.MemoryPercent)
	}
	if len(metrics) == 0 {
		add(corev1.ResourceCPU, defaultCPUTarget)
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   typeMeta("autoscaling/v2", "HorizontalPodAutoscaler"),
		ObjectMeta: b.meta(b.svc.Name),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: b.svc.Name},
			MinReplicas:    ptr(int32(a.Min)),
			MaxReplicas:    int32(a.Max),
			Metrics:        metrics,
		},
	}
}

// minReplicas is the fewest pods the service runs: the HPA's minimum when
// it autoscales, its fixed replica count otherwise.
func (b *builder) minReplicas() int {
	if b.svc.Autoscale != nil {
		return b.svc.Autoscale.Min
	}
	return b.svc.Replicas
}

// pdb lets voluntary disruptions (node drains) take one pod at a time. It
// is emitted only from two replicas up: with one, maxUnavailable 1 would
// allow the only pod to go, and anything stricter would block drains.
func (b *builder) pdb() *policyv1.PodDisruptionBudget {
	if b.minReplicas() < 2 {
		return nil
	}
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   typeMeta("policy/v1", "PodDisruptionBudget"),
		ObjectMeta: b.meta(b.svc.Name),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: ptr(intstr.FromInt32(1)),
			Selector:       b.labelSelector(),
		},
	}
}
