package kubecheck

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// routeRefs checks a Gateway API route's backends (and mirror targets) the
// way Ingress backends are checked: a backend named after a Service of
// this file must use one of its ports. Backends in other files (another
// service of the estate) are not known here.
func (c *checker) routeRefs(o *object, spec json.RawMessage, byKey map[string]*object) {
	type backend struct {
		Kind *string `json:"kind"`
		Name string  `json:"name"`
		Port *int32  `json:"port"`
	}
	var s struct {
		Rules []struct {
			BackendRefs []backend `json:"backendRefs"`
			Filters     []struct {
				RequestMirror *struct {
					BackendRef backend `json:"backendRef"`
				} `json:"requestMirror"`
			} `json:"filters"`
		} `json:"rules"`
	}
	if json.Unmarshal(spec, &s) != nil {
		return // the schema has said what is wrong
	}
	check := func(f string, b backend) {
		if b.Kind != nil && *b.Kind != "Service" {
			return
		}
		so := byKey["Service/"+b.Name]
		if so == nil || so.typed == nil {
			return
		}
		if b.Port == nil {
			c.add(o, f+".port", "a Service backend needs a port")
			return
		}
		for _, p := range so.typed.(*corev1.Service).Spec.Ports {
			if p.Port == *b.Port {
				return
			}
		}
		c.add(o, f+".port", "Service %s has no port %d", b.Name, *b.Port)
	}
	for i, r := range s.Rules {
		for j, b := range r.BackendRefs {
			check(fmt.Sprintf("spec.rules[%d].backendRefs[%d]", i, j), b)
		}
		for j, f := range r.Filters {
			if f.RequestMirror != nil {
				check(fmt.Sprintf("spec.rules[%d].filters[%d].requestMirror.backendRef", i, j), f.RequestMirror.BackendRef)
			}
		}
	}
}
