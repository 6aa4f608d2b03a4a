package kubernetes

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/nbac/nbac/importer"
)

const podSpec = "spec.template.spec"

// container maps the pod's first container (and the pod settings nbac
// has) onto s; the Service s matched decides which port is the one.
func (m *mapper) container(s *Service) {
	o := s.deploy
	d := o.Typed.(*appsv1.Deployment)
	pod := &d.Spec.Template.Spec
	c := &pod.Containers[0]
	cp := podSpec + ".containers[0]"
	for i := 1; i < len(pod.Containers); i++ {
		o.report(m.res, fmt.Sprintf("%s.containers[%d]", podSpec, i), importer.NoEquivalent,
			"nbac runs one container per service; a sidecar has no equivalent.")
	}
	s.Image = strings.TrimSpace(c.Image)
	s.Command, s.Args = c.Command, c.Args
	o.use(cp+".name", cp+".command", cp+".args")
	if s.Image != c.Image {
		o.report(m.res, cp+".image", importer.OutOfRange, "The image has leading or trailing white space, which Kubernetes refuses for every Pod; nbac imports it trimmed.")
	} else {
		o.use(cp + ".image")
	}

	m.port(s, c, cp)
	m.env(s, c, cp)
	m.resources(s, c, cp)
	for _, kp := range []struct {
		kind string
		p    *corev1.Probe
	}{{"liveness", c.LivenessProbe}, {"readiness", c.ReadinessProbe}, {"startup", c.StartupProbe}} {
		if kp.p != nil {
			m.probe(s, kp.kind, kp.p, cp+"."+kp.kind+"Probe")
		}
	}
	m.securityContext(o, podSpec+".securityContext", podRestricted)
	m.securityContext(o, cp+".securityContext", containerRestricted)
	if pod.AutomountServiceAccountToken != nil {
		if *pod.AutomountServiceAccountToken {
			o.report(m.res, podSpec+".automountServiceAccountToken", importer.EmittedByNbac, "nbac mounts no API token (automountServiceAccountToken: false).")
		} else {
			o.use(podSpec + ".automountServiceAccountToken")
		}
	}
	// The one volume nbac has: an emptyDir at /tmp (its root file system
	// is read-only).
	for i, v := range pod.Volumes {
		if v.EmptyDir == nil || v.EmptyDir.Medium != "" || v.EmptyDir.SizeLimit != nil {
			continue
		}
		for j, vm := range c.VolumeMounts {
			if vm.Name == v.Name && vm.MountPath == "/tmp" && vm.SubPath == "" && !vm.ReadOnly {
				o.use(fmt.Sprintf("%s.volumes[%d]", podSpec, i), fmt.Sprintf("%s.volumeMounts[%d]", cp, j))
			}
		}
	}
}

// port picks the container port: the one the matched Service targets, or
// the first declared. The Service's own port becomes that same number.
func (m *mapper) port(s *Service, c *corev1.Container, cp string) {
	chosen := -1
	var target intstr.IntOrString
	if s.svc != nil {
		svc := s.svc.Typed.(*corev1.Service)
		so := s.svc
		so.use("spec.selector")
		if len(svc.Spec.Ports) > 0 {
			sp := svc.Spec.Ports[0]
			target = sp.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 && target.StrVal == "" {
				target = intstr.FromInt32(sp.Port)
			}
			so.use("spec.ports[0].name", "spec.ports[0].targetPort", "spec.ports[0].port")
			if sp.Protocol == "" || sp.Protocol == corev1.ProtocolTCP {
				so.use("spec.ports[0].protocol")
			} else {
				so.report(m.res, "spec.ports[0].protocol", importer.OutOfRange, "nbac's Services carry TCP only.")
			}
			for i := 1; i < len(svc.Spec.Ports); i++ {
				so.report(m.res, fmt.Sprintf("spec.ports[%d]", i), importer.NoEquivalent, "nbac's service has one port.")
			}
		}
		switch svc.Spec.Type {
		case "", corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
			s.Expose = string(svc.Spec.Type)
			so.use("spec.type")
		}
		if svc.Spec.ClusterIP == corev1.ClusterIPNone {
			so.report(m.res, "spec.clusterIP", importer.NoEquivalent, "nbac's Services are not headless.")
		}
		if svc.Spec.SessionAffinity == "" || svc.Spec.SessionAffinity == corev1.ServiceAffinityNone {
			so.use("spec.sessionAffinity")
		}
		for i, p := range c.Ports {
			if target.Type == intstr.String && p.Name == target.StrVal || target.Type == intstr.Int && p.ContainerPort == target.IntVal {
				chosen = i
				break
			}
		}
		if chosen < 0 && target.Type == intstr.Int {
			s.Port = int(target.IntVal)
		}
	}
	if chosen < 0 && s.Port == 0 && len(c.Ports) > 0 {
		chosen = 0
	}
	if chosen >= 0 {
		p := c.Ports[chosen]
		s.Port, s.portNumber, s.portName = int(p.ContainerPort), p.ContainerPort, p.Name
		pp := fmt.Sprintf("%s.ports[%d]", cp, chosen)
		o := s.deploy
		o.use(pp+".containerPort", pp+".name")
		if p.Protocol == "" || p.Protocol == corev1.ProtocolTCP {
			o.use(pp + ".protocol")
		} else {
			o.report(m.res, pp+".protocol", importer.OutOfRange, "nbac's container port is TCP.")
		}
	} else {
		s.portNumber = int32(s.Port)
	}
	for i := range c.Ports {
		if i != chosen {
			s.deploy.report(m.res, fmt.Sprintf("%s.ports[%d]", cp, i), importer.NoEquivalent, "nbac's service has one port.")
		}
	}
	if s.svc != nil {
		svc := s.svc.Typed.(*corev1.Service)
		if len(svc.Spec.Ports) > 0 && s.Port != 0 && int(svc.Spec.Ports[0].Port) != s.Port {
			s.svc.report(m.res, "spec.ports[0].port", importer.OutOfRange,
				fmt.Sprintf("nbac's Service listens on the container port (%d); clients of port %d must change.", s.Port, svc.Spec.Ports[0].Port))
		}
	}
}

// portMatches says whether a probe or policy port is the service's port.
func (s *Service) portMatches(p intstr.IntOrString) bool {
	if p.Type == intstr.String {
		return p.StrVal != "" && p.StrVal == s.portName
	}
	return p.IntVal == s.portNumber || s.portNumber == 0 && p.IntVal == 8080
}

// env maps the container's environment: plain values and ConfigMap data
// into env, secretKeyRef into secret_env.
func (m *mapper) env(s *Service, c *corev1.Container, cp string) {
	o := s.deploy
	env := map[string]string{}
	set := func(path, name, value string) {
		if len(validation.IsCIdentifier(name)) > 0 {
			o.report(m.res, path, importer.OutOfRange, fmt.Sprintf("nbac's env names are C identifiers; %q is not.", name))
			return
		}
		if strings.Contains(value, "$(") {
			o.report(m.res, path, importer.OutOfRange, "The value refers to another variable with $(NAME), which Kubernetes expands in env but not in the ConfigMap nbac reads env from.")
			return
		}
		env[name] = value
		o.use(path)
	}
	for i, ef := range c.EnvFrom {
		p := fmt.Sprintf("%s.envFrom[%d]", cp, i)
		if ef.ConfigMapRef == nil {
			o.report(m.res, p, importer.NoEquivalent, "nbac reads a Secret key by key (secret_env blocks), not a whole Secret; write one secret_env per key.")
			continue
		}
		cm := m.configMap(ef.ConfigMapRef.Name)
		if cm == nil {
			o.report(m.res, p, importer.NoEquivalent, "The ConfigMap "+ef.ConfigMapRef.Name+" is not in the imported files, so its values are unknown.")
			continue
		}
		data := cm.Typed.(*corev1.ConfigMap).Data
		for _, k := range sortedKeys(data) {
			name := ef.Prefix + k
			if len(validation.IsCIdentifier(name)) > 0 || strings.Contains(data[k], "$(") {
				cm.reportSegs(m.res, []string{"data", k}, importer.OutOfRange, fmt.Sprintf("%q cannot be an nbac env entry (a C identifier without $(NAME) references).", name))
				continue
			}
			env[name] = data[k]
			cm.useSegs("data", k)
		}
		o.use(p)
		m.useConfigMap(cm, s)
	}
	for i, ev := range c.Env {
		p := fmt.Sprintf("%s.env[%d]", cp, i)
		switch {
		case ev.ValueFrom == nil:
			set(p, ev.Name, ev.Value)
		case ev.ValueFrom.SecretKeyRef != nil && (ev.ValueFrom.SecretKeyRef.Optional == nil || !*ev.ValueFrom.SecretKeyRef.Optional):
			r := ev.ValueFrom.SecretKeyRef
			if len(validation.IsCIdentifier(ev.Name)) > 0 {
				o.report(m.res, p, importer.OutOfRange, fmt.Sprintf("nbac's env names are C identifiers; %q is not.", ev.Name))
				continue
			}
			s.SecretEnv = append(s.SecretEnv, SecretEnv{Name: ev.Name, Secret: r.Name, Key: r.Key})
			o.use(p)
		case ev.ValueFrom.ConfigMapKeyRef != nil:
			r := ev.ValueFrom.ConfigMapKeyRef
			cm := m.configMap(r.Name)
			v, ok := "", false
			if cm != nil {
				v, ok = cm.Typed.(*corev1.ConfigMap).Data[r.Key]
			}
			if !ok {
				o.report(m.res, p, importer.NoEquivalent, "The ConfigMap key "+r.Name+"/"+r.Key+" is not in the imported files, so its value is unknown.")
				continue
			}
			set(p, ev.Name, v)
			cm.useSegs("data", r.Key)
			m.useConfigMap(cm, s)
		default:
			o.report(m.res, p, importer.NoEquivalent, "nbac's env holds values, ConfigMap data and Secret keys; a field reference or an optional Secret key has no equivalent.")
		}
	}
	if len(env) > 0 {
		s.Env = env
	}
}

func (m *mapper) configMap(name string) *Object {
	o := m.byKey[Key{"ConfigMap", name}]
	if o == nil || o.Typed == nil || o.wholeReported() {
		return nil
	}
	return o
}

// useConfigMap records that cm became (part of) s's env ConfigMap, which
// nbac names <service>-env-<hash of its data>.
func (m *mapper) useConfigMap(cm *Object, s *Service) {
	if cm.Target == (Key{}) {
		cm.Target = Key{"ConfigMap", s.Name + "-env-"}
		cm.use("immutable")
	}
}

// resources maps CPU and memory requests and limits.
func (m *mapper) resources(s *Service, c *corev1.Container, cp string) {
	o := s.deploy
	for _, side := range []struct {
		name string
		list corev1.ResourceList
	}{{"requests", c.Resources.Requests}, {"limits", c.Resources.Limits}} {
		for _, res := range sortedKeys(toStrings(side.list)) {
			q := side.list[corev1.ResourceName(res)]
			p := []string{"spec", "template", "spec", "containers", "[0]", "resources", side.name, res}
			var dst *Quantities
			switch res {
			case "cpu":
				dst = &s.CPU
			case "memory":
				dst = &s.Memory
			default:
				o.reportSegs(m.res, p, importer.NoEquivalent, "nbac's resources block has cpu and memory only.")
				continue
			}
			if q.Sign() <= 0 {
				o.reportSegs(m.res, p, importer.OutOfRange, "nbac's requests and limits are above zero.")
				continue
			}
			if side.name == "requests" {
				dst.Request = q.String()
			} else {
				dst.Limit = q.String()
			}
			o.useSegs(p...)
		}
	}
	_ = cp
}

func toStrings(l corev1.ResourceList) map[string]bool {
	out := map[string]bool{}
	for k := range l {
		out[string(k)] = true
	}
	return out
}

// probe maps a probe; a handler nbac cannot write leaves the probe out.
func (m *mapper) probe(s *Service, kind string, p *corev1.Probe, path string) {
	o := s.deploy
	out := &Probe{Period: p.PeriodSeconds, Timeout: p.TimeoutSeconds, InitialDelay: p.InitialDelaySeconds, FailureThreshold: p.FailureThreshold}
	// The API server's defaults, written out: nbac's own differ.
	if out.Period == 0 {
		out.Period = 10
	}
	if out.Timeout == 0 {
		out.Timeout = 1
	}
	if out.FailureThreshold == 0 {
		out.FailureThreshold = 3
	}
	switch {
	case p.HTTPGet != nil:
		h := p.HTTPGet
		if !s.portMatches(h.Port) || h.Scheme == corev1.URISchemeHTTPS || h.Host != "" || len(h.HTTPHeaders) > 0 {
			o.report(m.res, path, importer.NoEquivalent, "nbac's http probes are plain GETs of the service port without extra headers.")
			return
		}
		out.Type, out.Path = "http", h.Path
		if out.Path == "" {
			out.Path = "/"
		}
		o.use(path+".httpGet.path", path+".httpGet.port", path+".httpGet.scheme")
	case p.TCPSocket != nil:
		if !s.portMatches(p.TCPSocket.Port) || p.TCPSocket.Host != "" {
			o.report(m.res, path, importer.NoEquivalent, "nbac's tcp probes check the service port.")
			return
		}
		out.Type = "tcp"
		o.use(path + ".tcpSocket.port")
	case p.Exec != nil && len(p.Exec.Command) > 0:
		out.Type, out.Command = "exec", p.Exec.Command
		o.use(path + ".exec.command")
	default:
		o.report(m.res, path, importer.NoEquivalent, "nbac's probes are http, tcp or exec.")
		return
	}
	if out.FailureThreshold > 100 {
		o.report(m.res, path+".failureThreshold", importer.OutOfRange, "nbac allows a failure threshold of 1..100.")
		out.FailureThreshold = 100
	} else {
		o.use(path + ".failureThreshold")
	}
	o.use(path+".periodSeconds", path+".timeoutSeconds", path+".initialDelaySeconds")
	if p.SuccessThreshold <= 1 {
		o.use(path + ".successThreshold")
	}
	s.Probes[kind] = out
}

// The security context nbac always writes (Pod Security "restricted"),
// as YAML leaf paths and values.
var (
	podRestricted = map[string]string{
		"runAsNonRoot": "true", "runAsUser": "10001", "runAsGroup": "10001", "fsGroup": "10001",
		"seccompProfile.type": "RuntimeDefault",
	}
	containerRestricted = map[string]string{
		"allowPrivilegeEscalation": "false", "privileged": "false", "readOnlyRootFilesystem": "true",
		"runAsNonRoot": "true", "capabilities.drop.[0]": "ALL",
	}
)

// securityContext imports a setting equal to nbac's and reports the rest:
// nbac writes its own restricted context on every pod.
func (m *mapper) securityContext(o *Object, path string, nbac map[string]string) {
	var walk func(n *yaml.Node, rel []string)
	walk = func(n *yaml.Node, rel []string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], append(clonePath(rel), n.Content[i].Value))
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, append(clonePath(rel), "["+itoa(i)+"]"))
			}
		default:
			full := append(splitPath(path), rel...)
			key := strings.Join(rel, ".")
			if want, ok := nbac[key]; ok && want == n.Value {
				o.useSegs(full...)
				return
			}
			o.reportSegs(m.res, full, importer.EmittedByNbac,
				"nbac writes the Pod Security \"restricted\" context itself (docs/kubernetes.md, Defaults); this setting becomes nbac's.")
		}
	}
	if n := nodeAt(o.Node, path); n != nil {
		walk(n, nil)
	}
}
