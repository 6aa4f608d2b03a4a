package kubernetes

import (
	"strings"
	"testing"

	"github.com/nbac/nbac/importer"
)

func importString(t *testing.T, yaml string) *Estate {
	t.Helper()
	res := importer.NewResult()
	e := &Estate{Result: res}
	e.Objects = ReadDocuments("in.yaml", []byte(yaml), res)
	if res.Diags.HasErrors() {
		t.Fatalf("read: %v", res.Diags)
	}
	return finish(e, importer.Options{})
}

const deploy = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web, tier: fe}}
  template:
    metadata: {labels: {app: web, tier: fe}}
    spec:
      containers: [{name: web, image: "nginx:1", ports: [{containerPort: 80}]}]
`

// A Service matches the way Kubernetes matches: every selector label on
// the pod template, extra pod labels allowed; one label more does not.
func TestServiceMatchesBySelector(t *testing.T) {
	e := importString(t, deploy+`---
apiVersion: v1
kind: Service
metadata: {name: subset}
spec: {selector: {app: web}, ports: [{port: 80}], type: NodePort}
---
apiVersion: v1
kind: Service
metadata: {name: superset}
spec: {selector: {app: web, tier: fe, zone: a}, ports: [{port: 80}]}
`)
	hcl := string(importer.Bytes(e.Result.Files["services.hcl"]))
	if !strings.Contains(hcl, `expose = "NodePort"`) {
		t.Errorf("the subset Service was not matched:\n%s", hcl)
	}
	if got := reportText(e.Result.Diags); !strings.Contains(got, "Not imported: Service superset (") {
		t.Errorf("the Service whose selector has a label the pods lack was not reported unmatched:\n%s", got)
	}
}

// The PDB decision needs the HPA's minimum even when the PDB comes first.
func TestPDBBeforeHPA(t *testing.T) {
	e := importString(t, deploy+`---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 2, maxReplicas: 4}
`)
	for _, o := range e.Objects {
		if o.Kind == "PodDisruptionBudget" && o.Target != (Key{"PodDisruptionBudget", "web"}) {
			t.Fatalf("PDB not paired with nbac's: report:\n%s", reportText(e.Result.Diags))
		}
	}
}

// Values that look like HCL templates stay literal text.
func TestTemplateSequencesAreEscaped(t *testing.T) {
	e := importString(t, strings.Replace(deploy, `ports: [{containerPort: 80}]`,
		`ports: [{containerPort: 80}], env: [{name: A, value: "${HOME}"}, {name: B, value: "%{if x}"}]`, 1))
	hcl := string(importer.Bytes(e.Result.Files["services.hcl"]))
	if !strings.Contains(hcl, `"$${HOME}"`) || !strings.Contains(hcl, `"%%{if x}"`) {
		t.Fatalf("template sequences not escaped:\n%s", hcl)
	}
}

// Values nbac refuses are reported, not written into HCL that would not
// build: a padded image is trimmed, a zero request left out.
func TestValuesNbacRefusesAreReported(t *testing.T) {
	e := importString(t, strings.NewReplacer(`image: "nginx:1"`, `image: " nginx:1"`,
		`ports: [{containerPort: 80}]`, `ports: [{containerPort: 80}], resources: {requests: {cpu: "0"}}`).Replace(deploy))
	hcl := string(importer.Bytes(e.Result.Files["services.hcl"]))
	if !strings.Contains(hcl, `image = "nginx:1"`) || strings.Contains(hcl, "resources") {
		t.Errorf("HCL:\n%s", hcl)
	}
	rep := reportText(e.Result.Diags)
	for _, want := range []string{"containers[0].image (the value is outside", "resources.requests.cpu (the value is outside"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
}
