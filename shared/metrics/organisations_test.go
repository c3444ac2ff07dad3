package metrics

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// 2025-26-Q1: reference date 30 June 2025, due 30 July 2025 with 30 due days.
const refQ = "2025-26-Q1"

func received(in Input, when string) Input {
	in.ReceivedAt = at(when)
	return in
}

func TestOrgRowStatus(t *testing.T) {
	revisedLate := received(csRet("R", refQ, 100, 5), "2025-08-20T09:00:00Z")
	revisedLate.Version = 2
	revisedLate.FirstReceivedAt = at("2025-07-20T09:00:00Z")

	for _, tc := range []struct {
		name       string
		returns    []Input
		want       ReturnStatus
		wantPeriod string // the return whose figures are shown; "" for none
	}{
		{"received well before the due date", []Input{received(csRet("O", refQ, 100, 5), "2025-07-01T10:00:00Z")}, Submitted, refQ},
		{"received late on the due date itself", []Input{received(csRet("O", refQ, 100, 5), "2025-07-30T23:59:59Z")}, Submitted, refQ},
		{"received the day after the due date", []Input{received(csRet("O", refQ, 100, 5), "2025-07-31T00:00:00Z")}, Late, refQ},
		{"revised after the due date, first sent on time", []Input{func() Input { r := revisedLate; r.Org = "O"; return r }()}, Submitted, refQ},
		{"only an older return", []Input{csRet("O", "2024-25-Q3", 90, 4)}, CarriedForward, "2024-25-Q3"},
		{"a later return does not carry backwards", []Input{csRet("O", "2025-26-Q2", 90, 4)}, Missing, ""},
		{"no return at all", nil, Missing, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, _ := newIndex([]workforce.Organisation{org("O", cs, 100)}, tc.returns).organisations(qtr(refQ), 30)
			if len(rows) != 1 {
				t.Fatalf("%d rows", len(rows))
			}
			r := rows[0]
			if r.Status != tc.want {
				t.Errorf("status = %s, want %s", r.Status, tc.want)
			}
			got := ""
			if r.Period != nil {
				got = r.Period.String()
			}
			if got != tc.wantPeriod {
				t.Errorf("period = %q, want %q", got, tc.wantPeriod)
			}
			if r.DueDate != "2025-07-30" {
				t.Errorf("due_date = %s", r.DueDate)
			}
			if tc.wantPeriod == "" && (r.Headcount != nil || r.ExecDigitalLeader != nil || r.Version != 0) {
				t.Errorf("a missing organisation shows figures: %+v", r)
			}
		})
	}
}

func TestOrgRowFigures(t *testing.T) {
	register := []workforce.Organisation{org("A", cs, 100), org("C", lg, 0), org("Z", cs, 50)}
	a := csRet("A", refQ, 200, 20, workforce.KeyProfessionUnknown, 40, "entrants_fast_stream", 3, "entrants_apprenticeship", 2,
		workforce.KeyExecDigitalLeader, "yes", workforce.KeySeniorAppointments, 2)
	a.Version = 3
	a.WarningCodes = []string{"headcount_change", "high_profession_unknown"}
	c := ret("C", lg, "2024-25-Q4", workforce.KeyBoardDigitalNED, "yes", workforce.KeyDigitalSeniorRoles, 2)
	rows, _ := newIndex(register, []Input{c, a}).organisations(qtr(refQ), 30)

	if got := []string{rows[0].Code, rows[1].Code, rows[2].Code}; !reflect.DeepEqual(got, []string{"A", "C", "Z"}) {
		t.Fatalf("rows not in code order: %v", got)
	}
	ra, rc, rz := rows[0], rows[1], rows[2]
	if *ra.Headcount != 200 || *ra.DDaTHeadcount != 20 || !sameFloat(ra.DDaTShare, f(0.1)) || !sameFloat(ra.DDaTShareKnown, f(20.0/160)) ||
		*ra.EarlyCareerEntrants != 5 || !*ra.ExecDigitalLeader || *ra.BoardDigitalNED || *ra.SeniorAppointments != 2 {
		t.Errorf("A's figures wrong: %+v", ra)
	}
	if ra.Version != 3 || ra.Versions != 3 || ra.Warnings != 2 || ra.ReceivedAt == nil || !ra.ReceivedAt.Equal(a.ReceivedAt) {
		t.Errorf("A's version details wrong: %+v", ra)
	}
	if rc.Status != CarriedForward || rc.Kind != lg || rc.Headcount != nil || rc.DDaTShare != nil || rc.EarlyCareerEntrants != nil {
		t.Errorf("council row must carry leadership only: %+v", rc)
	}
	// Councils answer the two yes/no questions only: a count that slipped into the values
	// is not shown as theirs.
	if !*rc.BoardDigitalNED || rc.DigitalSeniorRoles != nil || rc.CSLGMembers != nil {
		t.Errorf("council leadership figures wrong: %+v", rc)
	}
	if rz.Status != Missing {
		t.Errorf("Z status = %s", rz.Status)
	}
	b := noNaN(t, rows)
	if !strings.Contains(string(b), `"code":"C","name":"C name","kind":"local_government","status":"carried_forward","due_date":"2025-07-30","period":"2024-25-Q4"`) {
		t.Errorf("JSON of the council row: %s", b)
	}
}

func TestDataQuality(t *testing.T) {
	closed := org("OLD", cs, 10)
	closed.ActiveTo = "2025-01-31"
	register := []workforce.Organisation{org("A", cs, 100), org("B", cs, 100), org("C", cs, 100), org("D", cs, 100), org("L", lg, 0), closed}

	revised := received(csRet("A", refQ, 100, 5), "2025-07-10T09:00:00Z")
	revised.Version = 3
	revised.WarningCodes = []string{"headcount_change", "ddat_headcount_change"}
	olderCopy := revised
	olderCopy.Version = 2
	late := received(csRet("B", refQ, 100, 5), "2025-08-05T09:00:00Z")
	late.WarningCodes = []string{"headcount_change", "a_new_check"}
	returns := []Input{
		revised, olderCopy, late,
		csRet("C", "2024-25-Q4", 100, 5), // carried forward
		ret("L", lg, refQ),               // on time
		csRet("GHOST", refQ, 100, 5),     // not in the register
		csRet("OLD", refQ, 100, 5),       // closed before the quarter
		received(csRet("A", "2024-25-Q4", 100, 5), "2025-09-01T00:00:00Z"), // late, but for an earlier quarter
	}
	_, dq := newIndex(register, returns).organisations(qtr(refQ), 30)

	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"expected", dq.Expected, 5},
		{"received", dq.Received, 3},
		{"on time", dq.OnTime, 2},
		{"late", dq.Late, 1},
		{"missing", dq.Missing, 1},
		{"carried forward", dq.CarriedForward, 1},
		{"revised", dq.Revised, 1},
		{"warnings by code", dq.WarningsByCode, map[string]int{"headcount_change": 2, "ddat_headcount_change": 1, "a_new_check": 1}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	var got []string
	for _, fd := range dq.Findings {
		got = append(got, fd.Org+" "+fd.Period+" "+fd.Code+": "+fd.Message)
	}
	want := []string{
		"A 2025-26-Q1 ddat_headcount_change: Accepted with a warning: DDaT headcount changed sharply since the previous quarter.",
		"A 2025-26-Q1 duplicate_input: More than one current version was given for 2025-26-Q1; version 3 is used.",
		"A 2025-26-Q1 headcount_change: Accepted with a warning: headcount changed sharply since the previous quarter.",
		"A 2025-26-Q1 revised: Revised: version 3 of 3 is current.",
		`B 2025-26-Q1 a_new_check: Accepted with a warning: warning "a_new_check".`,
		"B 2025-26-Q1 headcount_change: Accepted with a warning: headcount changed sharply since the previous quarter.",
		"B 2025-26-Q1 late: Received on 5 August 2025, after the due date of 30 July 2025.",
		"C 2025-26-Q1 carried_forward: No return for 2025-26-Q1 (due 30 July 2025); the figures shown are from its return for 2024-25-Q4.",
		"D 2025-26-Q1 missing: No return for 2025-26-Q1 (due 30 July 2025) or any earlier quarter.",
		"GHOST 2025-26-Q1 not_in_register: The return for 2025-26-Q1 is left out: GHOST is not in the register.",
		"OLD 2025-26-Q1 inactive_organisation: The return for 2025-26-Q1 is left out: the register says OLD was not active on 30 June 2025.",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Inputs are current versions: a revision replaces the figures of the version before it.
func TestRevisionReplacesFigures(t *testing.T) {
	v1 := csRet("A", refQ, 100, 5)
	v2 := csRet("A", refQ, 120, 9)
	v2.Version, v2.ReceivedAt = 2, v1.ReceivedAt.Add(time.Hour)
	for name, returns := range map[string][]Input{"current only": {v2}, "both given by mistake": {v1, v2}, "reversed": {v2, v1}} {
		ix := newIndex([]workforce.Organisation{org("A", cs, 100)}, returns)
		g := ix.quarter(qtr(refQ))
		if g.Headcount != 120 || g.DDaTHeadcount != 9 {
			t.Errorf("%s: headcount %d, ddat %d; want version 2's 120 and 9", name, g.Headcount, g.DDaTHeadcount)
		}
		rows, dq := ix.organisations(qtr(refQ), 30)
		if rows[0].Version != 2 || dq.Revised != 1 {
			t.Errorf("%s: row version %d, revised %d", name, rows[0].Version, dq.Revised)
		}
	}
}

// A row says whether the version its figures come from was signed off.
func TestOrgRowSignedOff(t *testing.T) {
	signed := csRet("S", refQ, 100, 5)
	signed.SignedOff = true
	rows, _ := newIndex([]workforce.Organisation{org("S", cs, 100), org("U", cs, 100), org("M", cs, 100)},
		[]Input{signed, csRet("U", refQ, 100, 5)}).organisations(qtr(refQ), 30)
	got := map[string]bool{}
	for _, r := range rows {
		got[r.Code] = r.SignedOff
	}
	if want := map[string]bool{"S": true, "U": false, "M": false}; !reflect.DeepEqual(got, want) {
		t.Errorf("signed_off %v, want %v", got, want)
	}
}
