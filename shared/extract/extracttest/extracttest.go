// Package extracttest makes staff extracts for tests and benchmarks: people whose every
// attribute is known, written as rows in the spellings HR systems export, and the return
// they amount to, counted from the people (not the rows) without the extract package.
package extracttest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
)

// Person is one row of an extract as it is meant, before it is written down.
type Person struct {
	Ref        string
	InPost     bool
	Profession string // ddat, other or unknown
	Grade      string // aa_ao, eo, heo_seo, g7_g6, scs or unknown
	Family     string // architecture … user_centred_design, or unknown
	MicroFTE   int64  // millionths of a full-time equivalent; 0 when not in post may be blank
	Start      time.Time
	Route      string // apprenticeship … other_early_career, experienced_hire or unknown
}

var (
	grades     = []string{"aa_ao", "eo", "heo_seo", "g7_g6", "scs", "unknown"}
	families   = []string{"architecture", "chief_digital_and_data", "data", "it_operations", "product_and_delivery", "quality_assurance_testing", "software_development", "user_centred_design", "unknown"}
	routes     = []string{"apprenticeship", "fast_stream", "graduate_programme", "internship", "other_early_career", "experienced_hire", "unknown"}
	microFTEs  = []int64{1_000_000, 1_000_000, 1_000_000, 800_000, 600_000, 500_000, 540_541, 270_270, 750_000, 910_000}
	earliest   = time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)
	dayOfEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
)

// People makes n people for quarter q: about 15% DDaT, 5% of unknown profession, 95% in
// post, and a tenth of the DDaT staff starting in q. The same seed makes the same people.
func People(n int, q period.Quarter, seed uint64) []Person {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	qStart, qEnd := q.Start(), q.ReferenceDate()
	span := int(qStart.Sub(earliest).Hours() / 24)
	ps := make([]Person, n)
	for i := range ps {
		p := Person{Ref: fmt.Sprintf("ZZREF%08d", i)}
		p.InPost = rng.IntN(100) < 95
		switch x := rng.IntN(100); {
		case x < 15:
			p.Profession = "ddat"
		case x < 20:
			p.Profession = "unknown"
		default:
			p.Profession = "other"
		}
		p.Grade = grades[rng.IntN(len(grades))]
		p.Family = families[rng.IntN(len(families))]
		p.MicroFTE = microFTEs[rng.IntN(len(microFTEs))]
		p.Route = routes[rng.IntN(len(routes))]
		switch x := rng.IntN(100); {
		case p.Profession == "ddat" && x < 10:
			p.Start = qStart.AddDate(0, 0, rng.IntN(int(qEnd.Sub(qStart).Hours()/24)+1))
		case x < 90:
			p.Start = earliest.AddDate(0, 0, rng.IntN(span)) // before q
		case x < 95:
			p.Start = qEnd.AddDate(0, 0, 1+rng.IntN(200)) // after q
		}
		ps[i] = p
	}
	// The edges of the quarter, where an off-by-one would hide.
	if n >= 4 {
		ps[0].Profession, ps[0].Start = "ddat", qStart
		ps[1].Profession, ps[1].Start = "ddat", qEnd
		ps[2].Profession, ps[2].Start = "ddat", qStart.AddDate(0, 0, -1)
		ps[3].Profession, ps[3].Start = "ddat", qEnd.AddDate(0, 0, 1)
	}
	return ps
}

// Layout says how people are written as rows.
type Layout struct {
	Seed uint64
	// Varied writes headers as HR systems name them, in a shuffled order, and every value
	// in one of the spellings accepted for it; otherwise headers are the column keys in
	// catalogue order and values are written one way.
	Varied bool
	// Extra adds columns the catalogue does not know, which must be ignored.
	Extra int
}

// Column keys in catalogue order.
var Keys = []string{"staff_ref", "grade", "profession", "job_family", "fte", "in_post", "ddat_start_date", "entry_route"}

var headerSpellings = map[string][]string{
	"staff_ref":       {"Staff Reference", "EMPLOYEE_ID", "Person Number", " staff ref "},
	"grade":           {"Grade", "Pay Band", "GRADE"},
	"profession":      {"Profession", "profession"},
	"job_family":      {"Job Family", "DDaT_Job_Family"},
	"fte":             {"FTE", "Full-time equivalent", "full_time_equivalent"},
	"in_post":         {"In Post", "Active", "IN_POST"},
	"ddat_start_date": {"DDaT Start Date", "Date joined profession", "ddat-start-date"},
	"entry_route":     {"Entry Route", "Recruitment Route"},
}

// Spellings of each value, the first being the plain one.
var valueSpellings = map[string]map[string][]string{
	"grade": {
		"aa_ao": {"AO", "AA", "Administrative Officer"}, "eo": {"EO", "Executive Officer", "eo"},
		"heo_seo": {"HEO", "SEO", "Senior Executive Officer", "HEO(D)"}, "g7_g6": {"G7", "Grade 7", "G6", "grade 6"},
		"scs":     {"SCS1", "SCS PB2", "SCS Pay Band 3", "PB4", "Deputy Director", "Director", "Director General", "Permanent Secretary"},
		"unknown": {"", "Unknown", "Not recorded", "Band Z"},
	},
	"profession": {
		"ddat": {"DDaT", "Digital, Data and Technology", "DDAT"}, "other": {"Policy", "Finance", "Operational Delivery", "Human Resources"},
		"unknown": {"", "Unknown", "Not recorded"},
	},
	"job_family": {
		"architecture": {"Architecture"}, "chief_digital_and_data": {"Chief Digital and Data", "CDD"}, "data": {"Data", "DATA"},
		"it_operations": {"IT Operations", "IT Ops"}, "product_and_delivery": {"Product and Delivery", "Product & Delivery"},
		"quality_assurance_testing": {"Quality Assurance Testing", "QAT"}, "software_development": {"Software Development"},
		"user_centred_design": {"User-Centred Design", "User Centred Design", "UCD"}, "unknown": {"", "Not recorded", "Wizardry"},
	},
	"entry_route": {
		"apprenticeship": {"Apprenticeship", "Apprentice"}, "fast_stream": {"Fast Stream", "Digital Fast Stream"},
		"graduate_programme": {"Graduate Programme", "Graduate Scheme"}, "internship": {"Internship", "Intern"},
		"other_early_career": {"Other Early Career", "Early careers"}, "experienced_hire": {"Experienced Hire", "Lateral hire"},
		"unknown": {"", "Unknown", "Other", "Secondment"},
	},
	"in_post": {"yes": {"Yes", "Y", "true", "1", "Active"}, "no": {"No", "n", "FALSE", "0", "Inactive"}},
}

// Table writes people as rows, header first.
func Table(people []Person, l Layout) [][]string {
	rng := rand.New(rand.NewPCG(l.Seed, 7))
	order := append([]string(nil), Keys...)
	if l.Varied {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	width := len(order) + l.Extra
	header := make([]string, 0, width)
	for _, k := range order {
		h := k
		if l.Varied {
			hs := headerSpellings[k]
			h = hs[rng.IntN(len(hs))]
		}
		header = append(header, h)
	}
	for i := 0; i < l.Extra; i++ {
		header = append(header, fmt.Sprintf("Extra column %d", i+1))
	}
	rows := make([][]string, 0, len(people)+1)
	rows = append(rows, header)
	pick := func(ss []string) string {
		if !l.Varied {
			return ss[0]
		}
		return ss[rng.IntN(len(ss))]
	}
	for _, p := range people {
		row := make([]string, 0, width)
		for _, k := range order {
			var v string
			switch k {
			case "staff_ref":
				v = p.Ref
			case "in_post":
				v = pick(valueSpellings[k][map[bool]string{true: "yes", false: "no"}[p.InPost]])
			case "fte":
				v = fteText(p.MicroFTE, l.Varied, rng)
			case "ddat_start_date":
				v = dateText(p.Start, l.Varied, rng)
			case "grade":
				v = pick(valueSpellings[k][p.Grade])
			case "profession":
				v = pick(valueSpellings[k][p.Profession])
			case "job_family":
				v = pick(valueSpellings[k][p.Family])
			case "entry_route":
				v = pick(valueSpellings[k][p.Route])
			}
			row = append(row, v)
		}
		for i := 0; i < l.Extra; i++ {
			row = append(row, fmt.Sprintf("extra %d", rng.IntN(1000)))
		}
		rows = append(rows, row)
	}
	return rows
}

func fteText(m int64, varied bool, rng *rand.Rand) string {
	plain := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%d.%06d", m/1e6, m%1e6), "0"), ".")
	if !varied {
		return plain
	}
	switch rng.IntN(4) {
	case 0:
		return plain
	case 1:
		return fmt.Sprintf("%d.%06d", m/1e6, m%1e6)
	case 2: // a spreadsheet's shortest float
		return strconv.FormatFloat(float64(m)/1e6, 'g', -1, 64)
	default: // its 17-digit binary expansion, as some writers store it
		return strconv.FormatFloat(float64(m)/1e6, 'g', 17, 64)
	}
}

func dateText(t time.Time, varied bool, rng *rand.Rand) string {
	if t.IsZero() {
		return ""
	}
	if !varied {
		return t.Format("2006-01-02")
	}
	switch rng.IntN(6) {
	case 0:
		return t.Format("2006-01-02")
	case 1:
		return t.Format("02/01/2006")
	case 2:
		return t.Format("2 January 2006")
	case 3:
		return strings.ToUpper(t.Format("02-Jan-2006"))
	case 4:
		return t.Format("02/01/2006 15:04")
	default: // an Excel serial day number
		return strconv.Itoa(int(t.Sub(dayOfEpoch).Hours() / 24))
	}
}

// CSV writes rows as a CSV file.
func CSV(rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return b.Bytes()
}

// Expected is the return the people amount to in quarter q (SPEC §10), counted from the
// people with plain loops, one figure at a time.
func Expected(people []Person, q period.Quarter) map[string]string {
	v := map[string]string{}
	count := func(key string, keep func(Person) bool) {
		n := 0
		for _, p := range people {
			if keep(p) {
				n++
			}
		}
		v[key] = strconv.Itoa(n)
	}
	sumFTE := func(key string, keep func(Person) bool) {
		total := new(big.Rat)
		for _, p := range people {
			if keep(p) {
				total.Add(total, big.NewRat(p.MicroFTE, 1_000_000))
			}
		}
		v[key] = total.FloatString(2) // rounds half away from zero, as FTEs are positive: half up
	}
	inPost := func(p Person) bool { return p.InPost }
	ddatInPost := func(p Person) bool { return p.InPost && p.Profession == "ddat" }
	entrant := func(p Person) bool {
		return p.Profession == "ddat" && !p.Start.IsZero() && !p.Start.Before(q.Start()) && !p.Start.After(q.ReferenceDate())
	}
	count("headcount", inPost)
	sumFTE("fte", inPost)
	count("profession_unknown_headcount", func(p Person) bool { return p.InPost && p.Profession == "unknown" })
	count("ddat_headcount", ddatInPost)
	sumFTE("ddat_fte", ddatInPost)
	for _, f := range families {
		count("ddat_family_"+f, func(p Person) bool { return ddatInPost(p) && p.Family == f })
	}
	for _, g := range grades {
		count("ddat_grade_"+g, func(p Person) bool { return ddatInPost(p) && p.Grade == g })
	}
	count("ddat_entrants_total", entrant)
	for _, r := range routes[:5] {
		count("entrants_"+r, func(p Person) bool { return entrant(p) && p.Route == r })
	}
	return v
}
