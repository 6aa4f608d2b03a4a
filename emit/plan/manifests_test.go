package plan

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// render prints object changes the way the text plan does, one per line.
func render(objs []ObjectChange) []string {
	var out []string
	for _, o := range objs {
		lines := objectLines(o)
		out = append(out, symbols[o.Action]+" "+lines[0])
		for _, l := range lines[1:] {
			out = append(out, "    "+l)
		}
	}
	return out
}

func TestDiffIgnoresKeyOrderFormattingAndNamedItemOrder(t *testing.T) {
	objs, err := diffManifests(readTestdata(t, "before.yaml"), readTestdata(t, "reordered.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 0 {
		t.Fatalf("reordering reported as changes:\n%s", strings.Join(render(objs), "\n"))
	}
}

func TestDiffReportsFieldsByNameAndPairsHashedConfigMap(t *testing.T) {
	objs, err := diffManifests(readTestdata(t, "before.yaml"), readTestdata(t, "after.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"~ ConfigMap shop/api-config-c8d4x2p1 (was api-config-7h2k9m4t)",
		"    data.LOG_LEVEL: info -> debug",
		"~ Deployment shop/api",
		`    metadata.labels["app.kubernetes.io/version"]: v1.0.0 -> v1.1.0`,
		`    spec.template.spec.containers[api].args: ["--port","8000"] -> ["--port","9000"]`,
		`    spec.template.spec.containers[api].env[C]: (none) -> {"name":"C","value":"3"}`,
		"    spec.template.spec.containers[api].image: registry.example.com/api:v1.0.0 -> registry.example.com/api:v1.1.0",
		"    spec.template.spec.containers[api].resources.limits.memory: 1Gi -> 2Gi",
		"    (1 reference(s) follow the renamed object above; pods roll)",
		"+ PodDisruptionBudget shop/api",
		"- Service shop/api",
	}
	if diff := cmp.Diff(want, render(objs)); diff != "" {
		t.Fatalf("plan lines (-want +got):\n%s", diff)
	}
}

func TestDiffMatchesUnnamedItemsByIdentity(t *testing.T) {
	// HPA metrics have no name but a resource name; reordering them is no
	// change, and a change is reported under the resource's name.
	before := []byte("kind: HorizontalPodAutoscaler\nmetadata: {name: api}\nspec:\n  metrics:\n  - type: Resource\n    resource: {name: cpu, target: {averageUtilization: 70}}\n  - type: Resource\n    resource: {name: memory, target: {averageUtilization: 80}}\n")
	reordered := []byte("kind: HorizontalPodAutoscaler\nmetadata: {name: api}\nspec:\n  metrics:\n  - type: Resource\n    resource: {name: memory, target: {averageUtilization: 80}}\n  - type: Resource\n    resource: {name: cpu, target: {averageUtilization: 70}}\n")
	after := []byte("kind: HorizontalPodAutoscaler\nmetadata: {name: api}\nspec:\n  metrics:\n  - type: Resource\n    resource: {name: cpu, target: {averageUtilization: 75}}\n")
	if objs, err := diffManifests(before, reordered); err != nil || len(objs) != 0 {
		t.Fatalf("reordered metrics: %v %v", render(objs), err)
	}
	objs, err := diffManifests(before, after)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"~ HorizontalPodAutoscaler api",
		"    spec.metrics[cpu].resource.target.averageUtilization: 70 -> 75",
		`    spec.metrics[memory]: {"resource":{"name":"memory","target":{"averageUtilization":80}},"type":"Resource"} -> (none)`,
	}
	if diff := cmp.Diff(want, render(objs)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestDiffReportsItemsWithoutIdentityByIndex(t *testing.T) {
	before := []byte("kind: Deployment\nmetadata: {name: api}\nspec:\n  topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: zone}\n")
	after := []byte("kind: Deployment\nmetadata: {name: api}\nspec:\n  topologySpreadConstraints:\n  - {maxSkew: 2, topologyKey: zone}\n  - {maxSkew: 1, topologyKey: host}\n")
	objs, err := diffManifests(before, after)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"~ Deployment api",
		"    spec.topologySpreadConstraints[0].maxSkew: 1 -> 2",
		`    spec.topologySpreadConstraints[1]: (none) -> {"maxSkew":1,"topologyKey":"host"}`,
	}
	if diff := cmp.Diff(want, render(objs)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestDiffNeverPrintsSecretData(t *testing.T) {
	before := []byte("kind: Secret\nmetadata: {name: db, namespace: shop}\ndata: {password: c2VjcmV0}\nstringData: {token: hunter2}\n")
	after := []byte("kind: Secret\nmetadata: {name: db, namespace: shop}\ndata: {password: bmV3c2VjcmV0}\nstringData: {token: hunter3}\n")
	objs, err := diffManifests(before, after)
	if err != nil {
		t.Fatal(err)
	}
	p := &Plan{Changes: []FileChange{{Path: "kubernetes/db.yaml", Action: Change, Objects: objs}}}
	var b strings.Builder
	p.WriteText(&b, false)
	doc := p.Document(nil)
	js := mustJSON(t, doc)
	for _, secret := range []string{"c2VjcmV0", "bmV3c2VjcmV0", "hunter"} {
		if strings.Contains(b.String(), secret) || strings.Contains(js, secret) {
			t.Fatalf("secret %q printed:\n%s\n%s", secret, b.String(), js)
		}
	}
	if !strings.Contains(b.String(), "data.password: (sensitive value changed)") {
		t.Fatalf("text plan does not say the secret changed:\n%s", b.String())
	}
}

func TestAmbiguousHashRenamesAreNotPaired(t *testing.T) {
	before := []byte("kind: ConfigMap\nmetadata: {name: api-config-aaaaaaaa}\n---\nkind: ConfigMap\nmetadata: {name: api-config-bbbbbbbb}\n")
	after := []byte("kind: ConfigMap\nmetadata: {name: api-config-cccccccc}\n")
	objs, err := diffManifests(before, after)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"+ ConfigMap api-config-cccccccc", "- ConfigMap api-config-aaaaaaaa", "- ConfigMap api-config-bbbbbbbb"}
	if diff := cmp.Diff(want, render(objs)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestParseObjectsRejectsDocumentsWithoutIdentity(t *testing.T) {
	for _, in := range []string{"kind: X\n", "metadata: {name: a}\n", "kind: X\nmetadata: {name: a}\n---\nkind: X\nmetadata: {name: a}\n", "a: [\n"} {
		if _, err := parseObjects([]byte(in)); err == nil {
			t.Errorf("parseObjects(%q) succeeded", in)
		}
	}
}
