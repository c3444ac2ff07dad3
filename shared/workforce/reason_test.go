package workforce

import (
	"errors"
	"testing"
)

// A reason for the revision given beside the file counts as the file's; a file that gives
// a different one is refused, naming the field.
func TestReasonBesideTheFile(t *testing.T) {
	file := []RawField{{Key: KeyOrg, Value: "HMRC"}}
	got, err := withReason(file, "Headcount corrected.")
	if err != nil || rawValue(got, KeyRevisionReason) != "Headcount corrected." {
		t.Fatalf("reason beside a file without one: %v %v", got, err)
	}
	if got, err := withReason(file, ""); err != nil || len(got) != 1 {
		t.Errorf("no reason beside the file changed it: %v %v", got, err)
	}
	own := append(file, RawField{Key: KeyRevisionReason, Value: "Headcount corrected.", Cell: "Return!D40"})
	if got, err := withReason(own, "Headcount corrected."); err != nil || len(got) != 2 {
		t.Errorf("the same reason twice: %v %v", got, err)
	}
	_, err = withReason(own, "Something else.")
	if ErrorCode(err) != EInvalid {
		t.Fatalf("two different reasons: %v", err)
	}
	var e *Error
	if !errors.As(err, &e) || len(e.Problems) != 1 || e.Problems[0].Field != KeyRevisionReason || e.Problems[0].Code != "revision_reason_twice" {
		t.Errorf("problems %+v", e)
	}
}
