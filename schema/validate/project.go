package validate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/nbac/nbac/schema"
)

// project checks the project block: its name becomes the
// app.kubernetes.io/part-of label value, its namespace a Kubernetes
// namespace, its labels go on every object, and allow_env names environment
// variables.
func project(m *schema.Model) hcl.Diagnostics {
	var diags hcl.Diagnostics
	p := &m.Project
	if errs := validation.IsValidLabelValue(p.Name); len(errs) > 0 || p.Name == "" {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError, Summary: "Invalid project name",
			Detail:  fmt.Sprintf("The project name %q becomes the app.kubernetes.io/part-of label, so it must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. %s", p.Name, strings.Join(errs, "; ")),
			Subject: projectBlockRange(p.Src),
		})
	}
	if errs := validation.IsDNS1123Label(p.Namespace); len(errs) > 0 {
		diags = append(diags, errorAt(p.Src, "namespace", "Invalid namespace",
			fmt.Sprintf("%q is not a Kubernetes namespace name: %s. Use lower-case letters, digits and '-', e.g. \"nba-mcp\".", p.Namespace, strings.Join(errs, "; "))))
	}
	keys := make([]string, 0, len(p.Labels))
	for k := range p.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			diags = append(diags, errorAt(p.Src, "labels", "Invalid label key",
				fmt.Sprintf("Label key %q: %s.", k, strings.Join(errs, "; "))))
		} else if strings.HasPrefix(k, "app.kubernetes.io/") {
			diags = append(diags, errorAt(p.Src, "labels", "Reserved label key",
				fmt.Sprintf("nbac sets the app.kubernetes.io/* labels itself (selectors depend on them); choose another key than %q.", k)))
		}
		if errs := validation.IsValidLabelValue(p.Labels[k]); len(errs) > 0 {
			diags = append(diags, errorAt(p.Src, "labels", "Invalid label value",
				fmt.Sprintf("The value %q of label %q: %s.", p.Labels[k], k, strings.Join(errs, "; "))))
		}
	}
	for _, n := range p.AllowEnv {
		diags = append(diags, checkEnvName(p.Src, "allow_env", n)...)
	}
	return diags
}

// envName checks that name can be an environment variable name.
func checkEnvName(src schema.Source, attr, name string) hcl.Diagnostics {
	if errs := validation.IsCIdentifier(name); len(errs) > 0 || name == "" {
		return hcl.Diagnostics{errorAt(src, attr, "Invalid environment variable name",
			fmt.Sprintf("%q cannot name an environment variable: %s. Use letters, digits and '_', e.g. \"REDIS_URL\".", name, strings.Join(errs, "; ")))}
	}
	return nil
}

// blockRange is the block's own range, or nil for a model read from JSON.
func projectBlockRange(src schema.Source) *hcl.Range {
	if src.Block.Filename == "" {
		return nil
	}
	r := src.Block
	return &r
}
