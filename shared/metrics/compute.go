package metrics

import (
	"slices"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// ComputeInput is everything the figures depend on. The rollup reads it from the stores;
// GET /metrics/{period} passes one quarter.
type ComputeInput struct {
	Returns  []Input                  // the current version of each organisation-period
	Register []workforce.Organisation // the organisation register
	Targets  targets.Set
	Month    period.Month // the rollup month, against which deadlines are judged
	// Reference is the quarter organisations and targets are judged at; zero means the
	// reference quarter of Month.
	Reference period.Quarter
	// Quarters are the quarters the government series covers; empty means every quarter
	// from the earliest return to the reference quarter. Later quarters are left out by
	// default because their returns are not yet due and would read as gaps.
	Quarters []period.Quarter
	DueDays  int // days after a quarter's reference date that its return is due
}

// Result is the figures for one rollup month: what the rollup freezes as a snapshot.
type Result struct {
	Month            string         `json:"month"`
	ReferenceQuarter period.Quarter `json:"reference_quarter"`
	TargetsVersion   string         `json:"targets_version"`
	Government       Government     `json:"government"`
	Organisations    []OrgRow       `json:"organisations"`
	Targets          []TargetStatus `json:"targets"`
	DataQuality      DataQuality    `json:"data_quality"`
}

// Government is the government-wide series, quarters ascending.
type Government struct {
	Quarters []Quarter `json:"quarters"`
}

// Compute works out every figure of a rollup from its inputs. It is deterministic: the
// same inputs, in any order, give the same Result.
func Compute(in ComputeInput) Result {
	ref := in.Reference
	if ref.IsZero() {
		ref = period.ReferenceQuarter(in.Month, in.DueDays)
	}
	ix := newIndex(in.Register, in.Returns)

	memo := map[period.Quarter]Quarter{}
	quarterOf := func(q period.Quarter) Quarter {
		g, ok := memo[q]
		if !ok {
			g = ix.quarter(q)
			memo[q] = g
		}
		return g
	}

	// Targets are judged on every quarter with data up to ref, whatever the series shows.
	first := ref
	if !ix.earliest.IsZero() && ix.earliest.Before(ref) {
		first = ix.earliest
	}
	full := make([]Quarter, 0, ref.Sub(first)+1)
	for _, q := range period.Range(first, ref) {
		full = append(full, quarterOf(q))
	}

	series := full
	if len(in.Quarters) > 0 {
		qs := slices.Clone(in.Quarters)
		slices.SortFunc(qs, func(a, b period.Quarter) int { return a.Index() - b.Index() })
		qs = slices.Compact(qs)
		series = make([]Quarter, 0, len(qs))
		for _, q := range qs {
			series = append(series, quarterOf(q))
		}
	} else {
		series = slices.Clone(full)
	}
	addCumulative(series, in.Targets, quarterOf)

	rows, dq := ix.organisations(ref, in.DueDays)
	return Result{
		Month:            in.Month.String(),
		ReferenceQuarter: ref,
		TargetsVersion:   in.Targets.Version,
		Government:       Government{Quarters: series},
		Organisations:    rows,
		Targets:          Evaluate(in.Targets, full, in.Month, ref, in.DueDays),
		DataQuality:      dq,
	}
}
