// Package samcheck checks template.yaml: against the SAM JSON Schema, against the routes
// table, and against least-privilege rules. The checks are its tests; this file turns the
// YAML, with CloudFormation's short-form tags, into the plain JSON a schema can judge.
package samcheck

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// shortForms are the CloudFormation intrinsic functions with a "!Name" short form, which
// becomes {"Fn::Name": …}. !Ref and !Condition are not Fn:: and are handled apart.
var shortForms = map[string]bool{
	"Base64": true, "Cidr": true, "And": true, "Equals": true, "If": true, "Not": true,
	"Or": true, "FindInMap": true, "GetAZs": true, "ImportValue": true, "Join": true,
	"Select": true, "Split": true, "Sub": true, "Transform": true, "Length": true,
	"ToJsonString": true, "GetAtt": true,
}

// TemplateJSON parses a CloudFormation or SAM template written in YAML and returns it as
// JSON values (map[string]any, []any, string, int, float64, bool, nil), with every short
// form written out in full: !Ref X → {"Ref": "X"}, !GetAtt A.B → {"Fn::GetAtt": ["A", "B"]},
// !Sub s → {"Fn::Sub": s}, and so on.
func TemplateJSON(src []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 {
		return nil, fmt.Errorf("empty template")
	}
	return convert(&doc)
}

func convert(n *yaml.Node) (any, error) {
	if name, ok := strings.CutPrefix(n.Tag, "!"); ok && !strings.HasPrefix(name, "!") {
		return intrinsic(name, n)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		return convert(n.Content[0])
	case yaml.AliasNode:
		return convert(n.Alias)
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Value == "<<" {
				return nil, fmt.Errorf("line %d: keys must be plain scalars", k.Line)
			}
			if _, dup := out[k.Value]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			val, err := convert(v)
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		return out, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := convert(c)
			if err != nil {
				return nil, err
			}
			out = append(out, val)
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str", "!!timestamp", "!!binary":
			// CloudFormation reads dates and the like as strings.
			return n.Value, nil
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// intrinsic writes out one short-form tag.
func intrinsic(name string, n *yaml.Node) (any, error) {
	var arg any
	if n.Kind == yaml.ScalarNode {
		arg = n.Value // the argument of a scalar short form is always a string
	} else {
		plain := *n
		plain.Tag = ""
		var err error
		if arg, err = convert(&plain); err != nil {
			return nil, err
		}
	}
	switch {
	case name == "Ref" || name == "Condition":
		return map[string]any{name: arg}, nil
	case name == "GetAtt":
		if s, ok := arg.(string); ok {
			resource, attribute, found := strings.Cut(s, ".")
			if !found {
				return nil, fmt.Errorf("line %d: !GetAtt %q needs Resource.Attribute", n.Line, s)
			}
			arg = []any{resource, attribute}
		}
		return map[string]any{"Fn::GetAtt": arg}, nil
	case shortForms[name]:
		return map[string]any{"Fn::" + name: arg}, nil
	}
	return nil, fmt.Errorf("line %d: unknown tag !%s", n.Line, name)
}
