package schema

// Version is the model.json format version. Bump it when a field changes
// meaning or disappears; adding an optional field does not need a bump.
const Version = "1"

// Model is one compiled configuration: every block of a directory of HCL
// files, lowered and validated. Slices are sorted by Name so that encoding
// and emitting are deterministic without sorting again downstream.
type Model struct {
	Version       string         `json:"version"`
	Project       Project        `json:"project"`
	Services      []Service      `json:"services,omitempty"`
	LoadBalancers []LoadBalancer `json:"load_balancers,omitempty"`
	Redis         []Redis        `json:"redis,omitempty"`
	Caches        []Cache        `json:"caches,omitempty"`
	Brokers       []Broker       `json:"brokers,omitempty"`
	Queues        []Queue        `json:"queues,omitempty"`
	Gateways      []Gateway      `json:"gateways,omitempty"`
	// EnvReads lists, sorted, the environment variables that env() read
	// while evaluating this configuration (their provenance; never values).
	EnvReads []string `json:"env_reads,omitempty"`
}

// Project is the `project "name" {}` block: estate-wide settings.
type Project struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels,omitempty"`
	// AllowEnv names the environment variables env() may read.
	AllowEnv []string `json:"allow_env,omitempty"`
	Src      Source   `json:"-"`
}

// Ref names another block: Kind is the block type ("cache", "queue",
// "redis", "broker", "service"), Name its label.
type Ref struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

func (r Ref) String() string { return r.Kind + "." + r.Name }

// Service is a `service "name" {}` block: one workload on Kubernetes.
type Service struct {
	Name     string            `json:"name"`
	Image    string            `json:"image"`
	Port     int               `json:"port"`              // container and Service port
	Expose   string            `json:"expose"`            // ClusterIP | NodePort | LoadBalancer
	Replicas int               `json:"replicas"`          // ignored by the Deployment when Autoscale is set
	Command  []string          `json:"command,omitempty"` // container entrypoint override
	Args     []string          `json:"args,omitempty"`    // container arguments
	Env      map[string]string `json:"env,omitempty"`     // plain values, emitted into the ConfigMap
	Labels   map[string]string `json:"labels,omitempty"`  // extra labels on every object
	// Annotations are added to the pod template.
	Annotations map[string]string `json:"annotations,omitempty"`
	SecretEnv   []SecretEnv       `json:"secret_env,omitempty"` // sorted by Name
	Resources   Resources         `json:"resources"`
	Probes      []Probe           `json:"probes,omitempty"` // sorted by Kind
	Autoscale   *Autoscale        `json:"autoscale,omitempty"`
	Ingress     *Ingress          `json:"ingress,omitempty"`
	Route       *Route            `json:"route,omitempty"` // Gateway API (schema/gateway.go)
	// NetworkPolicy, when true, emits a NetworkPolicy admitting only Port.
	NetworkPolicy bool `json:"network_policy,omitempty"`
	// Uses lists the caches and queues the service's runtime needs, sorted.
	Uses []Ref `json:"uses,omitempty"`
	// Metrics, when set, serves the runtime's Prometheus metrics.
	Metrics *Metrics `json:"metrics,omitempty"`
	Src     Source   `json:"-"`
}

// SecretEnv is a `secret_env "NAME" {}` block: an environment variable taken
// from a Kubernetes Secret. Only the reference is ever stored.
type SecretEnv struct {
	Name   string `json:"name"`   // environment variable name
	Secret string `json:"secret"` // Kubernetes Secret name
	Key    string `json:"key"`    // key inside the Secret
	Src    Source `json:"-"`
}

// Resources holds Kubernetes quantities, as written (validated by
// k8s.io/apimachinery's resource.ParseQuantity). Empty means "not set".
type Resources struct {
	CPURequest    string `json:"cpu_request,omitempty"`
	CPULimit      string `json:"cpu_limit,omitempty"`
	MemoryRequest string `json:"memory_request"`
	MemoryLimit   string `json:"memory_limit"`
	Src           Source `json:"-"`
}

// Probe is a `probe "liveness|readiness|startup" {}` block.
type Probe struct {
	Kind             string   `json:"kind"`           // liveness | readiness | startup
	Type             string   `json:"type"`           // http | tcp | exec
	Path             string   `json:"path,omitempty"` // for http
	Command          []string `json:"command,omitempty"`
	Period           Duration `json:"period"`
	Timeout          Duration `json:"timeout"`
	InitialDelay     Duration `json:"initial_delay"`
	FailureThreshold int      `json:"failure_threshold"`
	Src              Source   `json:"-"`
}

// Autoscale is the `autoscale {}` block: an autoscaling/v2 HPA, or a KEDA
// ScaledObject when it has queue triggers.
type Autoscale struct {
	Min           int `json:"min"` // 0 (scale to zero) only with queue triggers
	Max           int `json:"max"`
	CPUPercent    int `json:"cpu_percent,omitempty"`    // 0 = not a target
	MemoryPercent int `json:"memory_percent,omitempty"` // 0 = not a target
	// Queues are the `queue {}` triggers, sorted by Queue: scale on the
	// messages waiting in each (docs/autoscaling.md).
	Queues []QueueTrigger `json:"queues,omitempty"`
	Src    Source         `json:"-"`
}

// QueueTrigger is a `queue {}` block of autoscale: one replica per Backlog
// messages waiting in Queue.
type QueueTrigger struct {
	Queue   string `json:"queue"`   // name of a queue block the service uses
	Backlog int    `json:"backlog"` // target messages waiting per replica
	Src     Source `json:"-"`
}

// Ingress is the `ingress {}` block: a networking/v1 Ingress.
type Ingress struct {
	Host  string `json:"host"`
	Path  string `json:"path"`  // default "/"
	Class string `json:"class"` // nginx | alb
	TLS   bool   `json:"tls"`
	// TLSSecret names the Secret holding the certificate (default
	// "<service>-tls"); cert-manager fills it when Issuer is set.
	TLSSecret string `json:"tls_secret,omitempty"`
	// Issuer is a cert-manager ClusterIssuer name; empty emits no annotation.
	Issuer string `json:"issuer,omitempty"`
	// ALB settings, used only when Class is "alb".
	ALB *ALB `json:"alb,omitempty"`
	// RateLimit is requests per second per client IP, where the class
	// supports it (nginx annotation); 0 = none.
	RateLimit int    `json:"rate_limit,omitempty"`
	Src       Source `json:"-"`
}

// ALB holds AWS Load Balancer Controller settings for an `alb` Ingress.
type ALB struct {
	Scheme         string `json:"scheme"`      // internet-facing | internal
	TargetType     string `json:"target_type"` // ip | instance
	CertificateARN string `json:"certificate_arn,omitempty"`
	SSLPolicy      string `json:"ssl_policy,omitempty"`
	Src            Source `json:"-"`
}

// Environment variable names the runtime reads, by default, inside pods.
const (
	// ModelPathEnv overrides where the runtime looks for model.json.
	ModelPathEnv = "NBAC_MODEL"
	// DefaultModelPath is where the Kubernetes emitter mounts the model
	// slice of a service that `uses` caches or queues.
	DefaultModelPath = "/etc/nbac/model.json"
)
