package kubernetes

import (
	"bytes"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	"k8s.io/kubernetes/pkg/api/pod"
	"k8s.io/kubernetes/pkg/apis/apps"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	appsvalidation "k8s.io/kubernetes/pkg/apis/apps/validation"
	"k8s.io/kubernetes/pkg/apis/autoscaling"
	_ "k8s.io/kubernetes/pkg/apis/autoscaling/install"
	autoscalingvalidation "k8s.io/kubernetes/pkg/apis/autoscaling/validation"
	"k8s.io/kubernetes/pkg/apis/core"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	corevalidation "k8s.io/kubernetes/pkg/apis/core/validation"
	"k8s.io/kubernetes/pkg/apis/networking"
	_ "k8s.io/kubernetes/pkg/apis/networking/install"
	networkingvalidation "k8s.io/kubernetes/pkg/apis/networking/validation"
	"k8s.io/kubernetes/pkg/apis/policy"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	policyvalidation "k8s.io/kubernetes/pkg/apis/policy/validation"
	"sigs.k8s.io/yaml"
)

// decoder decodes a versioned object (apps/v1, ...) into its internal type,
// applying the scheme's defaulting on the way, as the API server does
// before it validates a create.
var decoder = legacyscheme.Codecs.UniversalDecoder()

// upstreamErrors decodes every document of a multi-document YAML file and
// runs the API server's create validation on it. It returns one line per
// rejection, naming the document's kind and name.
func upstreamErrors(manifest []byte) []string {
	var out []string
	for i, doc := range splitDocs(manifest) {
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			out = append(out, fmt.Sprintf("document %d: not YAML: %v", i+1, err))
			continue
		}
		if errs, ok := crdErrors(js); ok { // gatewayapi_test.go
			for _, e := range errs {
				out = append(out, fmt.Sprintf("document %d (CRD): %s", i+1, e))
			}
			continue
		}
		obj, gvk, err := decoder.Decode(js, nil, nil)
		if err != nil {
			out = append(out, fmt.Sprintf("document %d: the v1.33 scheme cannot decode it: %v", i+1, err))
			continue
		}
		errs, known := validateCreate(obj)
		if !known {
			out = append(out, fmt.Sprintf("document %d: %s has no upstream validation wired in the conformance test; add it to validateCreate", i+1, gvk))
			continue
		}
		for _, e := range errs {
			out = append(out, fmt.Sprintf("document %d (%s): %s", i+1, gvk.Kind, e.Error()))
		}
	}
	return out
}

// validateCreate runs what each kind's registry strategy Validate runs on
// create in k8s.io/kubernetes v1.33 (pkg/registry/*/strategy.go), with the
// same options for a new object (no old object, default feature gates).
func validateCreate(obj runtime.Object) (field.ErrorList, bool) {
	switch o := obj.(type) {
	case *core.ServiceAccount:
		return corevalidation.ValidateServiceAccount(o), true
	case *core.ConfigMap:
		return corevalidation.ValidateConfigMap(o), true
	case *core.Service:
		return corevalidation.ValidateServiceCreate(o), true
	case *apps.Deployment:
		return appsvalidation.ValidateDeployment(o, pod.GetValidationOptionsFromPodTemplate(&o.Spec.Template, nil)), true
	case *autoscaling.HorizontalPodAutoscaler:
		// MinReplicasLowerBound is 1 unless the alpha HPAScaleToZero gate is on.
		return autoscalingvalidation.ValidateHorizontalPodAutoscaler(o, autoscalingvalidation.HorizontalPodAutoscalerSpecValidationOptions{MinReplicasLowerBound: 1}), true
	case *policy.PodDisruptionBudget:
		return policyvalidation.ValidatePodDisruptionBudget(o, policyvalidation.PodDisruptionBudgetValidationOptions{}), true
	case *networking.Ingress:
		return networkingvalidation.ValidateIngressCreate(o), true
	case *networking.NetworkPolicy:
		return networkingvalidation.ValidateNetworkPolicy(o, networkingvalidation.ValidationOptionsForNetworking(o, nil)), true
	}
	return nil, false
}

// splitDocs splits a YAML stream on its "---" lines, dropping the header
// comment and empty documents.
func splitDocs(b []byte) [][]byte {
	var docs [][]byte
	for _, d := range bytes.Split(b, []byte("\n---\n")) {
		if strings.TrimSpace(stripComments(string(d))) == "" || strings.TrimSpace(string(d)) == "---" {
			continue
		}
		docs = append(docs, bytes.TrimPrefix(d, []byte("---\n")))
	}
	return docs
}

func stripComments(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") && strings.TrimSpace(l) != "---" {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
