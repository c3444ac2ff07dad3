// Package metrics holds the definitions of SPEC §4 as pure functions: the government-wide
// series, the per-organisation rows at a reference quarter, data-quality findings and the
// status of each target. Inputs are the current version of each return and the register;
// nothing here reads a clock or a store, so the rollup can freeze a Result as a snapshot
// and the same inputs always give the same figures.
package metrics

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Input is the current version of one organisation's return for one quarter, with what
// the metrics need to know about its history.
type Input struct {
	workforce.Return
	Version    int       // the current version's number, which is how many versions there are
	ReceivedAt time.Time // when the current version arrived
	// FirstReceivedAt is when version 1 arrived. Lateness is judged on it, so that a
	// correction sent after the due date does not make an on-time return late. Zero means
	// unknown, and ReceivedAt is used.
	FirstReceivedAt time.Time
	WarningCodes    []string // codes of the warnings stored with the current version
	SignedOff       bool     // whether the current version has been signed off by an approver
}

func (in *Input) firstReceived() time.Time {
	if in.FirstReceivedAt.IsZero() {
		return in.ReceivedAt
	}
	return in.FirstReceivedAt
}

// Hundredths is an FTE figure held exactly, in hundredths. JSON shows it as a number with
// two decimal places (1234.50), never through a float.
type Hundredths int64

// Float64 is the figure as a float, for charts and ratios.
func (h Hundredths) Float64() float64 { return float64(h) / 100 }

func (h Hundredths) String() string {
	sign := ""
	if h < 0 {
		sign, h = "-", -h
	}
	return fmt.Sprintf("%s%d.%02d", sign, int64(h)/100, int64(h)%100)
}

func (h Hundredths) MarshalJSON() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalJSON reads a number with up to two decimal places, so snapshots read back.
func (h *Hundredths) UnmarshalJSON(b []byte) error {
	s := string(b)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return fmt.Errorf("metrics: %s has more than two decimal places", b)
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return fmt.Errorf("metrics: %s is not a decimal: %w", b, err)
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return fmt.Errorf("metrics: %s is not a decimal: %w", b, err)
	}
	v := w*100 + f
	if neg {
		v = -v
	}
	*h = Hundredths(v)
	return nil
}

// ratio is num/den, or nil when den is zero: a share that cannot be computed is shown as
// not available, never as NaN (which JSON cannot carry).
func ratio(num, den int64) *float64 {
	if den == 0 {
		return nil
	}
	r := float64(num) / float64(den)
	return &r
}

// figures are the numbers of one return, read once from its canonical text.
type figures struct {
	workforce     bool // a civil_service return, carrying workforce and entrant fields
	headcount     int64
	fte           Hundredths
	unknown       int64
	ddat          int64
	ddatFTE       Hundredths
	family        []int64 // in workforce.FamilyKeys order
	grade         []int64 // in workforce.GradeKeys order
	entrantsTotal int64
	routes        []int64 // in workforce.EarlyCareerKeys order
	earlyCareer   int64

	exec, board  bool
	appointments int64
	assessed     int64
	roles        int64
	withPlan     int64
	// CSLG members and those of them who have attended AI immersion: stocks at the
	// reference date, so a later return replaces an earlier one rather than adding to it.
	cslg          int64
	cslgImmersion int64
}

func figuresOf(r workforce.Return) figures {
	count := func(key string) int64 {
		// Same as r.Count, without building a parse error for every absent field: a
		// rollup reads tens of thousands of them.
		if _, ok := r.Values[key]; !ok {
			return 0
		}
		return r.Count(key)
	}
	f := figures{
		exec:          r.YesNo(workforce.KeyExecDigitalLeader),
		board:         r.YesNo(workforce.KeyBoardDigitalNED),
		appointments:  count(workforce.KeySeniorAppointments),
		assessed:      count(workforce.KeySeniorAppointmentsAssessed),
		roles:         count(workforce.KeyDigitalSeniorRoles),
		withPlan:      count(workforce.KeyDigitalSeniorRolesSuccessor),
		cslg:          count(workforce.KeyCSLGMembers),
		cslgImmersion: count(workforce.KeyCSLGMembersAIImmersion),
	}
	if r.Kind != workforce.CivilService {
		return f
	}
	f.workforce = true
	f.headcount = count(workforce.KeyHeadcount)
	f.fte = Hundredths(r.Hundredths(workforce.KeyFTE))
	f.unknown = count(workforce.KeyProfessionUnknown)
	f.ddat = count(workforce.KeyDDaTHeadcount)
	f.ddatFTE = Hundredths(r.Hundredths(workforce.KeyDDaTFTE))
	f.entrantsTotal = count(workforce.KeyEntrantsTotal)
	// One allocation for the three breakdowns.
	nf, ng := len(workforce.FamilyKeys), len(workforce.GradeKeys)
	all := make([]int64, nf+ng+len(workforce.EarlyCareerKeys))
	f.family, f.grade, f.routes = all[:nf:nf], all[nf:nf+ng:nf+ng], all[nf+ng:]
	for i, k := range workforce.FamilyKeys {
		f.family[i] = count(k)
	}
	for i, k := range workforce.GradeKeys {
		f.grade[i] = count(k)
	}
	for i, k := range workforce.EarlyCareerKeys {
		f.routes[i] = count(k)
	}
	for _, n := range f.routes {
		f.earlyCareer += n
	}
	return f
}

// entry is one usable return with its figures.
type entry struct {
	in *Input
	f  figures
}

// index holds the usable returns by organisation, each organisation's in quarter order.
type index struct {
	orgs     []workforce.Organisation // the register, by code
	byOrg    map[string][]*entry
	earliest period.Quarter // zero when there are no returns
	excluded []Finding      // returns left out, and why
}

func newIndex(register []workforce.Organisation, returns []Input) *index {
	orgs := append([]workforce.Organisation(nil), register...)
	sort.SliceStable(orgs, func(i, j int) bool { return orgs[i].Code < orgs[j].Code })
	// A register keyed by code has no duplicates; if one slips in, the first is kept.
	orgs = slices.CompactFunc(orgs, func(a, b workforce.Organisation) bool { return a.Code == b.Code })
	known := make(map[string]workforce.Organisation, len(orgs))
	for _, o := range orgs {
		known[o.Code] = o
	}

	ins := make([]*Input, len(returns))
	for i := range returns {
		ins[i] = &returns[i]
	}
	sort.SliceStable(ins, func(i, j int) bool {
		a, b := ins[i], ins[j]
		if a.Org != b.Org {
			return a.Org < b.Org
		}
		if a.Period != b.Period {
			return a.Period.Before(b.Period)
		}
		if a.Version != b.Version {
			return a.Version > b.Version // the highest version first, so it is the one kept
		}
		return a.ReceivedAt.After(b.ReceivedAt)
	})

	ix := &index{orgs: orgs, byOrg: make(map[string][]*entry, len(orgs))}
	for i, in := range ins {
		o, ok := known[in.Org]
		switch {
		case i > 0 && ins[i-1].Org == in.Org && ins[i-1].Period == in.Period:
			ix.excluded = append(ix.excluded, Finding{Org: in.Org, Period: in.Period.String(), Code: "duplicate_input",
				Message: fmt.Sprintf("More than one current version was given for %s; version %d is used.", in.Period, ins[i-1].Version)})
			continue
		case !ok:
			ix.excluded = append(ix.excluded, Finding{Org: in.Org, Period: in.Period.String(), Code: "not_in_register",
				Message: fmt.Sprintf("The return for %s is left out: %s is not in the register.", in.Period, in.Org)})
			continue
		case !o.ActiveOn(in.Period.ReferenceDate()):
			ix.excluded = append(ix.excluded, Finding{Org: in.Org, Period: in.Period.String(), Code: "inactive_organisation",
				Message: fmt.Sprintf("The return for %s is left out: the register says %s was not active on %s.", in.Period, in.Org, period.LongDate(in.Period.ReferenceDate()))})
			continue
		}
		ix.byOrg[in.Org] = append(ix.byOrg[in.Org], &entry{in: in, f: figuresOf(in.Return)})
		if ix.earliest.IsZero() || in.Period.Before(ix.earliest) {
			ix.earliest = in.Period
		}
	}
	return ix
}

// latest is the organisation's return for the latest quarter at or before q, or nil.
func (ix *index) latest(org string, q period.Quarter) *entry {
	es := ix.byOrg[org]
	i := sort.Search(len(es), func(i int) bool { return es[i].in.Period.After(q) })
	if i == 0 {
		return nil
	}
	return es[i-1]
}

// exact is the organisation's return for q, or nil.
func (ix *index) exact(org string, q period.Quarter) *entry {
	if e := ix.latest(org, q); e != nil && e.in.Period == q {
		return e
	}
	return nil
}

// latestHeadcountBefore is the headcount of the organisation's latest civil_service return
// for a quarter before q.
func (ix *index) latestHeadcountBefore(org string, q period.Quarter) (int64, bool) {
	es := ix.byOrg[org]
	i := sort.Search(len(es), func(i int) bool { return !es[i].in.Period.Before(q) })
	for i--; i >= 0; i-- {
		if es[i].f.workforce {
			return es[i].f.headcount, true
		}
	}
	return 0, false
}
