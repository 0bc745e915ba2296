// Command kubeschemas writes the JSON schemas that kubeconform checks the
// Helm chart against, so the check needs no schema server: Kubernetes' own,
// made from the OpenAPI document in the k8s.io/kubernetes module, and the
// Prometheus Operator's ServiceMonitor, from the CRD in its module. Both
// modules come through the Go module proxy, at the versions given, checked
// against the checksum database like every other module.
//
// The schemas are strict (an object with known properties allows no
// other), standalone (every reference inlined) and named as kubeconform's
// -schema-location template {{ .ResourceKind }}{{ .KindSuffix }}.json
// expects: deployment-apps-v1.json, service-v1.json.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

func main() {
	kubernetes := flag.String("kubernetes", "", "the k8s.io/kubernetes module version, e.g. v1.34.4")
	operator := flag.String("prometheus-operator", "", "the github.com/prometheus-operator/prometheus-operator module version")
	out := flag.String("out", "", "the directory to write the schemas to")
	flag.Parse()
	if *kubernetes == "" || *operator == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*kubernetes, *operator, *out); err != nil {
		fmt.Fprintln(os.Stderr, "kubeschemas:", err)
		os.Exit(1)
	}
}

func run(kubernetes, operator, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	dir, err := moduleDir("k8s.io/kubernetes@" + kubernetes)
	if err != nil {
		return err
	}
	n, err := writeKubernetes(filepath.Join(dir, "api/openapi-spec/swagger.json"), out)
	if err != nil {
		return err
	}
	dir, err = moduleDir("github.com/prometheus-operator/prometheus-operator@" + operator)
	if err != nil {
		return err
	}
	crd := filepath.Join(dir, "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml")
	if err := writeCRD(crd, out); err != nil {
		return err
	}
	fmt.Printf("kubeschemas: %d Kubernetes kinds (%s) and ServiceMonitor (%s) in %s\n", n, kubernetes, operator, out)
	return nil
}

// moduleDir downloads a module (or finds it in the module cache) and
// returns where its files are. It runs outside any module, so no go.mod
// is touched.
func moduleDir(module string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", module)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w: %s", module, err, stderr.String())
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", err
	}
	if m.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", module, m.Error)
	}
	return m.Dir, nil
}

type schema = map[string]any

// writeKubernetes writes one schema for every kind the OpenAPI document
// gives a group, version and kind.
func writeKubernetes(swagger, out string) (int, error) {
	raw, err := os.ReadFile(swagger)
	if err != nil {
		return 0, err
	}
	var doc struct {
		Definitions map[string]schema `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return 0, fmt.Errorf("%s: %w", swagger, err)
	}
	n := 0
	for name, def := range doc.Definitions {
		gvks, _ := def["x-kubernetes-group-version-kind"].([]any)
		for _, x := range gvks {
			gvk := x.(map[string]any)
			group, version, kind := gvk["group"].(string), gvk["version"].(string), gvk["kind"].(string)
			apiVersion := version
			if group != "" {
				apiVersion = group + "/" + version
			}
			in := inliner{definitions: doc.Definitions, visiting: map[string]bool{name: true}}
			s := in.convert(def)
			pinKind(s, apiVersion, kind)
			if err := write(out, kind, apiVersion, s); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// writeCRD writes the schema of a CustomResourceDefinition's served
// versions.
func writeCRD(path, out string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var crd struct {
		Spec struct {
			Group    string
			Names    struct{ Kind string }
			Versions []struct {
				Name   string
				Served bool
				Schema struct {
					OpenAPIV3Schema schema `json:"openAPIV3Schema"`
				}
			}
		}
	}
	if err := json.Unmarshal(js, &crd); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, v := range crd.Spec.Versions {
		if !v.Served {
			continue
		}
		apiVersion := crd.Spec.Group + "/" + v.Name
		s := (&inliner{}).convert(v.Schema.OpenAPIV3Schema)
		pinKind(s, apiVersion, crd.Spec.Names.Kind)
		if err := write(out, crd.Spec.Names.Kind, apiVersion, s); err != nil {
			return err
		}
	}
	return nil
}

// pinKind makes apiVersion and kind the only values the schema accepts.
func pinKind(s schema, apiVersion, kind string) {
	props, _ := s["properties"].(map[string]any)
	if props == nil {
		return
	}
	props["apiVersion"] = schema{"type": "string", "enum": []any{apiVersion}}
	props["kind"] = schema{"type": "string", "enum": []any{kind}}
}

// write names the file as kubeconform looks for it: the kind, the first
// part of the group, the version.
func write(out, kind, apiVersion string, s schema) error {
	group, version, found := strings.Cut(apiVersion, "/")
	suffix := "-" + strings.ToLower(strings.Split(group, ".")[0])
	if found {
		suffix += "-" + strings.ToLower(version)
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, strings.ToLower(kind)+suffix+".json"), raw, 0o644)
}

// inliner turns OpenAPI schemas into standalone, strict JSON schemas.
type inliner struct {
	definitions map[string]schema
	visiting    map[string]bool // the definitions being inlined: a cycle is left open
}

var intOrString = schema{"oneOf": []any{schema{"type": "string"}, schema{"type": "integer"}}}

func (in *inliner) convert(s schema) schema {
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/definitions/")
		if name == "io.k8s.apimachinery.pkg.api.resource.Quantity" {
			return schema{"oneOf": []any{schema{"type": "string"}, schema{"type": "number"}}}
		}
		def, ok := in.definitions[name]
		if !ok || in.visiting[name] {
			return schema{} // recursive (JSONSchemaProps): anything
		}
		in.visiting[name] = true
		defer delete(in.visiting, name)
		return in.convert(def)
	}
	if s["format"] == "int-or-string" {
		return intOrString
	}
	out := schema{}
	for k, v := range s {
		switch {
		case strings.HasPrefix(k, "x-kubernetes-"), k == "description":
		case k == "properties":
			props := map[string]any{}
			for name, p := range v.(map[string]any) {
				props[name] = in.convert(p.(map[string]any))
			}
			out[k] = props
		case k == "items" || k == "not" || (k == "additionalProperties" && isSchema(v)):
			out[k] = in.convert(v.(map[string]any))
		case k == "allOf" || k == "anyOf" || k == "oneOf":
			var list []any
			for _, p := range v.([]any) {
				list = append(list, in.convert(p.(map[string]any)))
			}
			out[k] = list
		default:
			out[k] = v
		}
	}
	_, open := s["additionalProperties"]
	if _, known := s["properties"]; known && !open && s["x-kubernetes-preserve-unknown-fields"] != true {
		out["additionalProperties"] = false
	}
	return out
}

func isSchema(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}
