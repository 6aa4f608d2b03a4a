package compile

import (
	"errors"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/kubernetes"
	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/schema"
)

type emitArtifact = emit.Artifact

// wrap turns an emitter's diagnostics into an error when they hold one.
func wrap(f func(*schema.Model) ([]emit.Artifact, hcl.Diagnostics)) func(*schema.Model) ([]emit.Artifact, error) {
	return func(m *schema.Model) ([]emit.Artifact, error) {
		arts, d := f(m)
		if d.HasErrors() {
			return nil, errors.New(d.Error())
		}
		return arts, nil
	}
}

// nbacKubernetes compiles the configuration in dir and returns its
// Kubernetes YAML, one multi-document file per service.
func nbacKubernetes(dir string) ([]emit.Artifact, error) {
	res := lang.Load(dir, lang.Options{})
	if res.Diags.HasErrors() {
		return nil, errors.New(res.Diags.Error())
	}
	return wrap(kubernetes.Emit)(res.Model)
}
