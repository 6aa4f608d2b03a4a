package kubernetes

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/nbac/nbac/schema"
)

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

// serviceAccount is the pod's own identity, so that RBAC granted to one
// service never leaks to another; it mounts no API token by default.
func (b *builder) serviceAccount() *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     typeMeta("v1", "ServiceAccount"),
		ObjectMeta:                   b.meta(b.svc.Name),
		AutomountServiceAccountToken: ptr(false),
	}
}

// deployment runs the service. Without an HPA it pins replicas; with one
// it leaves replicas out, so that applying the file never fights the
// autoscaler.
func (b *builder) deployment(envCM, modelCM *corev1.ConfigMap) *appsv1.Deployment {
	var replicas *int32
	if b.svc.Autoscale == nil {
		replicas = ptr(int32(b.svc.Replicas))
	}
	pod := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: b.meta("").Labels, Annotations: cloneOrNil(b.svc.Annotations)},
		Spec:       b.podSpec(envCM, modelCM),
	}
	return &appsv1.Deployment{
		TypeMeta:   typeMeta("apps/v1", "Deployment"),
		ObjectMeta: b.meta(b.svc.Name),
		Spec: appsv1.DeploymentSpec{
			Replicas:             replicas,
			Selector:             b.labelSelector(),
			Template:             pod,
			RevisionHistoryLimit: ptr(int32(revisionHistoryLimit)),
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				// Start new pods before stopping old ones: capacity never drops.
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxSurge:       ptr(intstr.FromString("25%")),
					MaxUnavailable: ptr(intstr.FromInt32(0)),
				},
			},
		},
	}
}

func (b *builder) podSpec(envCM, modelCM *corev1.ConfigMap) corev1.PodSpec {
	volumes := []corev1.Volume{{
		Name:         tmpVolume,
		VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
	}}
	mounts := []corev1.VolumeMount{{Name: tmpVolume, MountPath: "/tmp"}}
	env := b.secretEnv()
	if modelCM != nil {
		volumes = append(volumes, corev1.Volume{
			Name: modelVolume,
			VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: modelCM.Name},
				Items:                []corev1.KeyToPath{{Key: modelKey, Path: path.Base(schema.DefaultModelPath)}},
			}},
		})
		mounts = append(mounts, corev1.VolumeMount{Name: modelVolume, MountPath: path.Dir(schema.DefaultModelPath), ReadOnly: true})
		env = append(env, corev1.EnvVar{Name: schema.ModelPathEnv, Value: schema.DefaultModelPath})
	}
	var envFrom []corev1.EnvFromSource
	if envCM != nil {
		envFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: envCM.Name},
		}}}
	}
	slices.SortFunc(env, func(x, y corev1.EnvVar) int { return strings.Compare(x.Name, y.Name) })
	slices.SortFunc(volumes, func(x, y corev1.Volume) int { return strings.Compare(x.Name, y.Name) })
	slices.SortFunc(mounts, func(x, y corev1.VolumeMount) int { return strings.Compare(x.MountPath, y.MountPath) })

	c := corev1.Container{
		Name:    b.svc.Name,
		Image:   b.svc.Image,
		Command: b.svc.Command,
		Args:    b.svc.Args,
		Ports: []corev1.ContainerPort{{
			Name: portName, ContainerPort: int32(b.svc.Port), Protocol: corev1.ProtocolTCP,
		}},
		EnvFrom:      envFrom,
		Env:          env,
		Resources:    b.resources(),
		VolumeMounts: mounts,
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr(false),
			Privileged:               ptr(false),
			ReadOnlyRootFilesystem:   ptr(true),
			RunAsNonRoot:             ptr(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
	}
	b.probes(&c)
	b.metricsContainer(&c)

	return corev1.PodSpec{
		ServiceAccountName:           b.svc.Name,
		AutomountServiceAccountToken: ptr(false),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr(true),
			RunAsUser:      ptr(int64(runAsID)),
			RunAsGroup:     ptr(int64(runAsID)),
			FSGroup:        ptr(int64(runAsID)),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		TopologySpreadConstraints: []corev1.TopologySpreadConstraint{{
			MaxSkew:           1,
			TopologyKey:       zoneKey,
			WhenUnsatisfiable: corev1.ScheduleAnyway,
			LabelSelector:     b.labelSelector(),
		}},
		Containers: []corev1.Container{c},
		Volumes:    volumes,
	}
}

// secretEnv turns secret_env blocks into secretKeyRef entries: only the
// Secret's name and key are written, never a value.
func (b *builder) secretEnv() []corev1.EnvVar {
	var env []corev1.EnvVar
	for _, s := range b.svc.SecretEnv {
		env = append(env, corev1.EnvVar{Name: s.Name, ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: s.Secret},
				Key:                  s.Key,
			},
		}})
	}
	return env
}

// resources always sets CPU and memory requests and a memory limit (the
// scheduler needs requests; an unbounded memory limit lets one pod starve
// its node). A missing request takes the limit, as Kubernetes itself does;
// a missing memory limit takes the memory request; CPU is left unlimited
// unless a limit is written, since CPU throttling rarely helps latency.
func (b *builder) resources() corev1.ResourceRequirements {
	r := b.svc.Resources
	cpuReq := first(r.CPURequest, r.CPULimit, defaultCPURequest)
	memReq := first(r.MemoryRequest, r.MemoryLimit, defaultMemoryRequest)
	memLim := first(r.MemoryLimit, memReq)
	req := corev1.ResourceList{
		corev1.ResourceCPU:    b.quantity(cpuReq, "cpu"),
		corev1.ResourceMemory: b.quantity(memReq, "memory"),
	}
	lim := corev1.ResourceList{corev1.ResourceMemory: b.quantity(memLim, "memory")}
	if r.CPULimit != "" {
		lim[corev1.ResourceCPU] = b.quantity(r.CPULimit, "cpu")
	}
	return corev1.ResourceRequirements{Requests: req, Limits: lim}
}

func (b *builder) quantity(s, attr string) resource.Quantity {
	q, err := resource.ParseQuantity(s)
	// A default copies one value into two fields; report it once.
	if err != nil && !b.reported[s] {
		if b.reported == nil {
			b.reported = map[string]bool{}
		}
		b.reported[s] = true
		b.errorf(b.resourcesRange(attr), "Invalid Kubernetes quantity",
			fmt.Sprintf("%q is not a Kubernetes quantity (%v); write CPU as cores or millicores (\"500m\", \"2\") and memory with a binary suffix (\"512Mi\", \"1Gi\").", s, err))
	}
	return q
}

func (b *builder) resourcesRange(attr string) *hcl.Range {
	if r := b.svc.Resources.Src.Range(attr); r != nil {
		return r
	}
	return b.svc.Src.Range("resources")
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func cloneOrNil(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// probes sets readiness, liveness and startup probes. Readiness and
// liveness are always present (a TCP check of the named port when not
// written); startup only when written.
func (b *builder) probes(c *corev1.Container) {
	var readiness, liveness, startup *schema.Probe
	for i := range b.svc.Probes {
		p := &b.svc.Probes[i]
		switch p.Kind {
		case "readiness":
			readiness = p
		case "liveness":
			liveness = p
		case "startup":
			startup = p
		default:
			b.errorf(b.at(p.Src, ""), "Unknown probe kind",
				fmt.Sprintf("Probe kind %q is not one of liveness, readiness or startup; rename the probe block.", p.Kind))
		}
	}
	c.ReadinessProbe = b.probe(readiness, readinessDefaults)
	c.LivenessProbe = b.probe(liveness, livenessDefaults)
	if startup != nil {
		c.StartupProbe = b.probe(startup, startupDefaults)
	}
}

func (b *builder) probe(p *schema.Probe, d probeDefaults) *corev1.Probe {
	if p == nil {
		return &corev1.Probe{
			ProbeHandler:     corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString(portName)}},
			PeriodSeconds:    d.period,
			TimeoutSeconds:   d.timeout,
			FailureThreshold: d.failureThreshold,
		}
	}
	out := &corev1.Probe{
		PeriodSeconds:       seconds(p.Period, d.period),
		TimeoutSeconds:      seconds(p.Timeout, d.timeout),
		InitialDelaySeconds: seconds(p.InitialDelay, d.initialDelay),
		FailureThreshold:    int32(p.FailureThreshold),
	}
	if out.FailureThreshold <= 0 {
		out.FailureThreshold = d.failureThreshold
	}
	switch probeType(p) {
	case "http":
		out.HTTPGet = &corev1.HTTPGetAction{Path: p.Path, Port: intstr.FromString(portName)}
	case "tcp":
		out.TCPSocket = &corev1.TCPSocketAction{Port: intstr.FromString(portName)}
	case "exec":
		out.Exec = &corev1.ExecAction{Command: p.Command}
	default:
		b.errorf(b.at(p.Src, "type"), "Unknown probe type",
			fmt.Sprintf("Probe type %q is not one of http, tcp or exec; set type to one of them.", p.Type))
	}
	return out
}

// probeType is the probe's type, defaulting to http when a path is given
// and to tcp otherwise.
func probeType(p *schema.Probe) string {
	switch {
	case p.Type != "":
		return p.Type
	case p.Path != "":
		return "http"
	case len(p.Command) > 0:
		return "exec"
	}
	return "tcp"
}

// seconds rounds a duration up to whole seconds (the probe API's unit),
// using def when it is not set.
func seconds(d schema.Duration, def int32) int32 {
	if d <= 0 {
		return def
	}
	return int32((d.D() + time.Second - 1) / time.Second)
}
