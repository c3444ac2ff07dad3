package workforce

import (
	"strings"
	"testing"
)

// The reason is no part of the content: it leaves the content hash as it was.
func TestReasonIsOutsideTheContentHash(t *testing.T) {
	a, b := validValues(), validValues()
	b[KeyRevisionReason] = "Headcount corrected."
	ra, _ := Normalise(rawOf(a), testRegister, testNow)
	rb, ps := Normalise(rawOf(b), testRegister, testNow)
	if len(ps) != 0 || rb.Values[KeyRevisionReason] != "Headcount corrected." {
		t.Fatalf("the reason was not kept: %+v %v", rb.Values, ps)
	}
	if ra.ContentHash() != rb.ContentHash() {
		t.Error("the reason changes the content hash")
	}
	b["headcount"] = "70001"
	if rc, _ := Normalise(rawOf(b), testRegister, testNow); rc.ContentHash() == ra.ContentHash() {
		t.Error("a changed figure leaves the content hash as it was")
	}
}

// A reason is free text with the same safety rules as notes: multiline, bounded, and
// never a formula.
func TestRevisionReasonIsCheckedAsText(t *testing.T) {
	for _, tc := range []struct{ value, code string }{
		{strings.Repeat("é", MaxRevisionReason+1), "too_long"},
		{`=HYPERLINK("x")`, "formula_like"},
		{"bell\a", "control_character"},
	} {
		v := validValues()
		v[KeyRevisionReason] = tc.value
		_, ps := Normalise(rawOf(v), testRegister, testNow)
		if len(ps) != 1 || ps[0].Field != KeyRevisionReason || ps[0].Code != tc.code {
			t.Errorf("%.20q: problems %+v, want %s", tc.value, ps, tc.code)
		}
	}
	v := validValues()
	v[KeyRevisionReason] = strings.Repeat("é", MaxRevisionReason-10) + "\r\nline two"
	r, ps := Normalise(rawOf(v), testRegister, testNow)
	if len(ps) != 0 || !strings.HasSuffix(r.Values[KeyRevisionReason], "\nline two") {
		t.Errorf("a reason of %d characters on two lines: %+v", MaxRevisionReason, ps)
	}
}
