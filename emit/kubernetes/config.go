package kubernetes

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"

	corev1 "k8s.io/api/core/v1"

	"github.com/nbac/nbac/schema"
)

// contentHash names a ConfigMap after its data, so that changing the data
// changes the name, which changes the pod template, which rolls the pods.
// encoding/json writes map keys sorted, so the hash is of canonical content.
func contentHash(data map[string]string) string {
	raw, err := json.Marshal(data)
	if err != nil {
		panic(err) // a map[string]string always marshals
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])[:10]
}

func configMap(b *builder, base string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   typeMeta("v1", "ConfigMap"),
		ObjectMeta: b.meta(base + "-" + contentHash(data)),
		Immutable:  ptr(true),
		Data:       data,
	}
}

// envConfigMap holds service.env, consumed whole through envFrom; nil when
// the service sets no plain environment.
func (b *builder) envConfigMap() *corev1.ConfigMap {
	if len(b.svc.Env) == 0 {
		return nil
	}
	return configMap(b, b.svc.Name+"-env", maps.Clone(b.svc.Env))
}

// modelConfigMap holds the part of the model the service's runtime needs
// (its caches, queues and what they name), as model.json; nil when the
// service uses nothing.
func (b *builder) modelConfigMap() *corev1.ConfigMap {
	if len(b.svc.Uses) == 0 {
		return nil
	}
	raw, err := schema.Encode(b.m.SliceFor(b.svc))
	if err != nil {
		b.errorf(b.svc.Src.Range("uses"), "Cannot encode the model slice",
			"Encoding the caches and queues that "+schema.Describe("service", b.svc.Name)+" uses failed: "+err.Error()+". This is a bug in nbac; please report it.")
		return nil
	}
	return configMap(b, b.svc.Name+"-model", map[string]string{modelKey: string(raw)})
}
