package openapi

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

var update = flag.Bool("update", false, "rewrite the generated schemas in docs/openapi.yaml from the field catalogue")

// maxCount is the largest count or FTE a return may hold (workforce's maxCount, which
// catches a typo of extra digits).
const maxCount = 10_000_000

// The generated block of components.schemas sits between these lines.
const (
	beginGenerated = "    # BEGIN GENERATED: go test ./infra/e2e/openapi -run TestCatalogueSchemas -update"
	endGenerated   = "    # END GENERATED"
)

// obj is a YAML mapping that keeps its key order.
type obj []kv

type kv struct {
	k string
	v any
}

func node(v any) *yaml.Node {
	switch x := v.(type) {
	case *yaml.Node:
		return x
	case obj:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, e := range x {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: e.k}, node(e.v))
		}
		return n
	case []string:
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, s := range x {
			n.Content = append(n.Content, node(s))
		}
		return n
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: x}
	case int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(x)}
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(x)}
	case float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: fmt.Sprint(x)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(x)}
	}
	panic(fmt.Sprintf("node: %T", v))
}

func fieldDescription(f workforce.Field) string {
	d := f.Label + "."
	if f.Help != "" {
		d += " " + f.Help
	}
	if !f.AppliesTo(workforce.LocalGovernment) {
		d += " Civil-service organisations only; local-government bodies leave it out."
	}
	return d
}

func kinds(f workforce.Field) []string {
	var ks []string
	for _, k := range f.Kinds {
		ks = append(ks, string(k))
	}
	return ks
}

// valueSchema is how a field's value is answered: counts as integers, FTE as numbers with
// up to two decimal places, yes/no as booleans, text as strings.
func valueSchema(f workforce.Field) obj {
	var s obj
	switch f.Type {
	case workforce.TypeOrg:
		s = obj{{"$ref", "#/components/schemas/OrgCode"}}
	case workforce.TypePeriod:
		s = obj{{"$ref", "#/components/schemas/Quarter"}}
	case workforce.TypeCount:
		s = obj{{"type", "integer"}, {"minimum", f.Min}, {"maximum", maxCount}}
	case workforce.TypeFTE:
		s = obj{{"type", "number"}, {"minimum", 0}, {"maximum", maxCount}, {"multipleOf", 0.01}}
	case workforce.TypeYesNo:
		s = obj{{"type", "boolean"}}
	case workforce.TypeEmail:
		s = obj{{"type", "string"}, {"format", "email"}, {"maxLength", f.MaxLen}}
	case workforce.TypeText:
		s = obj{{"type", "string"}}
		if f.MaxLen > 0 {
			s = append(s, kv{"maxLength", f.MaxLen})
		}
	default:
		panic("valueSchema: field type " + string(f.Type))
	}
	return append(s, kv{"description", fieldDescription(f)}, kv{"x-section", f.Section.ID}, kv{"x-kinds", kinds(f)})
}

// Patterns for values written as text in a JSON submission, as strictly as the service
// reads them: no leading zeros, a digit either side of a point, only zeros after the point
// of a count and at most two significant places in an FTE. Blank text is the same as
// leaving the field out.
const (
	countText = `^\s*((0|[1-9][0-9]*|[1-9][0-9]{0,2}(,[0-9]{3})+)(\.0+)?)?\s*$`
	fteText   = `^\s*((0|[1-9][0-9]*|[1-9][0-9]{0,2}(,[0-9]{3})+)(\.[0-9]{1,2}0*)?)?\s*$`
	yesNoText = `^\s*([Yy]([Ee][Ss])?|[Nn][Oo]?|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])?\s*$`
)

// submissionSchema is what a JSON submission may send for a field: the value as a JSON
// number or boolean, or as text the CSV format would accept; null leaves it out.
func submissionSchema(f workforce.Field) obj {
	var s obj
	switch f.Type {
	case workforce.TypeOrg:
		s = obj{{"type", "string"}}
	case workforce.TypePeriod:
		s = obj{{"type", "string"}, {"examples", []string{"2025-26-Q1", "2025/26 Q1"}}}
	case workforce.TypeCount:
		s = obj{{"type", []string{"integer", "string", "null"}}, {"minimum", f.Min}, {"maximum", maxCount}, {"pattern", countText}}
	case workforce.TypeFTE:
		s = obj{{"type", []string{"number", "string", "null"}}, {"minimum", 0}, {"maximum", maxCount}, {"multipleOf", 0.01}, {"pattern", fteText}}
	case workforce.TypeYesNo:
		s = obj{{"type", []string{"boolean", "string", "null"}}, {"pattern", yesNoText}}
	case workforce.TypeEmail, workforce.TypeText:
		s = obj{{"type", []string{"string", "null"}}}
		if f.MaxLen > 0 {
			s = append(s, kv{"maxLength", f.MaxLen})
		}
	default:
		panic("submissionSchema: field type " + string(f.Type))
	}
	return append(s, kv{"description", fieldDescription(f)}, kv{"x-section", f.Section.ID}, kv{"x-kinds", kinds(f)})
}

func requiredKeys() []string {
	var ks []string
	for _, f := range workforce.Fields {
		if f.Type == workforce.TypeOrg || f.Type == workforce.TypePeriod {
			ks = append(ks, f.Key)
		}
	}
	return ks
}

func countMap(description string, keys []string) obj {
	props := obj{}
	for _, k := range keys {
		props = append(props, kv{k, obj{{"type", "integer"}, {"minimum", 0}}})
	}
	return obj{{"type", "object"}, {"description", description}, {"additionalProperties", false},
		{"required", keys}, {"properties", props}}
}

// catalogueSchemas are the component schemas generated from the field catalogue and the
// metrics' known measures, in the order they are written.
func catalogueSchemas() obj {
	values, submission := obj{}, obj{}
	for _, f := range workforce.Fields {
		values = append(values, kv{f.Key, valueSchema(f)})
		submission = append(submission, kv{f.Key, submissionSchema(f)})
	}
	var measures []string
	for _, m := range targets.Measures() {
		measures = append(measures, string(m))
	}
	return obj{
		{"ReturnValues", obj{
			{"type", "object"},
			{"description", "The values of a return as the API answers them, one property per field key of the catalogue " +
				"(counts as integers, FTE as numbers with up to two decimal places, yes/no as booleans, text as strings). " +
				"Only the fields given are present; local-government returns carry the identity and leadership fields only."},
			{"additionalProperties", false},
			{"required", requiredKeys()},
			{"properties", values},
		}},
		{"ReturnSubmission", obj{
			{"type", "object"},
			{"description", "A return sent as JSON: one flat object whose properties are the field keys. Values may be " +
				"numbers, booleans or text as the CSV format would write them (\"1,250\", \"yes\", \"Y\", \"true\"); null or " +
				"blank text is the same as leaving the field out. Every field the organisation's kind answers is required " +
				"except contact_name, contact_email, notes and revision_reason, which a version after the first must give; " +
				"an unknown key is an error (422)."},
			{"additionalProperties", false},
			{"required", requiredKeys()},
			{"properties", submission},
		}},
		{"DDaTByFamily", countMap("DDaT headcount by job family, by field key.", workforce.FamilyKeys)},
		{"DDaTByGrade", countMap("DDaT headcount by grade, by field key.", workforce.GradeKeys)},
		{"EntrantsByRoute", countMap("Early-career entrants by route, by field key.", workforce.EarlyCareerKeys)},
		{"TargetMeasure", obj{
			{"type", "string"},
			{"description", "A figure the metrics know how to compute; a target chooses one."},
			{"enum", measures},
		}},
	}
}

// generatedText renders the generated schemas as they sit in the document.
func generatedText(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(node(catalogueSchemas())); err != nil {
		t.Fatal(err)
	}
	_ = enc.Close()
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		out.WriteString("    " + line + "\n")
	}
	return out.String()
}

// TestCatalogueSchemas: the document's generated schemas are what the catalogue makes
// now. With -update the block is rewritten.
func TestCatalogueSchemas(t *testing.T) {
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	i := strings.Index(text, beginGenerated+"\n")
	j := strings.Index(text, endGenerated+"\n")
	if i < 0 || j < i {
		t.Fatalf("%s has no generated block (%q … %q) at the end of components.schemas", docPath, beginGenerated, endGenerated)
	}
	gen := generatedText(t)
	if *update {
		text = text[:i+len(beginGenerated)+1] + gen + text[j:]
		if err := os.WriteFile(docPath, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the generated schemas in %s", docPath)
		return
	}
	want, err := parseYAML([]byte(gen))
	if err != nil {
		t.Fatal(err)
	}
	s := loadSpec(t)
	schemas, _ := lookupMap(s, "/components/schemas")
	for name, w := range want.(map[string]any) {
		if !reflect.DeepEqual(schemas[name], w) {
			t.Errorf("components.schemas.%s differs from what the field catalogue generates; run: go test ./infra/e2e/openapi -run TestCatalogueSchemas -update", name)
		}
	}
	if text[i+len(beginGenerated)+1:j] != gen {
		t.Errorf("the generated block of %s is not as generated (hand-edited?); run: go test ./infra/e2e/openapi -run TestCatalogueSchemas -update", docPath)
	}
}

// TestReturnValuesMatchCatalogue: ReturnValues has exactly the catalogue's keys, each
// typed as the field's type is answered.
func TestReturnValuesMatchCatalogue(t *testing.T) {
	s := loadSpec(t)
	for _, name := range []string{"ReturnValues", "ReturnSubmission"} {
		props, ok := lookupMap(s, "/components/schemas/"+name+"/properties")
		if !ok {
			t.Fatalf("components.schemas.%s has no properties", name)
		}
		var want []string
		for _, f := range workforce.Fields {
			want = append(want, f.Key)
		}
		got := sortedKeys(props)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s properties %v, want the catalogue's keys %v", name, got, want)
		}
		if ap, _ := s.lookup("/components/schemas/" + name + "/additionalProperties"); ap != false {
			t.Errorf("%s must be closed (additionalProperties: false): unknown keys are errors", name)
		}
	}
	props, _ := lookupMap(s, "/components/schemas/ReturnValues/properties")
	for _, f := range workforce.Fields {
		p, _ := props[f.Key].(map[string]any)
		var ok bool
		switch f.Type {
		case workforce.TypeCount:
			ok = p["type"] == "integer" && fmt.Sprint(p["minimum"]) == fmt.Sprint(f.Min)
		case workforce.TypeFTE:
			ok = p["type"] == "number" && fmt.Sprint(p["minimum"]) == "0" && fmt.Sprint(p["multipleOf"]) == "0.01"
		case workforce.TypeYesNo:
			ok = p["type"] == "boolean"
		case workforce.TypeText, workforce.TypeEmail:
			ok = p["type"] == "string"
		case workforce.TypeOrg:
			ok = p["$ref"] == "#/components/schemas/OrgCode"
		case workforce.TypePeriod:
			ok = p["$ref"] == "#/components/schemas/Quarter"
		}
		if !ok {
			t.Errorf("ReturnValues.%s is %v, which does not fit a %s field", f.Key, p, f.Type)
		}
	}
}
