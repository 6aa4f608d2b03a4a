package kubernetes

// Defaults applied when the HCL leaves a setting out. docs/kubernetes.md
// has the same table for users; keep the two in step.
const (
	// managedBy is the app.kubernetes.io/managed-by label value.
	managedBy = "nbac"
	// defaultComponent is app.kubernetes.io/component unless the service
	// sets that label itself.
	defaultComponent = "server"
	// portName names the single container and Service port; probes,
	// Ingress backends and the Service's targetPort refer to it by name
	// so a port change touches one place.
	portName = "http"

	// revisionHistoryLimit keeps enough ReplicaSets to roll back a few
	// times without cluttering the namespace (Kubernetes keeps 10).
	revisionHistoryLimit = 5

	// Pod identity: any non-zero IDs satisfy Pod Security "restricted";
	// 10001 stays clear of system users baked into common base images.
	runAsID = 10001

	// Requests and limits when the resources block leaves them out.
	defaultCPURequest    = "100m"
	defaultMemoryRequest = "128Mi"

	// tmpVolume is the emptyDir mounted at /tmp, since the root file
	// system is read-only.
	tmpVolume = "tmp"
	// modelVolume carries the service's model slice (model.json).
	modelVolume = "nbac-model"
	modelKey    = "model.json"

	// zoneKey spreads replicas across zones, best effort.
	zoneKey = "topology.kubernetes.io/zone"

	// ALB defaults (AWS Load Balancer Controller).
	defaultALBScheme     = "internet-facing"
	defaultALBTargetType = "ip"
)

// probeDefaults holds the timing used for a probe kind when the probe
// block, or the whole probe, is missing. Liveness is deliberately slow to
// fire (two minutes of failures) because a wrong restart hurts more than a
// late one; slow starts belong in a startup probe.
type probeDefaults struct {
	period, timeout, initialDelay, failureThreshold int32
}

var (
	readinessDefaults = probeDefaults{period: 5, timeout: 2, initialDelay: 0, failureThreshold: 3}
	livenessDefaults  = probeDefaults{period: 20, timeout: 5, initialDelay: 0, failureThreshold: 6}
	startupDefaults   = probeDefaults{period: 5, timeout: 2, initialDelay: 0, failureThreshold: 30}
)
