package samcheck

import (
	"encoding/json"
	"testing"
)

func TestTemplateJSONShortForms(t *testing.T) {
	src := `
Version: "2010-09-09"
Number: 30
Bool: true
Null: ~
Date: 2010-09-09
Ref: !Ref Table
GetAtt: !GetAtt Table.StreamSpecification.StreamArn
GetAttList: !GetAtt [Table, Arn]
Sub: !Sub ${Table.Arn}/index/*
SubList: !Sub ["${A}-x", {A: !Ref B}]
Join: !Join ["", [a, !Ref B]]
Select: !Select [0, !GetAZs ""]
If: !If [IsProd, !Ref A, !Ref "AWS::NoValue"]
Equals: !Equals [!Ref Env, prod]
Not: !Not [!Condition IsProd]
Split: !Split [",", !ImportValue Shared]
Map: !FindInMap [M, !Ref "AWS::Region", k]
Anchor: &a {x: 1}
Alias: *a
`
	got, err := TemplateJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := `{
		"Version": "2010-09-09", "Number": 30, "Bool": true, "Null": null, "Date": "2010-09-09",
		"Ref": {"Ref": "Table"},
		"GetAtt": {"Fn::GetAtt": ["Table", "StreamSpecification.StreamArn"]},
		"GetAttList": {"Fn::GetAtt": ["Table", "Arn"]},
		"Sub": {"Fn::Sub": "${Table.Arn}/index/*"},
		"SubList": {"Fn::Sub": ["${A}-x", {"A": {"Ref": "B"}}]},
		"Join": {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
		"Select": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
		"If": {"Fn::If": ["IsProd", {"Ref": "A"}, {"Ref": "AWS::NoValue"}]},
		"Equals": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
		"Not": {"Fn::Not": [{"Condition": "IsProd"}]},
		"Split": {"Fn::Split": [",", {"Fn::ImportValue": "Shared"}]},
		"Map": {"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "k"]},
		"Anchor": {"x": 1}, "Alias": {"x": 1}
	}`
	gotJSON, _ := json.Marshal(got)
	var g, w any
	_ = json.Unmarshal(gotJSON, &g)
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if g2, _ := json.Marshal(g); string(g2) != string(mustJSON(t, w)) {
		t.Errorf("got  %s\nwant %s", g2, mustJSON(t, w))
	}
}

func TestTemplateJSONRefusesWhatCloudFormationWould(t *testing.T) {
	for name, src := range map[string]string{
		"unknown tag":     "A: !Bogus x",
		"getatt no dot":   "A: !GetAtt Table",
		"duplicate key":   "A: 1\nA: 2",
		"merge key":       "B: &b {x: 1}\nA:\n  <<: *b",
		"not yaml":        "A: [",
		"empty document":  "",
		"complex map key": "? [a]\n: 1",
	} {
		if _, err := TemplateJSON([]byte(src)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
