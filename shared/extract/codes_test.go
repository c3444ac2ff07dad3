package extract

import (
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/workforce"
)

func TestColumnForMatchesAliasesLoosely(t *testing.T) {
	for header, want := range map[string]string{
		"staff_ref": "staff_ref", "\ufeffStaff Reference": "staff_ref", "  EMPLOYEE_ID ": "staff_ref", "Employee ID": "staff_ref",
		"Person Number": "staff_ref", "person-number": "staff_ref",
		"Grade": "grade", "PAY BAND": "grade", "pay_band": "grade",
		"Profession": "profession", "Job Family": "job_family", "job_family": "job_family", "DDaT Job Family": "job_family",
		"FTE": "fte", "Full-time equivalent": "fte", "FULL_TIME_EQUIVALENT": "fte", "full  time   equivalent": "fte",
		"In Post": "in_post", "in_post": "in_post", "Active": "in_post",
		"DDaT Start Date": "ddat_start_date", "Date joined profession": "ddat_start_date", "DDAT_START_DATE": "ddat_start_date",
		"Entry Route": "entry_route", "entry route": "entry_route", "Recruitment Route": "entry_route",
	} {
		c, ok := ColumnFor(header)
		if !ok || c.Key != want {
			t.Errorf("ColumnFor(%q) = %q, %v; want %q", header, c.Key, ok, want)
		}
	}
	for _, header := range []string{"", "Name", "FTE %", "Grade 2", "Staff", "Date of birth", "Location"} {
		if c, ok := ColumnFor(header); ok {
			t.Errorf("ColumnFor(%q) = %q, want no column", header, c.Key)
		}
	}
}

func TestCodeLists(t *testing.T) {
	for _, tc := range []struct {
		list  *CodeList
		cases map[string]int
		none  []string
	}{
		{Grades, map[string]int{
			"AA": GradeAAAO, "ao": GradeAAAO, "Administrative Officer": GradeAAAO,
			"EO": GradeEO, "Executive Officer": GradeEO,
			"HEO": GradeHEOSEO, "seo": GradeHEOSEO, "HEO(D)": GradeHEOSEO, "Senior Executive Officer": GradeHEOSEO,
			"G7": GradeG7G6, "Grade 7": GradeG7G6, "grade7": GradeG7G6, "G6": GradeG7G6, "Grade 6": GradeG7G6, "GRADE-6": GradeG7G6,
			"SCS1": GradeSCS, "SCS 1": GradeSCS, "SCS PB1": GradeSCS, "SCS Pay Band 1": GradeSCS, "scs_pay_band_2": GradeSCS,
			"SCS3": GradeSCS, "PB4": GradeSCS, "SCS4": GradeSCS, "Deputy Director": GradeSCS, "Director": GradeSCS,
			"Director General": GradeSCS, "Permanent Secretary": GradeSCS,
			"Unknown": GradeUnknown, "Not recorded": GradeUnknown,
		}, []string{"G7X", "Band A", "Grade 8", "SCS5", "Fast Streamer", "Senior"}},
		{Professions, map[string]int{
			"DDaT": ProfessionDDaT, "DDAT": ProfessionDDaT, "ddat": ProfessionDDaT, "Digital, Data and Technology": ProfessionDDaT,
			"Digital Data & Technology": ProfessionDDaT, "Digital, Data and Technology (DDaT)": ProfessionDDaT,
			"Unknown": ProfessionUnknown, "Not recorded": ProfessionUnknown, "NOT KNOWN": ProfessionUnknown,
		}, []string{"Policy", "Finance", "Digital", "Data"}},
		{JobFamilies, map[string]int{
			"Architecture": FamilyArchitecture, "Chief Digital and Data": FamilyChiefDigitalAndData, "CDD": FamilyChiefDigitalAndData,
			"Data": FamilyData, "IT Operations": FamilyITOperations, "IT Ops": FamilyITOperations,
			"Product and Delivery": FamilyProductAndDelivery, "Product & Delivery": FamilyProductAndDelivery,
			"Quality Assurance Testing": FamilyQualityAssuranceTesting, "QAT": FamilyQualityAssuranceTesting,
			"Quality Assurance Testing (QAT)": FamilyQualityAssuranceTesting, "Software Development": FamilySoftwareDevelopment,
			"User-Centred Design": FamilyUserCentredDesign, "user centred design": FamilyUserCentredDesign, "UCD": FamilyUserCentredDesign,
			"User-Centered Design": FamilyUserCentredDesign, "Not recorded": FamilyUnknown,
		}, []string{"Policy", "Data Science", "Wizardry"}},
		{EntryRoutes, map[string]int{
			"Apprenticeship": RouteApprenticeship, "apprentice": RouteApprenticeship, "Fast Stream": RouteFastStream,
			"FASTSTREAM": RouteFastStream, "Digital Fast Stream": RouteFastStream, "Graduate Programme": RouteGraduateProgramme,
			"Graduate Program": RouteGraduateProgramme, "graduate scheme": RouteGraduateProgramme, "Internship": RouteInternship,
			"Intern": RouteInternship, "Other early career": RouteOtherEarlyCareer, "Other Early-Career": RouteOtherEarlyCareer,
			"Early Careers": RouteOtherEarlyCareer, "Experienced hire": RouteExperiencedHire, "Lateral Hire": RouteExperiencedHire,
			"Unknown": RouteUnknown, "Other": RouteUnknown,
		}, []string{"Secondment", "Loan", "Transfer"}},
		{InPost, map[string]int{
			"yes": 0, "Y": 0, "TRUE": 0, "1": 0, "Active": 0, "In post": 0,
			"no": 1, "n": 1, "False": 1, "0": 1, "Inactive": 1, "Leaver": 1,
		}, []string{"maybe", "2", "Suspended", "10"}},
	} {
		for s, want := range tc.cases {
			if got, ok := tc.list.Lookup(s); !ok || got != want {
				t.Errorf("%s %q = %d, %v; want %s", tc.list.Name, s, got, ok, tc.list.Codes[want].Value)
			}
		}
		for _, s := range tc.none {
			if got, ok := tc.list.Lookup(s); ok {
				t.Errorf("%s %q = %s, want none", tc.list.Name, s, tc.list.Codes[got].Value)
			}
		}
	}
}

// The code lists count towards the return's own fields, in its order.
func TestCodeListsNameTheReturnsFields(t *testing.T) {
	check := func(name string, l *CodeList, want []string) {
		var got []string
		for _, c := range l.Codes {
			if c.Field != "" {
				got = append(got, c.Field)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s fields %v, want %v", name, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s field %d = %s, want %s", name, i, got[i], want[i])
			}
		}
	}
	check("grades", Grades, workforce.GradeKeys)
	check("job families", JobFamilies, workforce.FamilyKeys)
	check("entry routes", EntryRoutes, workforce.EarlyCareerKeys)
	if Grades.Codes[GradeUnknown].Value != "unknown" || JobFamilies.Codes[FamilyUnknown].Value != "unknown" ||
		EntryRoutes.Codes[RouteUnknown].Value != "unknown" || EntryRoutes.Codes[RouteExperiencedHire].Value != "experienced_hire" ||
		Professions.Codes[ProfessionUnknown].Value != "unknown" || InPost.Codes[0].Value != "yes" {
		t.Error("a code constant does not name its place in its list")
	}
}

func TestParseFTE(t *testing.T) {
	for s, want := range map[string]int64{
		"1": 1_000_000, "1.0": 1_000_000, "1.": 1_000_000, "0.6": 600_000, ".6": 600_000, "0.54": 540_000,
		"0.540540": 540_540, "0.5405405": 540_541, "0.54054054054054057": 540_541, "0.59999999999999998": 600_000,
		"5.4E-1": 540_000, "6e-1": 600_000, "0": 0, "37": 37_000_000, "-0.5": -500_000,
	} {
		if got, ok := parseFTE(s); !ok || got != want {
			t.Errorf("parseFTE(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", ".", "0,5", "1,000", "50%", "half", "0.5.1", "NaN", "Inf", "0x1p-1", "1_0", "9999999999999"} {
		if got, ok := parseFTE(s); ok {
			t.Errorf("parseFTE(%q) = %d, want refused", s, got)
		}
	}
}

func TestParseDate(t *testing.T) {
	for s, want := range map[string]date{
		"2025-04-01": 20250401, "2025/04/01": 20250401, "2025-4-1": 20250401, "2025-04-01T00:00:00": 20250401,
		"2025-04-01 00:00:00": 20250401, "2025-04-01T09:30:00Z": 20250401,
		"01/04/2025": 20250401, "1/4/2025": 20250401, "01-04-2025": 20250401, "01.04.2025": 20250401,
		"01/04/2025 00:00": 20250401, "30/06/2025": 20250630, "29/02/2024": 20240229,
		"1 April 2025": 20250401, "01-APR-2025": 20250401, "1 Apr 2025": 20250401, "1-Sept-2025": 20250901,
		"45748": 20250401, "45748.5": 20250401, "45838": 20250630, "18264": 19500101,
	} {
		if got, why := parseDate(s, false); why != dateOK || got != want {
			t.Errorf("parseDate(%q) = %d, %d; want %d", s, got, why, want)
		}
	}
	if got, why := parseDate("44286", true); why != dateOK || got != 20250401 {
		t.Errorf("1904 serial 44286 = %d, %d; want 2025-04-01", got, why)
	}
	for s, want := range map[string]int{
		"04/13/2025": dateUnreadable, "31/04/2025": dateUnreadable, "29/02/2025": dateUnreadable, "2025-13-01": dateUnreadable,
		"01/04/25": dateShortYear, "01-APR-25": dateShortYear, "April 2025": dateUnreadable, "2025": dateOutOfRange,
		"20250401": dateOutOfRange, "100": dateOutOfRange, "01/04/1949": dateOutOfRange, "2100-01-01": dateOutOfRange,
		"yesterday": dateUnreadable, "2025-04-01X": dateUnreadable, "01/04/2025 noon": dateUnreadable, "1 Foo 2025": dateUnreadable,
		"2025-04": dateUnreadable, "-45748": dateUnreadable, "01/04/02025": dateUnreadable,
	} {
		if got, why := parseDate(s, false); why != want {
			t.Errorf("parseDate(%q) = %d, %d; want refusal %d", s, got, why, want)
		}
	}
}

func TestColumnLetter(t *testing.T) {
	for i, want := range map[int]string{0: "A", 7: "H", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := columnLetter(i); got != want {
			t.Errorf("columnLetter(%d) = %s, want %s", i, got, want)
		}
	}
}

func TestCivilAgreesWithTime(t *testing.T) {
	for n := -30_000; n <= 60_000; n++ {
		if got, want := civil(n), dateOf(time.Unix(int64(n)*86400, 0).UTC()); got != want {
			t.Fatalf("civil(%d) = %d, want %d", n, got, want)
		}
	}
}
