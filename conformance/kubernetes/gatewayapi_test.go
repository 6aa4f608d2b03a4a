package kubernetes

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// The Gateway API objects nbac writes are custom resources: the API server
// checks them against their CRD, in the order its custom-resource handler
// does on a create with strict field validation: unknown fields (pruning),
// defaulting, the OpenAPI schema, list-type uniqueness, then the CEL rules
// (x-kubernetes-validations). The CRDs come from the gateway-api module
// zip (standard channel) at the version the main module pins.

// gatewayAPIModule is the module and version the main module requires.
const gatewayAPIModule = "sigs.k8s.io/gateway-api@v1.6.3"

var gatewayCRDFiles = []string{"gateways", "httproutes", "grpcroutes", "referencegrants"}

// crdKind is one served version of a CRD, ready to validate objects.
type crdKind struct {
	structural *structuralschema.Structural
	schema     apiservervalidation.SchemaCreateValidator
	cel        *cel.Validator
}

var loadCRDs = sync.OnceValues(func() (map[string]*crdKind, error) {
	cmd := exec.Command("go", "mod", "download", "-json", gatewayAPIModule)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go mod download %s: %v", gatewayAPIModule, err)
	}
	var info struct{ Dir string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		return nil, fmt.Errorf("go mod download %s: no directory (%v)", gatewayAPIModule, err)
	}
	kinds := map[string]*crdKind{}
	for _, f := range gatewayCRDFiles {
		raw, err := os.ReadFile(filepath.Join(info.Dir, "config", "crd", "standard", "gateway.networking.k8s.io_"+f+".yaml"))
		if err != nil {
			return nil, err
		}
		if err := addCRD(kinds, raw); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return kinds, nil
})

// addCRD registers every served version of a CRD under "group/version Kind".
func addCRD(kinds map[string]*crdKind, raw []byte) error {
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return err
	}
	var v1 apiextensionsv1.CustomResourceDefinition
	if err := json.Unmarshal(js, &v1); err != nil {
		return err
	}
	for _, ver := range v1.Spec.Versions {
		if !ver.Served || ver.Schema == nil || ver.Schema.OpenAPIV3Schema == nil {
			continue
		}
		var internal apiextensions.JSONSchemaProps
		if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(ver.Schema.OpenAPIV3Schema, &internal, nil); err != nil {
			return err
		}
		s, err := structuralschema.NewStructural(&internal)
		if err != nil {
			return err
		}
		sv, _, err := apiservervalidation.NewSchemaValidator(&internal)
		if err != nil {
			return err
		}
		kinds[v1.Spec.Group+"/"+ver.Name+" "+v1.Spec.Names.Kind] = &crdKind{
			structural: s,
			schema:     sv,
			cel:        cel.NewValidator(s, true, celconfig.PerCallLimit),
		}
	}
	return nil
}

// crdErrors validates one document as the API server validates a custom
// resource on create. ok is false when the document is not of a CRD kind
// this test knows (then the built-in validation applies).
func crdErrors(js []byte) (errs []string, ok bool) {
	var head struct{ APIVersion, Kind string }
	if json.Unmarshal(js, &head) != nil || !strings.HasPrefix(head.APIVersion, "gateway.networking.k8s.io/") {
		return nil, false
	}
	kinds, err := loadCRDs()
	if err != nil {
		return []string{"loading the Gateway API CRDs: " + err.Error()}, true
	}
	k := kinds[head.APIVersion+" "+head.Kind]
	if k == nil {
		return []string{fmt.Sprintf("%s %s is not served by the standard-channel CRDs", head.APIVersion, head.Kind)}, true
	}
	// Numbers as the API server decodes them: int64 when whole.
	var obj map[string]any
	if err := utiljson.Unmarshal(js, &obj); err != nil {
		return []string{err.Error()}, true
	}
	var list field.ErrorList
	opts := structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}
	for _, p := range structuralpruning.PruneWithOptions(obj, k.structural, true, opts) {
		list = append(list, field.Invalid(field.NewPath(p), nil, "unknown field (strict field validation)"))
	}
	structuraldefaulting.Default(obj, k.structural)
	list = append(list, apiservervalidation.ValidateCustomResource(nil, obj, k.schema)...)
	list = append(list, listtype.ValidateListSetsAndMaps(nil, k.structural, obj)...)
	celErrs, _ := k.cel.Validate(context.Background(), nil, k.structural, obj, nil, celconfig.RuntimeCELCostBudget)
	list = append(list, celErrs...)
	for _, e := range list {
		errs = append(errs, e.Error())
	}
	return errs, true
}
