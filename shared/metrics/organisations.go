package metrics

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// ReturnStatus says where an organisation's return for the reference quarter stands.
type ReturnStatus string

const (
	Submitted ReturnStatus = "submitted" // received by the end of its due date
	Late      ReturnStatus = "late"      // received after its due date
	Missing   ReturnStatus = "missing"   // no return for the quarter or any earlier one
	// CarriedForward: no return for the quarter, so the row shows the latest earlier one.
	CarriedForward ReturnStatus = "carried_forward"
)

// OrgRow is one organisation at the reference quarter. Figures come from the return named
// by Period (the reference quarter's, or the latest earlier one when carried forward); a
// figure the organisation does not return, or that is not available, is null.
type OrgRow struct {
	Code    string            `json:"code"`
	Name    string            `json:"name"`
	Parent  string            `json:"parent,omitempty"`
	Kind    workforce.OrgKind `json:"kind"`
	Status  ReturnStatus      `json:"status"`
	DueDate string            `json:"due_date"` // of the reference quarter's return, YYYY-MM-DD

	Period          *period.Quarter `json:"period,omitempty"`
	Version         int             `json:"version,omitempty"`
	Versions        int             `json:"versions,omitempty"`
	ReceivedAt      *time.Time      `json:"received_at,omitempty"`       // of the version used
	FirstReceivedAt *time.Time      `json:"first_received_at,omitempty"` // of version 1, when known
	Warnings        int             `json:"warnings"`
	WarningCodes    []string        `json:"warning_codes,omitempty"`
	// SignedOff is whether the version the row's figures come from, the current version
	// of its quarter, was signed off by the organisation's approver; false without one.
	SignedOff bool `json:"signed_off"`
	// The return's contact, for the management edition only; never published.
	ContactName  string `json:"contact_name,omitempty"`
	ContactEmail string `json:"contact_email,omitempty"`

	Headcount           *int64   `json:"headcount"`
	ProfessionUnknown   *int64   `json:"profession_unknown_headcount"`
	DDaTHeadcount       *int64   `json:"ddat_headcount"`
	DDaTShare           *float64 `json:"ddat_share"`
	DDaTShareKnown      *float64 `json:"ddat_share_known"`
	EarlyCareerEntrants *int64   `json:"early_career_entrants"`

	ExecDigitalLeader                    *bool  `json:"exec_committee_digital_leader"`
	BoardDigitalNED                      *bool  `json:"board_digital_ned"`
	SeniorAppointments                   *int64 `json:"senior_appointments"`
	SeniorAppointmentsAssessed           *int64 `json:"senior_appointments_assessed"`
	DigitalSeniorRoles                   *int64 `json:"digital_senior_roles"`
	DigitalSeniorRolesWithSuccessionPlan *int64 `json:"digital_senior_roles_with_succession_plan"`
	CSLGMembers                          *int64 `json:"cslg_members"`
	CSLGMembersAIImmersion               *int64 `json:"cslg_members_ai_immersion"`
}

// DataQuality summarises the returns for the reference quarter.
type DataQuality struct {
	Period         period.Quarter `json:"period"`
	Expected       int            `json:"returns_expected"`
	Received       int            `json:"returns_received"` // on time and late
	OnTime         int            `json:"on_time"`
	Late           int            `json:"late"`
	Missing        int            `json:"missing"`
	CarriedForward int            `json:"carried_forward"`
	// StaleLeadership counts organisations whose latest answers are more than four
	// quarters older than the reference quarter.
	StaleLeadership int            `json:"stale_leadership"`
	Revised         int            `json:"revised"`          // returns for the quarter with more than one version
	WarningsByCode  map[string]int `json:"warnings_by_code"` // over the returns for the quarter
	Findings        []Finding      `json:"findings"`
}

// Finding is one thing a reader of the figures should know about an organisation's return.
type Finding struct {
	Org     string `json:"org"`
	Period  string `json:"period"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// warningText describes the warning codes of workforce.Warnings for readers of a report.
// An unknown code is shown as it is, so a new warning never breaks a rollup.
var warningText = map[string]string{
	"late_return":             "it arrived more than a quarter late",
	"headcount_change":        "headcount changed sharply since the previous quarter",
	"ddat_headcount_change":   "DDaT headcount changed sharply since the previous quarter",
	"entrants_without_change": "early-career entrants joined but DDaT headcount did not change",
	"high_ddat_share":         "an unusually high share of staff are counted in DDaT",
	"high_profession_unknown": "profession is not recorded for many staff",
	"high_family_unknown":     "job family is not recorded for many DDaT staff",
}

// staleAfter is how many quarters old a leadership answer may be before it is listed as
// stale. It still counts: it is the organisation's latest word.
const staleAfter = 4

// organisations builds the rows and the data-quality summary at ref.
func (ix *index) organisations(ref period.Quarter, dueDays int) ([]OrgRow, DataQuality) {
	due := ref.Due(dueDays)
	dueDate := due.Format(time.DateOnly)
	dq := DataQuality{Period: ref, WarningsByCode: map[string]int{}, Findings: append([]Finding(nil), ix.excluded...)}
	find := func(org, code, format string, args ...any) {
		dq.Findings = append(dq.Findings, Finding{Org: org, Period: ref.String(), Code: code, Message: fmt.Sprintf(format, args...)})
	}
	rows := []OrgRow{}
	for _, o := range ix.orgs {
		if !o.ActiveOn(ref.ReferenceDate()) {
			continue
		}
		dq.Expected++
		row := OrgRow{Code: o.Code, Name: o.Name, Parent: o.Parent, Kind: o.Kind, DueDate: dueDate}
		used := ix.exact(o.Code, ref)
		switch {
		case used != nil:
			dq.Received++
			row.Status = Submitted
			// Anything received on the due date itself is on time.
			if first := used.in.firstReceived(); !first.IsZero() && !first.UTC().Before(due.AddDate(0, 0, 1)) {
				row.Status = Late
				dq.Late++
				find(o.Code, "late", "Received on %s, after the due date of %s.", period.LongDate(first.UTC()), period.LongDate(due))
			} else {
				dq.OnTime++
			}
			if n := used.in.Version; n > 1 {
				dq.Revised++
				find(o.Code, "revised", "Revised: version %d of %d is current.", used.in.Version, n)
			}
			for _, c := range used.in.WarningCodes {
				dq.WarningsByCode[c]++
			}
			for _, c := range sortedUnique(used.in.WarningCodes) {
				text, ok := warningText[c]
				if !ok {
					text = fmt.Sprintf("warning %q", c)
				}
				find(o.Code, c, "Accepted with a warning: %s.", text)
			}
		default:
			used = ix.latest(o.Code, ref)
			if used != nil {
				row.Status = CarriedForward
				dq.CarriedForward++
				find(o.Code, "carried_forward", "No return for %s (due %s); the figures shown are from its return for %s.", ref, period.LongDate(due), used.in.Period)
				if age := ref.Sub(used.in.Period); age > staleAfter {
					dq.StaleLeadership++
					find(o.Code, "stale_leadership", "Its leadership answers are from its return for %s, %d quarters before %s; they still count toward the leadership targets, but may no longer be true.", used.in.Period, age, ref)
				}
			} else {
				row.Status = Missing
				dq.Missing++
				find(o.Code, "missing", "No return for %s (due %s) or any earlier quarter.", ref, period.LongDate(due))
			}
		}
		if used != nil {
			row.fill(used, o.Kind)
		}
		rows = append(rows, row)
	}
	slices.SortStableFunc(dq.Findings, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.Org, b.Org), strings.Compare(a.Period, b.Period),
			strings.Compare(a.Code, b.Code), strings.Compare(a.Message, b.Message))
	})
	if dq.Findings == nil {
		dq.Findings = []Finding{}
	}
	return rows, dq
}

// fill copies the figures of e into the row. Workforce figures are shown only for a
// civil_service organisation whose return carries them.
func (row *OrgRow) fill(e *entry, kind workforce.OrgKind) {
	in, f := e.in, e.f
	p := in.Period
	row.Period = &p
	row.Version = in.Version
	row.Versions = in.Version
	if !in.ReceivedAt.IsZero() {
		t := in.ReceivedAt.UTC()
		row.ReceivedAt = &t
	}
	if !in.FirstReceivedAt.IsZero() {
		t := in.FirstReceivedAt.UTC()
		row.FirstReceivedAt = &t
	}
	row.Warnings = len(in.WarningCodes)
	row.SignedOff = in.SignedOff
	row.ContactName = in.Values[workforce.KeyContactName]
	row.ContactEmail = in.Values[workforce.KeyContactEmail]
	row.WarningCodes = sortedUnique(in.WarningCodes)

	if kind == workforce.CivilService && f.workforce {
		row.Headcount = ptr(f.headcount)
		row.ProfessionUnknown = ptr(f.unknown)
		row.DDaTHeadcount = ptr(f.ddat)
		row.DDaTShare = ratio(f.ddat, f.headcount)
		row.DDaTShareKnown = ratio(f.ddat, f.headcount-f.unknown)
		row.EarlyCareerEntrants = ptr(f.earlyCareer)
	}
	row.ExecDigitalLeader = ptr(f.exec)
	row.BoardDigitalNED = ptr(f.board)
	if kind == workforce.CivilService {
		// Local-government bodies do not return the leadership counts.
		row.SeniorAppointments = ptr(f.appointments)
		row.SeniorAppointmentsAssessed = ptr(f.assessed)
		row.DigitalSeniorRoles = ptr(f.roles)
		row.DigitalSeniorRolesWithSuccessionPlan = ptr(f.withPlan)
		row.CSLGMembers = ptr(f.cslg)
		row.CSLGMembersAIImmersion = ptr(f.cslgImmersion)
	}
}

func sortedUnique(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

func ptr[T any](v T) *T { return &v }
