// Package targets holds the government's DDaT workforce commitments as data. The targets
// live in one versioned JSON file so that a successor target is added by editing the file,
// not the code: the metrics package knows a fixed set of measures, and a target chooses
// one of them with a comparison, a threshold and a deadline, window or start date.
package targets

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

//go:embed targets.json
var defaultFile []byte

// Measure names a figure the metrics package knows how to compute.
type Measure string

const (
	DDaTShare                  Measure = "ddat_share"
	EarlyCareerEntrants        Measure = "early_career_entrants_cumulative"
	ExecDigitalLeaderShare     Measure = "exec_digital_leader_share"
	BoardDigitalNEDShare       Measure = "board_digital_ned_share"
	SeniorAppointmentsAssessed Measure = "senior_appointments_assessed_share"
	SuccessionPlanShare        Measure = "succession_plan_share"
	CSLGAIImmersionShare       Measure = "cslg_ai_immersion_share"
)

// measureInfo says what kind of figure a measure is and who answers the fields behind it.
type measureInfo struct {
	cumulative bool                // a count summed over quarters; otherwise a share in 0..1
	kinds      []workforce.OrgKind // organisation kinds whose returns carry the fields
}

var (
	csOnly   = []workforce.OrgKind{workforce.CivilService}
	allKinds = []workforce.OrgKind{workforce.CivilService, workforce.LocalGovernment}
	measures = map[Measure]measureInfo{
		DDaTShare:                  {kinds: csOnly},
		EarlyCareerEntrants:        {cumulative: true, kinds: csOnly},
		ExecDigitalLeaderShare:     {kinds: allKinds},
		BoardDigitalNEDShare:       {kinds: allKinds},
		SeniorAppointmentsAssessed: {kinds: csOnly},
		SuccessionPlanShare:        {kinds: csOnly},
		CSLGAIImmersionShare:       {kinds: csOnly},
	}
)

// Measures lists the known measures in a stable order.
func Measures() []Measure {
	return []Measure{DDaTShare, EarlyCareerEntrants, ExecDigitalLeaderShare, BoardDigitalNEDShare,
		SeniorAppointmentsAssessed, SuccessionPlanShare, CSLGAIImmersionShare}
}

// Known reports whether m is a measure the metrics package computes.
func (m Measure) Known() bool { _, ok := measures[m]; return ok }

// Cumulative reports whether m is a count summed over the quarters of a window; the other
// measures are shares between 0 and 1.
func (m Measure) Cumulative() bool { return measures[m].cumulative }

// AnsweredBy reports whether organisations of kind k return the fields behind m.
func (m Measure) AnsweredBy(k workforce.OrgKind) bool {
	for _, x := range measures[m].kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Unit says how a target's value, threshold and projection read: a share (0.06 is 6%) or
// a count of people.
type Unit string

const (
	UnitShare Unit = "share"
	UnitCount Unit = "count"
)

// Unit is the unit of the measure's figures.
func (m Measure) Unit() Unit {
	if m.Cumulative() {
		return UnitCount
	}
	return UnitShare
}

// Comparison is how a value is held against its threshold.
type Comparison string

const (
	AtLeast Comparison = "at_least" // value ≥ threshold
	Equals  Comparison = "equals"   // value = threshold, for "every organisation" commitments
)

// equalsTolerance absorbs floating-point noise in shares such as 7/7.
const equalsTolerance = 1e-9

// Met reports whether value satisfies the comparison against threshold.
func (c Comparison) Met(value, threshold float64) bool {
	switch c {
	case AtLeast:
		return value >= threshold-equalsTolerance
	case Equals:
		return math.Abs(value-threshold) <= equalsTolerance
	}
	return false
}

// Window is a span of quarters, both ends included, over which a measure is counted.
type Window struct {
	From period.Quarter `json:"from"`
	To   period.Quarter `json:"to"`
}

// Target is one commitment. Exactly one of Deadline, Window and From is set.
type Target struct {
	ID         string
	Title      string
	Measure    Measure
	Unit       Unit
	Comparison Comparison
	Threshold  float64
	Deadline   time.Time // zero if none: met by this day
	Window     *Window   // nil if none: counted over these quarters
	From       time.Time // zero if none: measured from this day on, with no end
	Kinds      []workforce.OrgKind
	Commitment string // the commitment in words
	Source     string // where it comes from
	URL        string // where the source can be read, if anywhere
	Quote      string // the source's own words, verbatim; empty when they could not be found
	Assumed    string // what is ours rather than the source's: a date, a reading, a missing quotation
}

// Start is the first quarter the target measures: the window's first quarter, or the first
// quarter starting on or after From (a quarter already under way when the commitment began
// would count appointments made before it). ok is false for deadline targets.
func (t Target) Start() (q period.Quarter, ok bool) {
	switch {
	case t.Window != nil:
		return t.Window.From, true
	case !t.From.IsZero():
		q = period.Containing(t.From)
		if !q.Start().Equal(t.From) {
			q = q.Next()
		}
		return q, true
	}
	return period.Quarter{}, false
}

// End is the last quarter that counts: the window's last quarter, or the last quarter whose
// reference date is on or before the deadline. ok is false for open-ended (From) targets.
func (t Target) End() (q period.Quarter, ok bool) {
	switch {
	case t.Window != nil:
		return t.Window.To, true
	case !t.Deadline.IsZero():
		q = period.Containing(t.Deadline)
		if q.ReferenceDate().After(t.Deadline) {
			q = q.Prev()
		}
		return q, true
	}
	return period.Quarter{}, false
}

// AppliesTo reports whether organisations of kind k count toward the target.
func (t Target) AppliesTo(k workforce.OrgKind) bool {
	for _, x := range t.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Set is a versioned list of targets, in file order.
type Set struct {
	Version string
	Targets []Target
}

// ByID finds a target.
func (s Set) ByID(id string) (Target, bool) {
	for _, t := range s.Targets {
		if t.ID == id {
			return t, true
		}
	}
	return Target{}, false
}

// Default loads the targets file built into the binary.
func Default() (Set, error) { return Load(defaultFile) }

// InvalidError lists every problem found in a targets file, each naming its target.
type InvalidError struct {
	Problems []string
}

func (e *InvalidError) Error() string {
	return "targets file: " + strings.Join(e.Problems, "; ")
}

// fileTarget is a target as written in the file. Dates and quarters are read as text so
// that a bad one is reported against its target rather than as a bare decoding error.
type fileTarget struct {
	ID         string              `json:"id"`
	Title      string              `json:"title"`
	Measure    Measure             `json:"measure"`
	Unit       Unit                `json:"unit"`
	Comparison Comparison          `json:"comparison"`
	Threshold  *float64            `json:"threshold"`
	Deadline   string              `json:"deadline,omitempty"`
	Window     *fileWindow         `json:"window,omitempty"`
	From       string              `json:"from,omitempty"`
	Kinds      []workforce.OrgKind `json:"kinds"`
	Commitment string              `json:"commitment"`
	Source     string              `json:"source"`
	URL        string              `json:"url,omitempty"`
	Quote      string              `json:"quote,omitempty"`
	Assumed    string              `json:"assumed,omitempty"`
}

type fileWindow struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type file struct {
	Version string            `json:"version"`
	Targets []json.RawMessage `json:"targets"`
}

var idRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Load reads and checks a targets file, reporting every problem at once.
func Load(data []byte) (Set, error) {
	var f file
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Set{}, &InvalidError{Problems: []string{fmt.Sprintf("not a targets file: %v", err)}}
	}
	var problems []string
	if strings.TrimSpace(f.Version) == "" {
		problems = append(problems, `"version" is missing; give one such as "2026-11-22.1"`)
	}
	if len(f.Targets) == 0 {
		problems = append(problems, "there are no targets")
	}
	set := Set{Version: f.Version}
	seen := map[string]int{}
	for i, raw := range f.Targets {
		// The id is read leniently first so that every problem, even a misspelt property,
		// is reported against the target's name.
		name := fmt.Sprintf("target %d", i+1)
		var id struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(raw, &id) == nil && id.ID != "" {
			name = fmt.Sprintf("target %q", id.ID)
		}
		var ft fileTarget
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ft); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		if first, dup := seen[ft.ID]; dup && ft.ID != "" {
			problems = append(problems, fmt.Sprintf("%s: id is used twice (targets %d and %d)", name, first, i+1))
		}
		seen[ft.ID] = i + 1
		t, ps := ft.check()
		for _, p := range ps {
			problems = append(problems, name+": "+p)
		}
		set.Targets = append(set.Targets, t)
	}
	if len(problems) > 0 {
		return Set{}, &InvalidError{Problems: problems}
	}
	return set, nil
}

// check turns a file target into a Target, listing what is wrong with it.
func (ft fileTarget) check() (Target, []string) {
	var ps []string
	add := func(format string, args ...any) { ps = append(ps, fmt.Sprintf(format, args...)) }
	t := Target{ID: ft.ID, Title: strings.TrimSpace(ft.Title), Measure: ft.Measure, Unit: ft.Unit, Comparison: ft.Comparison,
		Commitment: strings.TrimSpace(ft.Commitment), Source: strings.TrimSpace(ft.Source), URL: strings.TrimSpace(ft.URL),
		Quote: strings.TrimSpace(ft.Quote), Assumed: strings.TrimSpace(ft.Assumed)}

	switch {
	case ft.ID == "":
		add("id is missing")
	case !idRE.MatchString(ft.ID):
		add("id %q must be lower-case words joined by hyphens, such as ddat-share", ft.ID)
	}
	if t.Title == "" {
		add("title is missing")
	}
	if t.Commitment == "" {
		add("commitment is missing: give the commitment in words")
	}
	if t.Source == "" {
		add("source is missing: say where the commitment comes from")
	}

	if !ft.Measure.Known() {
		names := make([]string, 0, len(measures))
		for _, m := range Measures() {
			names = append(names, string(m))
		}
		add("measure %q is not one the metrics know (%s)", ft.Measure, strings.Join(names, ", "))
	}
	switch {
	case ft.Unit == "":
		add("unit is missing: give share or count")
	case ft.Unit != UnitShare && ft.Unit != UnitCount:
		add("unit %q must be share or count", ft.Unit)
	case ft.Measure.Known() && ft.Unit != ft.Measure.Unit():
		add("unit %q does not fit %s, which is a %s", ft.Unit, ft.Measure, ft.Measure.Unit())
	}
	if t.URL != "" && !strings.HasPrefix(t.URL, "https://") {
		add("url %q must be an https:// address", t.URL)
	}
	if t.Quote == "" && t.Assumed == "" {
		add("quote is missing: give the source's own words, or say in assumed that they could not be found")
	}
	if ft.Comparison != AtLeast && ft.Comparison != Equals {
		add("comparison %q must be at_least or equals", ft.Comparison)
	}
	switch {
	case ft.Threshold == nil:
		add("threshold is missing")
	case math.IsNaN(*ft.Threshold) || math.IsInf(*ft.Threshold, 0):
		add("threshold must be a number")
	case ft.Measure.Known() && ft.Measure.Cumulative():
		t.Threshold = *ft.Threshold
		if t.Threshold < 0 || t.Threshold != math.Trunc(t.Threshold) {
			add("threshold %v must be a whole number of at least 0, because %s is a count", t.Threshold, ft.Measure)
		}
	case ft.Measure.Known():
		t.Threshold = *ft.Threshold
		if t.Threshold < 0 || t.Threshold > 1 {
			add("threshold %v must be between 0 and 1, because %s is a share (0.06 means 6%%)", t.Threshold, ft.Measure)
		}
	}

	given := 0
	if ft.Deadline != "" {
		given++
		d, err := time.Parse(time.DateOnly, ft.Deadline)
		if err != nil {
			add("deadline %q must be a date such as 2025-03-31", ft.Deadline)
		}
		t.Deadline = d
	}
	if ft.Window != nil {
		given++
		from, errFrom := period.ParseQuarter(ft.Window.From)
		to, errTo := period.ParseQuarter(ft.Window.To)
		if errFrom != nil {
			add("window from: %v", errFrom)
		}
		if errTo != nil {
			add("window to: %v", errTo)
		}
		if errFrom == nil && errTo == nil {
			if to.Before(from) {
				add("window ends (%s) before it starts (%s)", to, from)
			}
			t.Window = &Window{From: from, To: to}
		}
	}
	if ft.From != "" {
		given++
		d, err := time.Parse(time.DateOnly, ft.From)
		if err != nil {
			add("from %q must be a date such as 2026-04-01", ft.From)
		}
		t.From = d
	}
	switch {
	case given == 0:
		add("give one of deadline, window or from")
	case given > 1:
		add("give only one of deadline, window or from (%s)", strings.Join(present(ft), " and "))
	case ft.Measure.Cumulative() && ft.Deadline != "":
		add("%s is a count summed over quarters, so it needs a window or a from date to count from, not a deadline", ft.Measure)
	}

	if len(ft.Kinds) == 0 {
		add("kinds is missing: list the organisation kinds it applies to (civil_service, local_government)")
	}
	kindSeen := map[workforce.OrgKind]bool{}
	for _, k := range ft.Kinds {
		switch {
		case !k.Valid():
			add("kind %q must be civil_service or local_government", k)
		case kindSeen[k]:
			add("kind %q is listed twice", k)
		case ft.Measure.Known() && !ft.Measure.AnsweredBy(k):
			add("%s organisations do not return the figures behind %s", k, ft.Measure)
		}
		kindSeen[k] = true
	}
	t.Kinds = append([]workforce.OrgKind(nil), ft.Kinds...)
	return t, ps
}

func present(ft fileTarget) []string {
	var s []string
	if ft.Deadline != "" {
		s = append(s, "deadline")
	}
	if ft.Window != nil {
		s = append(s, "window")
	}
	if ft.From != "" {
		s = append(s, "from")
	}
	return s
}

// MarshalJSON writes a target in the file's form, so GET /targets shows what the file says.
func (t Target) MarshalJSON() ([]byte, error) {
	th := t.Threshold
	ft := fileTarget{ID: t.ID, Title: t.Title, Measure: t.Measure, Unit: t.Unit, Comparison: t.Comparison, Threshold: &th,
		Kinds: t.Kinds, Commitment: t.Commitment, Source: t.Source, URL: t.URL, Quote: t.Quote, Assumed: t.Assumed}
	if !t.Deadline.IsZero() {
		ft.Deadline = t.Deadline.Format(time.DateOnly)
	}
	if t.Window != nil {
		ft.Window = &fileWindow{From: t.Window.From.String(), To: t.Window.To.String()}
	}
	if !t.From.IsZero() {
		ft.From = t.From.Format(time.DateOnly)
	}
	return json.Marshal(ft)
}

// MarshalJSON writes the set in the file's form; Load reads it back.
func (s Set) MarshalJSON() ([]byte, error) {
	ts := s.Targets
	if ts == nil {
		ts = []Target{}
	}
	return json.Marshal(struct {
		Version string   `json:"version"`
		Targets []Target `json:"targets"`
	}{s.Version, ts})
}
