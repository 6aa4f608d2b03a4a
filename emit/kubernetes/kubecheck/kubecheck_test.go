package kubecheck

import (
	"os"
	"strings"
	"testing"
)

// testdata/valid.yaml is a file the emitter wrote for the seed estate
// (ServiceAccount, two ConfigMaps, Service, Deployment, HPA, PDB, Ingress).
// Each case below breaks it in one way and expects the problem to be named
// precisely: document, kind, field and message.
func readValid(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestValidManifestPasses(t *testing.T) {
	if err := Validate([]byte(readValid(t))); err != nil {
		t.Fatalf("valid manifest rejected:\n%v", err)
	}
}

func TestBrokenManifests(t *testing.T) {
	valid := readValid(t)
	cases := []struct {
		name     string
		old, new string
		doc      int
		kind     string
		field    string // substring of Problem.Field
		message  string // substring of Problem.Message
	}{
		{"unknown field", "  maxReplicas: 10\n", "  maxReplicas: 10\n  maxReplica: 4\n", 6, "HorizontalPodAutoscaler", "", "additional properties 'maxReplica'"},
		{"wrong type", "containerPort: 8000", `containerPort: "8000"`, 5, "Deployment", "spec.template.spec.containers[0].ports[0].containerPort", "schema"},
		{"duplicate key", "  minReplicas: 3\n", "  minReplicas: 3\n  minReplicas: 4\n", 6, "", "", "not strict YAML"},
		{"min above max", "minReplicas: 3", "minReplicas: 12", 6, "HorizontalPodAutoscaler", "spec.minReplicas", "exceeds maxReplicas 10"},
		{"port out of range", "containerPort: 8000", "containerPort: 70000", 5, "Deployment", "containers[0].ports[0].containerPort", "between 1 and 65535"},
		{"bad object name", "  name: nba-mcp-server\n  namespace", "  name: NBA_server\n  namespace", 1, "ServiceAccount", "metadata.name", "lowercase"},
		{"bad label value", "app.kubernetes.io/version: v1.0.0", "app.kubernetes.io/version: v1.0.0+", 1, "ServiceAccount", "metadata.labels.app.kubernetes.io/version", "alphanumeric"},
		{"missing recommended label", "    app.kubernetes.io/part-of: nba-mcp\n", "", 1, "ServiceAccount", "metadata.labels", "app.kubernetes.io/part-of"},
		{"service selects nothing", "  selector:\n    app.kubernetes.io/instance: nba-mcp-server", "  selector:\n    app.kubernetes.io/instance: other", 4, "Service", "spec.selector", "selects no pod template"},
		{"ingress backend missing", "            name: nba-mcp-server\n            port:", "            name: api\n            port:", 8, "Ingress", "backend.service.name", `no Service "api"`},
		{"ingress backend port missing", "              name: http\n        path: /", "              name: grpc\n        path: /", 8, "Ingress", "backend.service.port", `no port named "grpc"`},
		{"ingress host invalid", "  - host: nba-mcp.example.com", "  - host: nba_mcp.example.com", 8, "Ingress", "spec.rules[0].host", "lowercase"},
		{"missing pathType", "        pathType: Prefix\n", "", 8, "Ingress", "pathType", ""},
		{"privilege escalation", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", 5, "Deployment", "spec.template", "allowPrivilegeEscalation"},
		{"capabilities kept", "            - ALL\n", "            - NET_RAW\n", 5, "Deployment", "spec.template", "unrestricted capabilities"},
		{"seccomp missing", "        seccompProfile:\n          type: RuntimeDefault\n", "", 5, "Deployment", "spec.template", "seccompProfile"},
		{"hpa target missing", "    kind: Deployment\n    name: nba-mcp-server", "    kind: Deployment\n    name: api", 6, "HorizontalPodAutoscaler", "spec.scaleTargetRef", "not a Deployment in this file"},
		{"replicas under hpa", "  revisionHistoryLimit: 5\n", "  replicas: 3\n  revisionHistoryLimit: 5\n", 6, "HorizontalPodAutoscaler", "spec.scaleTargetRef", "fight this autoscaler"},
		{"request above limit", "cpu: 200m", "cpu: 2000m", 5, "Deployment", "resources.requests.cpu", "exceeds limit"},
		{"bad quantity", "memory: 1Gi", "memory: 1GiB", 5, "Deployment", "spec.template.spec.containers[0].resources.limits.memory", `"1GiB" is not a Kubernetes quantity`},
		{"probe port unnamed", "            port: http\n          periodSeconds: 20", "            port: web\n          periodSeconds: 20", 5, "Deployment", "livenessProbe.httpGet.port", `no container port named "web"`},
		{"dangling configmap", "  name: nba-mcp-server-env-48f370e393\n", "  name: nba-mcp-server-env-0000000000\n", 5, "Deployment", "envFrom[0].configMapRef.name", "no ConfigMap"},
		{"mutable configmap", "immutable: true\n", "immutable: false\n", 2, "ConfigMap", "immutable", "immutable: true"},
		{"token automount on the account", "apiVersion: v1\nautomountServiceAccountToken: false\n", "apiVersion: v1\nautomountServiceAccountToken: true\n", 1, "ServiceAccount", "automountServiceAccountToken", "must be false"},
		{"token automount on the pod", "      automountServiceAccountToken: false\n", "      automountServiceAccountToken: true\n", 5, "Deployment", "spec.template.spec.automountServiceAccountToken", "must be false"},
		{"writable root", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", 5, "Deployment", "securityContext.readOnlyRootFilesystem", "must be true"},
		{"unknown kind", "kind: ServiceAccount", "kind: Pod", 1, "Pod", "", "no schema"},
		{"version in selector", "  selector:\n    matchLabels:\n      app.kubernetes.io/instance: nba-mcp-server\n      app.kubernetes.io/name: nba-mcp-server\n  strategy",
			"  selector:\n    matchLabels:\n      app.kubernetes.io/instance: nba-mcp-server\n      app.kubernetes.io/name: nba-mcp-server\n      app.kubernetes.io/version: v1.0.0\n  strategy", 5, "Deployment", "spec.selector.matchLabels", "immutable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(valid, tc.old) {
				t.Fatalf("fixture does not contain %q", tc.old)
			}
			broken := strings.Replace(valid, tc.old, tc.new, 1)
			ps := Check([]byte(broken))
			for _, p := range ps {
				if p.Doc == tc.doc && (tc.kind == "" || p.Kind == tc.kind) && strings.Contains(p.Field, tc.field) && strings.Contains(p.Message, tc.message) {
					return
				}
			}
			t.Fatalf("want a problem in document %d (%s) at %q containing %q; got:\n%v", tc.doc, tc.kind, tc.field, tc.message, ps)
		})
	}
}

func TestOrderIsChecked(t *testing.T) {
	docs := strings.Split(readValid(t), "---\n")
	// docs[0] is the header; swap the ServiceAccount and the first ConfigMap.
	docs[1], docs[2] = docs[2], docs[1]
	ps := Check([]byte(strings.Join(docs, "---\n")))
	if len(ps) != 1 || ps[0].Doc != 2 || !strings.Contains(ps[0].Message, "out of order") {
		t.Fatalf("want exactly one out-of-order problem at document 2, got:\n%v", ps)
	}
}

func TestProblemString(t *testing.T) {
	p := Problem{Doc: 5, Kind: "Deployment", Name: "api", Field: "spec.replicas", Message: "must be >= 0"}
	if got, want := p.String(), "document 5 (Deployment/api): spec.replicas: must be >= 0"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestEmptyManifest(t *testing.T) {
	if err := Validate([]byte("# only a comment\n---\n")); err == nil {
		t.Fatal("an empty manifest must be a problem")
	}
}

func TestSchemaFile(t *testing.T) {
	for _, tc := range []struct{ apiVersion, kind, want string }{
		{"v1", "ConfigMap", "configmap-v1.json"},
		{"apps/v1", "Deployment", "deployment-apps-v1.json"},
		{"networking.k8s.io/v1", "Ingress", "ingress-networking-v1.json"},
		{"autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscaler-autoscaling-v2.json"},
	} {
		if got := schemaFile(tc.apiVersion, tc.kind); got != tc.want {
			t.Errorf("schemaFile(%q, %q) = %q, want %q", tc.apiVersion, tc.kind, got, tc.want)
		}
		if _, err := schemaFor(tc.apiVersion, tc.kind); err != nil {
			t.Errorf("schemaFor(%q, %q): %v", tc.apiVersion, tc.kind, err)
		}
	}
}
