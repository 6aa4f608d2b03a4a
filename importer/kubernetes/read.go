package kubernetes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	sigsjson "sigs.k8s.io/json"

	"github.com/nbac/nbac/importer"
)

// Object is one Kubernetes object of the estate as read: where it is, its
// YAML (for field lines), and its typed value when its kind is one the
// importer maps (nil otherwise).
type Object struct {
	File       string
	Line       int // the line of the object's first key
	APIVersion string
	Kind       string
	Name       string
	Namespace  string
	Node       *yaml.Node // the object's mapping node
	Typed      any        // *appsv1.Deployment, *corev1.Service, ...

	// Target is the nbac object this one became ("" when none).
	Target Key
	// consumed and reported are field paths the mapping used or reported;
	// leftover() reports everything under neither.
	consumed [][]string
	reported [][]string
}

// Key names an object by kind and name, the way the round trip pairs them.
type Key struct{ Kind, Name string }

func (k Key) String() string { return k.Kind + "/" + k.Name }

// Key is o's own kind and name.
func (o *Object) Key() Key { return Key{o.Kind, o.Name} }

// typedKinds are the kinds decoded into k8s.io/api (and
// sigs.k8s.io/gateway-api) types, by
// "apiVersion kind". Secrets are deliberately absent: their data is never
// decoded (see mapSecret).
var typedKinds = map[string]func() any{
	"apps/v1 Deployment":                          func() any { return &appsv1.Deployment{} },
	"v1 Service":                                  func() any { return &corev1.Service{} },
	"v1 ConfigMap":                                func() any { return &corev1.ConfigMap{} },
	"v1 ServiceAccount":                           func() any { return &corev1.ServiceAccount{} },
	"autoscaling/v2 HorizontalPodAutoscaler":      func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"policy/v1 PodDisruptionBudget":               func() any { return &policyv1.PodDisruptionBudget{} },
	"networking.k8s.io/v1 Ingress":                func() any { return &networkingv1.Ingress{} },
	"networking.k8s.io/v1 NetworkPolicy":          func() any { return &networkingv1.NetworkPolicy{} },
	"gateway.networking.k8s.io/v1 Gateway":        func() any { return &gatewayv1.Gateway{} },
	"gateway.networking.k8s.io/v1 HTTPRoute":      func() any { return &gatewayv1.HTTPRoute{} },
	"gateway.networking.k8s.io/v1 GRPCRoute":      func() any { return &gatewayv1.GRPCRoute{} },
	"gateway.networking.k8s.io/v1 ReferenceGrant": func() any { return &gatewayv1.ReferenceGrant{} },
}

// maxInputBytes bounds one input file: an estate is text written by people
// or rendered by Helm, never this large.
const maxInputBytes = 64 << 20

// ReadPaths reads every file (directories recursively: *.yaml, *.yml, in
// sorted order) into objects. Problems are errors in res.
func ReadPaths(paths []string, res *importer.Result) []*Object {
	var objs []*Object
	for _, p := range paths {
		files, err := yamlFiles(p)
		if err != nil {
			res.Fail(p, 0, "Cannot read the input", err.Error())
			continue
		}
		for _, f := range files {
			data, err := readFile(f)
			if err != nil {
				res.Fail(f, 0, "Cannot read the input", err.Error())
				continue
			}
			res.Sources[f] = snippetSource(data)
			objs = append(objs, ReadDocuments(f, data, res)...)
		}
	}
	return objs
}

func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxInputBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxInputBytes {
		return nil, fmt.Errorf("the file is larger than %d MiB", maxInputBytes>>20)
	}
	return data, nil
}

func yamlFiles(p string) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return nil
	})
	if err == nil && len(files) == 0 {
		err = errors.New("the directory holds no *.yaml or *.yml file")
	}
	sort.Strings(files)
	return files, err
}

// ReadDocuments splits data into YAML documents and decodes each object.
// Empty documents (a lone `---`, Helm's skipped templates) are skipped; a
// v1 List contributes its items. Errors are located in file.
func ReadDocuments(file string, data []byte, res *importer.Result) []*Object {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var objs []*Object
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			res.Fail(file, yamlErrorLine(err), "Invalid YAML", err.Error())
			return objs
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue
		}
		objs = append(objs, readObject(file, root, res)...)
	}
}

// yamlErrorLine digs "line N" out of a yaml.v3 error, which has no field
// for it; 0 when absent.
func yamlErrorLine(err error) int {
	msg := err.Error()
	i := strings.Index(msg, "line ")
	if i < 0 {
		return 0
	}
	j := i + len("line ")
	k := j
	for k < len(msg) && msg[k] >= '0' && msg[k] <= '9' {
		k++
	}
	n, _ := strconv.Atoi(msg[j:k])
	return n
}

func readObject(file string, n *yaml.Node, res *importer.Result) []*Object {
	if n.Kind != yaml.MappingNode {
		res.Fail(file, n.Line, "Not a Kubernetes object", "A YAML document must be a mapping with apiVersion, kind and metadata.")
		return nil
	}
	o := &Object{File: file, Line: n.Line, Node: n}
	o.APIVersion = scalar(n, "apiVersion")
	o.Kind = scalar(n, "kind")
	if o.APIVersion == "" || o.Kind == "" {
		res.Fail(file, n.Line, "Not a Kubernetes object", "The document has no apiVersion or kind.")
		return nil
	}
	if meta := child(n, "metadata"); meta != nil {
		o.Name = scalar(meta, "name")
		o.Namespace = scalar(meta, "namespace")
	}
	if strings.HasSuffix(o.Kind, "List") && child(n, "items") != nil {
		items := child(n, "items")
		if items == nil || items.Kind != yaml.SequenceNode {
			return nil
		}
		var objs []*Object
		for _, it := range items.Content {
			objs = append(objs, readObject(file, it, res)...)
		}
		return objs
	}
	if o.Name == "" {
		res.Fail(file, n.Line, "Object without a name", fmt.Sprintf("This %s has no metadata.name; `helm template` output and kubectl files always name their objects.", o.Kind))
		return nil
	}
	newTyped, ok := typedKinds[o.APIVersion+" "+o.Kind]
	if !ok {
		return []*Object{o}
	}
	var v any
	if err := n.Decode(&v); err != nil {
		res.Fail(file, yamlErrorLineOr(err, n.Line), "Invalid YAML", err.Error())
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		res.Fail(file, n.Line, "Cannot read "+o.Kind+" "+o.Name, "The object is not representable as JSON (a non-string map key?): "+err.Error())
		return nil
	}
	typed := newTyped()
	strict, err := sigsjson.UnmarshalStrict(raw, typed)
	if err != nil {
		path, line := errorField(err, n)
		res.Fail(file, line, "Invalid "+o.Kind+" "+o.Name, fieldMessage(path, err))
		return nil
	}
	for _, se := range strict {
		var fp interface{ FieldPath() string }
		path := ""
		if errors.As(se, &fp) {
			path = fp.FieldPath()
		}
		segs := splitPath(path)
		o.reported = append(o.reported, segs)
		res.NotImported(file, lineAt(n, segs), o.Kind+" "+o.Name+": "+path, importer.NoEquivalent,
			"The k8s.io/api types have no such field ("+se.Error()+"); Kubernetes would refuse or drop it. Check its spelling and indentation.")
	}
	o.Typed = typed
	return []*Object{o}
}

func yamlErrorLineOr(err error, def int) int {
	if l := yamlErrorLine(err); l > 0 {
		return l
	}
	return def
}

// errorField locates a decoding error (a wrong type) at its field.
func errorField(err error, n *yaml.Node) (string, int) {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field, lineAt(n, splitPath(te.Field))
	}
	return "", n.Line
}

func fieldMessage(path string, err error) string {
	if path == "" {
		return err.Error()
	}
	return "Field " + path + ": " + err.Error()
}

// splitPath turns "spec.containers[0].image" into its segments
// ["spec" "containers" "[0]" "image"].
func splitPath(p string) []string {
	var segs []string
	for _, part := range strings.Split(p, ".") {
		for part != "" {
			i := strings.IndexByte(part, '[')
			if i < 0 {
				segs = append(segs, part)
				break
			}
			if i > 0 {
				segs = append(segs, part[:i])
			}
			j := strings.IndexByte(part[i:], ']')
			if j < 0 {
				segs = append(segs, part[i:])
				break
			}
			segs = append(segs, part[i:i+j+1])
			part = part[i+j+1:]
		}
	}
	return segs
}

// child is the value of key in mapping n, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalar(n *yaml.Node, key string) string {
	c := child(n, key)
	if c == nil || c.Kind != yaml.ScalarNode {
		return ""
	}
	return c.Value
}

// lineAt is the line of the deepest node path reaches: the key's line for
// a mapping entry, the item's for a sequence element.
func lineAt(n *yaml.Node, path []string) int {
	line := n.Line
	for _, seg := range path {
		if n == nil {
			break
		}
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg {
					line = n.Content[i].Line
					next = n.Content[i+1]
					break
				}
			}
			n = next
		case yaml.SequenceNode:
			idx, ok := index(seg)
			if !ok || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
		default:
			return line
		}
	}
	return line
}

func index(seg string) (int, bool) {
	if len(seg) < 3 || seg[0] != '[' || seg[len(seg)-1] != ']' {
		return 0, false
	}
	i, err := strconv.Atoi(seg[1 : len(seg)-1])
	return i, err == nil && i >= 0
}
