package kubernetes

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nbac/nbac/emit/kubernetes/kubecheck"
	"github.com/nbac/nbac/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/*.yaml from the emitter's output")

// probesService uses every probe kind and type, a NetworkPolicy, a command
// and arguments, and a LoadBalancer Service.
func probesService() schema.Service {
	return schema.Service{
		Name: "worker", Image: "ghcr.io/example/worker:2024.06.1", Port: 9090, Expose: "LoadBalancer", Replicas: 2,
		Command: []string{"/app/worker"}, Args: []string{"--queue", "ingest"},
		Env:       map[string]string{"B": "2", "A": "1", "C": "three words"},
		Resources: schema.Resources{CPURequest: "50m", MemoryRequest: "64Mi", MemoryLimit: "96Mi"},
		Probes: []schema.Probe{
			{Kind: "liveness", Type: "exec", Command: []string{"/app/worker", "health"}},
			{Kind: "readiness", Type: "tcp", Period: schema.Duration(3 * time.Second)},
			{Kind: "startup", Type: "http", Path: "/started", FailureThreshold: 60},
		},
		NetworkPolicy: true,
		Uses:          []schema.Ref{{Kind: "queue", Name: "nba_data_ingestion"}},
	}
}

// goldenModels are rendered to testdata/<name>.yaml.
func goldenModels() map[string]*schema.Model {
	withWorker := nbaModel()
	withWorker.Services = []schema.Service{probesService()}
	return map[string]*schema.Model{
		"nba":     nbaModel(),
		"alb":     baseModel(albService()),
		"minimal": baseModel(minimalService()),
		"worker":  withWorker,
	}
}

func TestGolden(t *testing.T) {
	for name, m := range goldenModels() {
		t.Run(name, func(t *testing.T) {
			arts, diags := Emit(m)
			if diags.HasErrors() || len(arts) != 1 {
				t.Fatalf("%d artifacts, diagnostics %v", len(arts), diags)
			}
			got := arts[0].Data
			if err := kubecheck.Validate(got); err != nil {
				t.Fatalf("kubecheck: %v", err)
			}
			path := filepath.Join("testdata", name+".yaml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(want, got) {
				t.Fatalf("%s is stale; run go test ./emit/kubernetes -update and review the diff (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
			}
		})
	}
}
