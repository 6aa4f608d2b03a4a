package kubernetes

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/nbac/nbac/schema"
)

func TestObjectOrderAndLabels(t *testing.T) {
	m := nbaModel()
	m.Services[0].NetworkPolicy = true
	o, data := emitOne(t, m)
	want := []string{"ServiceAccount", "ConfigMap", "ConfigMap", "Service", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "NetworkPolicy"}
	if diff := cmp.Diff(want, o.kinds); diff != "" {
		t.Fatalf("object order (-want +got):\n%s", diff)
	}
	for i, l := range o.allMetadata {
		wantLabels := map[string]string{
			LabelName: "nba-mcp-server", LabelInstance: "nba-mcp-server", LabelVersion: "v1.0.0",
			LabelComponent: "server", LabelPartOf: "nba-mcp", LabelManagedBy: "nbac", "team": "data",
		}
		if diff := cmp.Diff(wantLabels, l); diff != "" {
			t.Errorf("labels of %s (-want +got):\n%s", o.kinds[i], diff)
		}
	}
	sel := o.deployment.Spec.Selector.MatchLabels
	if diff := cmp.Diff(map[string]string{LabelName: "nba-mcp-server", LabelInstance: "nba-mcp-server"}, sel); diff != "" {
		t.Errorf("selector must hold only name and instance:\n%s", diff)
	}
	if o.deployment.Namespace != "nba-mcp" || o.ingress.Namespace != "nba-mcp" {
		t.Errorf("namespace not taken from the project")
	}
	for _, noise := range []string{"status:", "creationTimestamp", "strategy: {}", "resources: {}", "null"} {
		if bytes.Contains(data, []byte(noise)) {
			t.Errorf("output contains zero-value noise %q", noise)
		}
	}
}

func TestDeterministic(t *testing.T) {
	m := nbaModel()
	m.Services = append(m.Services, albService(), minimalService())
	slices.SortFunc(m.Services, func(a, b schema.Service) int { return strings.Compare(a.Name, b.Name) })
	first, _ := Emit(m)
	for range 5 {
		// Rebuilding the maps changes Go's iteration order between runs.
		again := nbaModel()
		again.Services = append(again.Services, albService(), minimalService())
		slices.SortFunc(again.Services, func(a, b schema.Service) int { return strings.Compare(a.Name, b.Name) })
		second, _ := Emit(again)
		if len(first) != len(second) {
			t.Fatal("artifact count differs between runs")
		}
		for i := range first {
			if first[i].Path != second[i].Path || !bytes.Equal(first[i].Data, second[i].Data) {
				t.Fatalf("%s differs between two emits of the same model", first[i].Path)
			}
		}
	}
	var paths []string
	for _, a := range first {
		paths = append(paths, a.Path)
	}
	if diff := cmp.Diff([]string{"kubernetes/api.yaml", "kubernetes/nba-mcp-server.yaml", "kubernetes/web.yaml"}, paths); diff != "" {
		t.Fatalf("paths (-want +got):\n%s", diff)
	}
}

func TestArtifactOrigin(t *testing.T) {
	svc := minimalService()
	svc.Src.Block = hcl.Range{Filename: "infra/web.hcl", Start: hcl.Pos{Line: 3, Column: 1}, End: hcl.Pos{Line: 3, Column: 14}}
	arts, _ := Emit(baseModel(svc))
	if arts[0].Origin != `service "web"` || arts[0].Range == nil || arts[0].Range.Filename != "infra/web.hcl" || arts[0].Range.Start.Line != 3 {
		t.Fatalf("origin %q range %v", arts[0].Origin, arts[0].Range)
	}
	arts, _ = Emit(baseModel(minimalService()))
	if arts[0].Range != nil {
		t.Fatalf("a service without a source range must have a nil Range, got %v", arts[0].Range)
	}
}

func TestMinimalServiceDefaults(t *testing.T) {
	o, _ := emitOne(t, baseModel(minimalService()))
	want := []string{"ServiceAccount", "Service", "Deployment"}
	if diff := cmp.Diff(want, o.kinds); diff != "" {
		t.Fatalf("a minimal service emits only (-want +got):\n%s", diff)
	}
	d := o.deployment
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
		t.Errorf("replicas = %v, want 1", d.Spec.Replicas)
	}
	if *d.Spec.RevisionHistoryLimit != revisionHistoryLimit {
		t.Errorf("revisionHistoryLimit = %d", *d.Spec.RevisionHistoryLimit)
	}
	ru := d.Spec.Strategy.RollingUpdate
	if ru.MaxSurge.String() != "25%" || ru.MaxUnavailable.String() != "0" {
		t.Errorf("rolling update = %v/%v, want 25%%/0", ru.MaxSurge, ru.MaxUnavailable)
	}
	c := o.container(t)
	if got := c.Resources.Requests.Cpu().String(); got != defaultCPURequest {
		t.Errorf("cpu request = %s", got)
	}
	if got := c.Resources.Requests.Memory().String(); got != defaultMemoryRequest {
		t.Errorf("memory request = %s", got)
	}
	if got := c.Resources.Limits.Memory().String(); got != defaultMemoryRequest {
		t.Errorf("memory limit = %s, want the request", got)
	}
	if _, ok := c.Resources.Limits[corev1.ResourceCPU]; ok {
		t.Errorf("no CPU limit unless one is written")
	}
	if c.ReadinessProbe.TCPSocket == nil || c.ReadinessProbe.TCPSocket.Port.StrVal != portName {
		t.Errorf("default readiness probe must be tcp on the named port: %+v", c.ReadinessProbe)
	}
	if c.LivenessProbe.FailureThreshold != livenessDefaults.failureThreshold || c.LivenessProbe.PeriodSeconds != livenessDefaults.period {
		t.Errorf("default liveness probe is not the conservative one: %+v", c.LivenessProbe)
	}
	if c.StartupProbe != nil {
		t.Errorf("no startup probe unless written")
	}
	if c.EnvFrom != nil || c.Env != nil {
		t.Errorf("no env without env or secret_env: %+v %+v", c.EnvFrom, c.Env)
	}
	ps := d.Spec.Template.Spec
	if *ps.AutomountServiceAccountToken || *o.sa.AutomountServiceAccountToken || ps.ServiceAccountName != "web" {
		t.Errorf("dedicated service account without token mount")
	}
	sc := ps.SecurityContext
	if !*sc.RunAsNonRoot || *sc.RunAsUser == 0 || *sc.RunAsGroup == 0 || *sc.FSGroup == 0 || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod security context: %+v", sc)
	}
	csc := c.SecurityContext
	if *csc.AllowPrivilegeEscalation || !*csc.ReadOnlyRootFilesystem || !slices.Equal(csc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container security context: %+v", csc)
	}
	if len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != "/tmp" || ps.Volumes[0].EmptyDir == nil {
		t.Errorf("want an emptyDir at /tmp: %+v", c.VolumeMounts)
	}
	tsc := ps.TopologySpreadConstraints
	if len(tsc) != 1 || tsc[0].TopologyKey != zoneKey || tsc[0].WhenUnsatisfiable != corev1.ScheduleAnyway {
		t.Errorf("topology spread: %+v", tsc)
	}
	s := o.service.Spec
	if s.Type != corev1.ServiceTypeClusterIP || s.SessionAffinity != corev1.ServiceAffinityNone || s.Ports[0].Port != 8080 || s.Ports[0].TargetPort.StrVal != portName {
		t.Errorf("service spec: %+v", s)
	}
}

func TestExposeTypes(t *testing.T) {
	for _, e := range []string{"ClusterIP", "NodePort", "LoadBalancer"} {
		svc := minimalService()
		svc.Expose = e
		o, _ := emitOne(t, baseModel(svc))
		if string(o.service.Spec.Type) != e {
			t.Errorf("expose %s gave %s", e, o.service.Spec.Type)
		}
	}
}

func TestAutoscaleAndPDB(t *testing.T) {
	cases := []struct {
		name        string
		replicas    int
		autoscale   *schema.Autoscale
		wantHPA     bool
		wantPDB     bool
		wantMetrics []corev1.ResourceName
	}{
		{"one replica, no autoscale", 1, nil, false, false, nil},
		{"two replicas, no autoscale", 2, nil, false, true, nil},
		{"autoscale from 1", 3, &schema.Autoscale{Min: 1, Max: 4, CPUPercent: 60}, true, false, []corev1.ResourceName{"cpu"}},
		{"autoscale from 2", 1, &schema.Autoscale{Min: 2, Max: 4, MemoryPercent: 75}, true, true, []corev1.ResourceName{"memory"}},
		{"cpu and memory", 1, &schema.Autoscale{Min: 3, Max: 10, CPUPercent: 70, MemoryPercent: 80}, true, true, []corev1.ResourceName{"cpu", "memory"}},
		{"no target given", 1, &schema.Autoscale{Min: 1, Max: 2}, true, false, []corev1.ResourceName{"cpu"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svc := minimalService()
			svc.Replicas, svc.Autoscale = tc.replicas, tc.autoscale
			o, _ := emitOne(t, baseModel(svc))
			if (o.hpa != nil) != tc.wantHPA || (o.pdb != nil) != tc.wantPDB {
				t.Fatalf("hpa %v pdb %v, want %v %v", o.hpa != nil, o.pdb != nil, tc.wantHPA, tc.wantPDB)
			}
			if tc.wantHPA {
				if o.deployment.Spec.Replicas != nil {
					t.Errorf("a Deployment targeted by an HPA must not set replicas")
				}
				if *o.hpa.Spec.MinReplicas != int32(tc.autoscale.Min) || o.hpa.Spec.MaxReplicas != int32(tc.autoscale.Max) {
					t.Errorf("hpa bounds %d..%d", *o.hpa.Spec.MinReplicas, o.hpa.Spec.MaxReplicas)
				}
				var got []corev1.ResourceName
				for _, m := range o.hpa.Spec.Metrics {
					got = append(got, m.Resource.Name)
				}
				if diff := cmp.Diff(tc.wantMetrics, got); diff != "" {
					t.Errorf("metrics (-want +got):\n%s", diff)
				}
			} else if *o.deployment.Spec.Replicas != int32(tc.replicas) {
				t.Errorf("replicas = %d", *o.deployment.Spec.Replicas)
			}
			if tc.wantPDB && o.pdb.Spec.MaxUnavailable.IntValue() != 1 {
				t.Errorf("pdb maxUnavailable = %v", o.pdb.Spec.MaxUnavailable)
			}
		})
	}
}

func TestEnvConfigMapAndSecrets(t *testing.T) {
	o, data := emitOne(t, nbaModel())
	env := o.configMaps[0]
	if !strings.HasPrefix(env.Name, "nba-mcp-server-env-") || !*env.Immutable {
		t.Fatalf("env ConfigMap %s immutable=%v", env.Name, *env.Immutable)
	}
	if diff := cmp.Diff(map[string]string{"LOG_LEVEL": "info", "APP_ENV": "production"}, env.Data); diff != "" {
		t.Errorf("env data:\n%s", diff)
	}
	c := o.container(t)
	if c.EnvFrom[0].ConfigMapRef.Name != env.Name {
		t.Errorf("envFrom does not name the env ConfigMap")
	}
	var names []string
	for _, e := range c.Env {
		names = append(names, e.Name)
	}
	if diff := cmp.Diff([]string{"API_TOKEN", "DB_PASSWORD", "NBAC_MODEL"}, names); diff != "" {
		t.Errorf("env must be sorted (-want +got):\n%s", diff)
	}
	ref := c.Env[1].ValueFrom.SecretKeyRef
	if ref.Name != "nba-db" || ref.Key != "password" {
		t.Errorf("secretKeyRef = %+v", ref)
	}
	if bytes.Contains(data, []byte("kind: Secret\n")) {
		t.Errorf("nbac must never emit a Secret")
	}

	// Changing a value changes the name (pods roll); the same value keeps it.
	m := nbaModel()
	m.Services[0].Env["LOG_LEVEL"] = "debug"
	o2, _ := emitOne(t, m)
	if o2.configMaps[0].Name == env.Name {
		t.Errorf("env ConfigMap name did not change with its content")
	}
	o3, _ := emitOne(t, nbaModel())
	if o3.configMaps[0].Name != env.Name {
		t.Errorf("env ConfigMap name is not stable")
	}
}

func TestModelConfigMap(t *testing.T) {
	m := nbaModel()
	o, _ := emitOne(t, m)
	cm := o.configMaps[1]
	if !strings.HasPrefix(cm.Name, "nba-mcp-server-model-") || !*cm.Immutable {
		t.Fatalf("model ConfigMap %s", cm.Name)
	}
	slice, err := schema.Decode(strings.NewReader(cm.Data[modelKey]))
	if err != nil {
		t.Fatalf("the mounted model does not decode: %v", err)
	}
	want := m.SliceFor(&m.Services[0])
	if diff := cmp.Diff(want, slice, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Src" }, cmp.Ignore())); diff != "" {
		t.Errorf("mounted model != SliceFor (-want +got):\n%s", diff)
	}
	c := o.container(t)
	var mount *corev1.VolumeMount
	for i := range c.VolumeMounts {
		if c.VolumeMounts[i].Name == modelVolume {
			mount = &c.VolumeMounts[i]
		}
	}
	if mount == nil || !mount.ReadOnly || mount.MountPath+"/"+modelKey != schema.DefaultModelPath {
		t.Fatalf("model mount = %+v, want read-only so the file lands at %s", mount, schema.DefaultModelPath)
	}
	var vol *corev1.Volume
	for i, v := range o.deployment.Spec.Template.Spec.Volumes {
		if v.Name == modelVolume {
			vol = &o.deployment.Spec.Template.Spec.Volumes[i]
		}
	}
	if vol == nil || vol.ConfigMap.Name != cm.Name || vol.ConfigMap.Items[0].Path != modelKey {
		t.Fatalf("model volume = %+v", vol)
	}
	var modelEnv string
	for _, e := range c.Env {
		if e.Name == schema.ModelPathEnv {
			modelEnv = e.Value
		}
	}
	if modelEnv != schema.DefaultModelPath {
		t.Errorf("%s = %q", schema.ModelPathEnv, modelEnv)
	}
}

func TestProbes(t *testing.T) {
	svc := minimalService()
	svc.Probes = []schema.Probe{
		{Kind: "liveness", Type: "exec", Command: []string{"/bin/health", "--live"}, Period: schema.Duration(30 * time.Second), FailureThreshold: 4},
		{Kind: "readiness", Type: "tcp", Timeout: schema.Duration(1500 * time.Millisecond)},
		{Kind: "startup", Type: "http", Path: "/started", InitialDelay: schema.Duration(10 * time.Second)},
	}
	o, _ := emitOne(t, baseModel(svc))
	c := o.container(t)
	if c.LivenessProbe.Exec == nil || !slices.Equal(c.LivenessProbe.Exec.Command, []string{"/bin/health", "--live"}) ||
		c.LivenessProbe.PeriodSeconds != 30 || c.LivenessProbe.FailureThreshold != 4 {
		t.Errorf("liveness = %+v", c.LivenessProbe)
	}
	if c.ReadinessProbe.TCPSocket == nil || c.ReadinessProbe.TimeoutSeconds != 2 {
		t.Errorf("readiness = %+v (1.5s must round up to 2)", c.ReadinessProbe)
	}
	sp := c.StartupProbe
	if sp == nil || sp.HTTPGet.Path != "/started" || sp.HTTPGet.Port.StrVal != portName || sp.InitialDelaySeconds != 10 || sp.FailureThreshold != startupDefaults.failureThreshold {
		t.Errorf("startup = %+v", sp)
	}
}

func TestResourceDefaults(t *testing.T) {
	cases := []struct {
		in                             schema.Resources
		cpuReq, cpuLim, memReq, memLim string
	}{
		{schema.Resources{MemoryLimit: "1Gi"}, "100m", "", "1Gi", "1Gi"},
		{schema.Resources{MemoryRequest: "256Mi"}, "100m", "", "256Mi", "256Mi"},
		{schema.Resources{CPULimit: "2"}, "2", "2", "128Mi", "128Mi"},
		{schema.Resources{CPURequest: "250m", CPULimit: "1000m", MemoryRequest: "512Mi", MemoryLimit: "1Gi"}, "250m", "1", "512Mi", "1Gi"},
	}
	for _, tc := range cases {
		svc := minimalService()
		svc.Resources = tc.in
		o, _ := emitOne(t, baseModel(svc))
		r := o.container(t).Resources
		cpuLim := ""
		if q, ok := r.Limits[corev1.ResourceCPU]; ok {
			cpuLim = q.String()
		}
		got := []string{r.Requests.Cpu().String(), cpuLim, r.Requests.Memory().String(), r.Limits.Memory().String()}
		if diff := cmp.Diff([]string{tc.cpuReq, tc.cpuLim, tc.memReq, tc.memLim}, got); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestNginxIngress(t *testing.T) {
	o, _ := emitOne(t, nbaModel())
	in := o.ingress
	if *in.Spec.IngressClassName != "nginx" || *in.Spec.Rules[0].HTTP.Paths[0].PathType != "Prefix" {
		t.Fatalf("class/pathType: %+v", in.Spec)
	}
	if in.Spec.TLS[0].SecretName != "nba-mcp-server-tls" || in.Spec.TLS[0].Hosts[0] != "nba-mcp.example.com" {
		t.Errorf("tls = %+v", in.Spec.TLS)
	}
	wantAnn := map[string]string{annIssuer: "letsencrypt", annNginxRPS: "50"}
	if diff := cmp.Diff(wantAnn, in.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}

	// An explicit secret, no issuer, no rate limit, no TLS.
	m := nbaModel()
	m.Services[0].Ingress = &schema.Ingress{Host: "*.example.com", Path: "/api", Class: "nginx", TLS: true, TLSSecret: "wildcard-cert"}
	o, _ = emitOne(t, m)
	if o.ingress.Spec.TLS[0].SecretName != "wildcard-cert" || o.ingress.Annotations != nil || o.ingress.Spec.Rules[0].HTTP.Paths[0].Path != "/api" {
		t.Errorf("ingress = %+v", o.ingress)
	}
	m.Services[0].Ingress = &schema.Ingress{Host: "plain.example.com"}
	o, _ = emitOne(t, m)
	if o.ingress.Spec.TLS != nil || *o.ingress.Spec.IngressClassName != "nginx" || o.ingress.Spec.Rules[0].HTTP.Paths[0].Path != "/" {
		t.Errorf("defaults: %+v", o.ingress.Spec)
	}
}

func albService() schema.Service {
	return schema.Service{
		Name: "api", Image: "registry.example.com/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		Port: 9000, Expose: "NodePort", Replicas: 2,
		Probes: []schema.Probe{{Kind: "readiness", Type: "http", Path: "/healthz"}},
		Ingress: &schema.Ingress{
			Host: "api.example.com", Path: "/", Class: "alb", TLS: true,
			ALB: &schema.ALB{Scheme: "internal", TargetType: "instance", CertificateARN: "arn:aws:acm:eu-west-1:123456789012:certificate/abc", SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06"},
		},
	}
}

func TestALBIngress(t *testing.T) {
	o, _ := emitOne(t, baseModel(albService()))
	in := o.ingress
	if *in.Spec.IngressClassName != "alb" {
		t.Fatalf("class = %s", *in.Spec.IngressClassName)
	}
	want := map[string]string{
		albPrefix + "scheme":           "internal",
		albPrefix + "target-type":      "instance",
		albPrefix + "listen-ports":     `[{"HTTP":80},{"HTTPS":443}]`,
		albPrefix + "ssl-redirect":     "443",
		albPrefix + "certificate-arn":  "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
		albPrefix + "ssl-policy":       "ELBSecurityPolicy-TLS13-1-2-2021-06",
		albPrefix + "healthcheck-path": "/healthz",
	}
	if diff := cmp.Diff(want, in.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	var ports []map[string]int
	if err := json.Unmarshal([]byte(in.Annotations[albPrefix+"listen-ports"]), &ports); err != nil {
		t.Errorf("listen-ports is not JSON: %v", err)
	}
	if len(in.Spec.TLS) != 1 || in.Spec.TLS[0].SecretName != "" {
		t.Errorf("an ALB takes its certificate from ACM: tls = %+v", in.Spec.TLS)
	}
	if v := o.deployment.Labels[LabelVersion]; v != "sha256-0123456789ab" {
		t.Errorf("version label from a digest = %q", v)
	}

	// Defaults without an alb block, and without TLS.
	svc := albService()
	svc.Ingress = &schema.Ingress{Host: "api.example.com", Class: "alb"}
	o, _ = emitOne(t, baseModel(svc))
	want = map[string]string{
		albPrefix + "scheme":           defaultALBScheme,
		albPrefix + "target-type":      defaultALBTargetType,
		albPrefix + "listen-ports":     `[{"HTTP":80}]`,
		albPrefix + "healthcheck-path": "/healthz",
	}
	if diff := cmp.Diff(want, o.ingress.Annotations); diff != "" {
		t.Errorf("default annotations (-want +got):\n%s", diff)
	}
}

func TestWarnings(t *testing.T) {
	rng := func(line int) hcl.Range {
		return hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: line, Column: 3}, End: hcl.Pos{Line: line, Column: 20}}
	}
	cases := []struct {
		name    string
		ingress schema.Ingress
		summary string
		line    int
	}{
		{"alb rate limit", schema.Ingress{Host: "a.example.com", Class: "alb", RateLimit: 10}, "ALB cannot rate-limit per client IP", 11},
		{"alb issuer", schema.Ingress{Host: "a.example.com", Class: "alb", TLS: true, Issuer: "le"}, "cert-manager issuer ignored on ALB", 12},
		{"issuer without tls", schema.Ingress{Host: "a.example.com", Class: "nginx", Issuer: "le"}, "Issuer without TLS", 12},
		{"alb block on nginx", schema.Ingress{Host: "a.example.com", Class: "nginx", ALB: &schema.ALB{Scheme: "internal"}}, "ALB settings ignored", 13},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.ingress
			in.Src.Set("rate_limit", rng(11))
			in.Src.Set("issuer", rng(12))
			in.Src.Block = rng(10)
			if in.ALB != nil {
				in.ALB.Src.Block = rng(13)
			}
			svc := minimalService()
			svc.Ingress = &in
			arts, diags := Emit(baseModel(svc))
			if len(arts) != 1 || diags.HasErrors() || len(diags) != 1 {
				t.Fatalf("want one artifact and one warning, got %d and %v", len(arts), diags)
			}
			d := diags[0]
			if d.Severity != hcl.DiagWarning || d.Summary != tc.summary || d.Subject == nil || d.Subject.Start.Line != tc.line || d.Detail == "" {
				t.Fatalf("diagnostic = %+v", d)
			}
		})
	}
	// nginx with a rate limit is not a warning.
	svc := minimalService()
	svc.Ingress = &schema.Ingress{Host: "a.example.com", Class: "nginx", RateLimit: 5}
	if _, diags := Emit(baseModel(svc)); len(diags) != 0 {
		t.Fatalf("unexpected diagnostics %v", diags)
	}
}

func TestErrorsLeaveTheServiceOut(t *testing.T) {
	bad := minimalService()
	bad.Name = "bad"
	bad.Resources = schema.Resources{MemoryRequest: "lots"}
	bad.Resources.Src.Set("memory", hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 7, Column: 14}})
	weird := minimalService()
	weird.Name = "weird"
	weird.Probes = []schema.Probe{{Kind: "readiness", Type: "grpc"}}
	arts, diags := Emit(baseModel(bad, weird, minimalService()))
	if len(arts) != 1 || arts[0].Path != "kubernetes/web.yaml" {
		t.Fatalf("only the good service may be written, got %v", arts)
	}
	if len(diags) != 2 || !diags.HasErrors() {
		t.Fatalf("want two errors, got %v", diags)
	}
	if diags[0].Summary != "Invalid Kubernetes quantity" || diags[0].Subject.Start.Line != 7 || !strings.Contains(diags[0].Detail, `"lots"`) {
		t.Errorf("quantity diagnostic = %+v", diags[0])
	}
	if diags[1].Summary != "Unknown probe type" {
		t.Errorf("probe diagnostic = %+v", diags[1])
	}
}

func TestNetworkPolicy(t *testing.T) {
	svc := minimalService()
	svc.NetworkPolicy = true
	o, _ := emitOne(t, baseModel(svc))
	np := o.netpol
	if np == nil || len(np.Spec.Ingress) != 1 || len(np.Spec.Ingress[0].Ports) != 1 || np.Spec.Ingress[0].Ports[0].Port.StrVal != portName || np.Spec.Ingress[0].From != nil {
		t.Fatalf("network policy = %+v", np)
	}
	if len(np.Spec.PolicyTypes) != 1 || np.Spec.PolicyTypes[0] != "Ingress" {
		t.Errorf("policy types = %v", np.Spec.PolicyTypes)
	}
}

func TestLabelOverrides(t *testing.T) {
	svc := minimalService()
	svc.Labels = map[string]string{LabelComponent: "api", LabelName: "spoofed", "tier": "backend"}
	svc.Annotations = map[string]string{"prometheus.io/scrape": "true"}
	o, _ := emitOne(t, baseModel(svc))
	l := o.deployment.Labels
	if l[LabelComponent] != "api" || l[LabelName] != "web" || l["tier"] != "backend" || l["team"] != "data" {
		t.Errorf("labels = %v", l)
	}
	if o.deployment.Spec.Template.Annotations["prometheus.io/scrape"] != "true" {
		t.Errorf("pod annotations = %v", o.deployment.Spec.Template.Annotations)
	}
}

func TestImageVersion(t *testing.T) {
	for in, want := range map[string]string{
		"nginx":                             "latest",
		"nginx:1.27":                        "1.27",
		"registry.example.com:5000/app":     "latest",
		"registry.example.com:5000/app:v2":  "v2",
		"app:_weird_":                       "weird",
		"app@sha256:abcdef0123456789abcdef": "sha256-abcdef012345",
		"app:" + strings.Repeat("x", 100):   strings.Repeat("x", 63),
		"app:v1@sha256:abc":                 "v1",
	} {
		if got := imageVersion(in); got != want {
			t.Errorf("imageVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// A nested block without a range (a model from JSON or Go) still gets a
// diagnostic that points at its service.
func TestDiagnosticFallsBackToService(t *testing.T) {
	svc := minimalService()
	svc.Src.Block = hcl.Range{Filename: "main.hcl", Start: hcl.Pos{Line: 4, Column: 1}}
	svc.Ingress = &schema.Ingress{Host: "a.example.com", Class: "alb", RateLimit: 10}
	_, diags := Emit(baseModel(svc))
	if len(diags) != 1 || diags[0].Subject == nil || diags[0].Subject.Start.Line != 4 {
		t.Fatalf("diagnostics = %v", diags)
	}
}

// A model that skipped validation cannot turn a service name into a path
// or inject lines into the file.
func TestHostileServiceName(t *testing.T) {
	for _, name := range []string{"../etc", "a\nkind: Secret", "API", ""} {
		svc := minimalService()
		svc.Name = name
		arts, diags := Emit(baseModel(svc))
		if len(arts) != 0 || !diags.HasErrors() || diags[0].Summary != "Invalid service name" {
			t.Errorf("%q: artifacts %v, diagnostics %v", name, arts, diags)
		}
	}
}
