package compile

import (
	"encoding/json"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/nbac/nbac/bench/estate"
)

// The anchors (Helm, CUE) take the estate as data: the evaluated values a
// Helm user would keep in values.yaml, and a CUE user in a data file. They
// get the same services, caches and queues nbac reads from HCL, and build
// the same objects from them in their own language.

type input struct {
	Version  string                    `json:"version"`
	Project  project                   `json:"project"`
	Redis    []map[string]any          `json:"redis"`
	Brokers  map[string]map[string]any `json:"brokers"`
	Caches   map[string]map[string]any `json:"caches"`
	Queues   map[string]map[string]any `json:"queues"`
	Services []service                 `json:"services"`
}

type project struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels"`
}

type service struct {
	Name      string            `json:"name"`
	Tier      string            `json:"tier"`
	Image     string            `json:"image"`
	Port      int               `json:"port"`
	Replicas  int               `json:"replicas"`
	Env       map[string]string `json:"env"`
	Secrets   []secret          `json:"secrets"`
	Resources map[string]string `json:"resources"`
	Liveness  probe             `json:"liveness"`
	Readiness probe             `json:"readiness"`
	Autoscale *estateAutoscale  `json:"autoscale"`
	Ingress   *ingress          `json:"ingress"`
	NetPolicy bool              `json:"netpol"`
	Uses      []ref             `json:"uses"`
}

type secret struct {
	Env    string `json:"env"`
	Secret string `json:"secret"`
	Key    string `json:"key"`
}

type probe struct {
	Path    string `json:"path"`
	Period  int    `json:"period"`
	Timeout int    `json:"timeout"`
	Failure int    `json:"failure"`
}

type estateAutoscale struct {
	Min int `json:"min"`
	Max int `json:"max"`
	CPU int `json:"cpu"`
}

type ingress struct {
	Host   string `json:"host"`
	TLS    bool   `json:"tls"`
	Issuer string `json:"issuer,omitempty"`
}

type ref struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

func anchorInput(e *estate.Estate) *input {
	in := &input{
		Version: e.ImageTag,
		Project: project{Name: e.Project, Namespace: e.Namespace,
			Labels: map[string]string{"team": "platform", "environment": e.Environment}},
		Redis: []map[string]any{{"name": "main", "addresses": []string{"redis:6379"}, "url_env": "REDIS_URL"}},
		Brokers: map[string]map[string]any{
			"rabbit": {"name": "rabbit", "type": "rabbitmq", "url_env": "AMQP_URL"},
			"jobs":   {"name": "jobs", "type": "redis", "redis": "main"},
		},
		Caches: map[string]map[string]any{},
		Queues: map[string]map[string]any{},
	}
	for _, c := range e.Caches {
		in.Caches[c.Name] = map[string]any{
			"name": c.Name,
			"l1":   map[string]any{"max_entries": c.Entries, "ttl": goDuration(c.TTL)},
			"l2": map[string]any{"redis": "main", "ttl": goDuration(c.L2TTL), "key_prefix": c.Name + ":", "compress": "zlib",
				"compress_min": 1024, "invalidate": true, "timeout": "100ms"},
			"negative_ttl": "30s",
		}
	}
	for _, q := range e.Queues {
		ordering := "none"
		if q.FIFO {
			ordering = "fifo"
		}
		in.Queues[q.Name] = map[string]any{
			"name": q.Name, "broker": q.Broker, "priorities": q.Priority, "ordering": ordering,
			"workers": q.Workers, "prefetch": 2 * q.Workers,
			"retry":       map[string]any{"max_attempts": 5, "backoff": "exponential", "initial": "1s", "max": "1m0s", "jitter": true},
			"dead_letter": true, "shutdown_timeout": "30s",
		}
	}
	for _, s := range e.Services {
		sv := service{
			Name: s.Name, Tier: s.Tier, Image: s.Image, Port: s.Port, Replicas: s.Replicas, Env: s.Env,
			Resources: map[string]string{
				"cpu_request": s.Size.CPURequest, "cpu_limit": s.Size.CPULimit,
				"memory_request": s.Size.MemoryRequest, "memory_limit": s.Size.MemoryLimit,
			},
			Liveness:  probe{Path: "/healthz", Period: 10, Timeout: 1, Failure: 3},
			Readiness: probe{Path: s.Readiness, Period: 5, Timeout: 1, Failure: 3},
			NetPolicy: s.NetPolicy,
			Uses:      []ref{},
		}
		for _, sec := range s.Secrets {
			sv.Secrets = append(sv.Secrets, secret{sec.Env, sec.Secret, sec.Key})
		}
		// nbac sorts secret env by name; the anchors get them sorted too.
		sortSecrets(sv.Secrets)
		if a := s.Autoscale; a != nil {
			sv.Autoscale = &estateAutoscale{a.Min, a.Max, a.CPU}
		}
		if i := s.Ingress; i != nil {
			sv.Ingress = &ingress{Host: i.Host, TLS: i.TLS, Issuer: i.Issuer}
		}
		for _, u := range s.Uses {
			kind, name, _ := strings.Cut(u, ".")
			sv.Uses = append(sv.Uses, ref{kind, name})
		}
		in.Services = append(in.Services, sv)
	}
	return in
}

// goDuration writes a duration as model.json does (time.Duration.String).
func goDuration(s string) string {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err) // the generator writes only valid durations
	}
	return d.String()
}

func sortSecrets(s []secret) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Env < s[j-1].Env; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// JSON is the input as a JSON document (the CUE side's data file).
func (in *input) JSON() []byte {
	b, err := json.Marshal(in)
	if err != nil {
		panic(err) // plain structs and maps of strings and numbers
	}
	return b
}

// YAML is the input as values.yaml (the Helm side).
func (in *input) YAML() []byte {
	b, err := yaml.JSONToYAML(in.JSON())
	if err != nil {
		panic(err)
	}
	return b
}
