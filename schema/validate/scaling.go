package validate

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// replicasWithAutoscale warns at every service that writes replicas and
// also has an autoscale block: the HorizontalPodAutoscaler owns the pod
// count then, the Deployment is written without replicas, so the value has
// no effect and only misleads whoever reads the configuration. A model
// read from JSON records no attributes and gets no warning.
func replicasWithAutoscale(m *schema.Model) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i := range m.Services {
		s := &m.Services[i]
		if s.Autoscale == nil {
			continue
		}
		rng, written := s.Src.Attr("replicas")
		if !written {
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "replicas is overridden by autoscale",
			Detail: fmt.Sprintf("%s has an autoscale block, so its HorizontalPodAutoscaler sets the number of pods (from min = %d to max = %d) and the Deployment is written without replicas: replicas = %d has no effect. Remove replicas, or remove the autoscale block to run a fixed number of pods.",
				schema.Describe("service", s.Name), s.Autoscale.Min, s.Autoscale.Max, s.Replicas),
			Subject: rng.Ptr(),
		})
	}
	return diags
}
