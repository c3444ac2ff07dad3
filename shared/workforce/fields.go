// Package workforce is the domain of the quarterly DDaT workforce return: the field
// catalogue, organisations, validation and the submission service. It imports nothing
// from AWS; adapters live in sibling packages named after what they adapt.
package workforce

// OrgKind says which sections of the return an organisation answers.
type OrgKind string

const (
	CivilService    OrgKind = "civil_service"
	LocalGovernment OrgKind = "local_government"
)

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool { return k == CivilService || k == LocalGovernment }

// FieldType says how a value is written, read and checked.
type FieldType string

const (
	TypeOrg    FieldType = "org"    // an organisation code from the register
	TypePeriod FieldType = "period" // a financial-year quarter, 2025-26-Q1
	TypeText   FieldType = "text"
	TypeEmail  FieldType = "email"
	TypeCount  FieldType = "count" // a whole number ≥ 0 (or ≥ Min)
	TypeFTE    FieldType = "fte"   // a decimal ≥ 0 with up to 2 places
	TypeYesNo  FieldType = "yes_no"
)

// Section groups fields on the template and in reports.
type Section struct {
	ID    string
	Title string
	Intro string
}

var (
	SectionIdentity   = Section{"identity", "About this return", "Which organisation and quarter this return is for, and who to contact about it."}
	SectionWorkforce  = Section{"workforce", "Workforce at the reference date", "Civil servants in post on the last day of the quarter. Do not include contractors, consultants or agency staff."}
	SectionFamily     = Section{"job_family", "DDaT headcount by job family", "Split your DDaT headcount by DDaT Capability Framework job family. These must add up to DDaT headcount."}
	SectionGrade      = Section{"grade", "DDaT headcount by grade", "Split your DDaT headcount by grade. These must add up to DDaT headcount."}
	SectionEntrants   = Section{"entrants", "Entrants to the DDaT profession in the quarter", "People who joined the DDaT profession during the quarter, by route."}
	SectionLeadership = Section{"leadership", "Digital leadership", "Digital and data leadership at the reference date and appointments during the quarter."}
)

// Sections in the order they appear on the template.
var Sections = []Section{SectionIdentity, SectionWorkforce, SectionFamily, SectionGrade, SectionEntrants, SectionLeadership}

// Field is one entry of the catalogue. Its Key is the JSON property, the CSV field name
// and the Excel defined name.
type Field struct {
	Key      string
	Label    string
	Help     string
	Section  Section
	Type     FieldType
	Optional bool      // identity fields that may be left blank
	Kinds    []OrgKind // the organisation kinds that answer it
	Min      int64     // least allowed value for counts (0 unless stated)
	MaxLen   int       // for text
	// Multiline text may hold line breaks and tabs; other text holds no control character.
	Multiline bool
	// Annotation fields say why a version was sent, not what the return holds: they are
	// outside the content hash (a resend of the same figures with a new reason is still a
	// duplicate) and outside the changes between versions.
	Annotation bool
}

// Content reports whether f is part of the return's content: every field but annotations.
func (f Field) Content() bool { return !f.Annotation }

// AppliesTo reports whether organisations of kind k answer f.
func (f Field) AppliesTo(k OrgKind) bool {
	for _, x := range f.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Numeric reports whether the field holds a count or an FTE.
func (f Field) Numeric() bool { return f.Type == TypeCount || f.Type == TypeFTE }

var (
	all      = []OrgKind{CivilService, LocalGovernment}
	csOnly   = []OrgKind{CivilService}
	identity = func(key, label, help string, t FieldType, optional bool, maxLen int) Field {
		return Field{Key: key, Label: label, Help: help, Section: SectionIdentity, Type: t, Optional: optional, Kinds: all, MaxLen: maxLen}
	}
	count = func(s Section, key, label, help string) Field {
		return Field{Key: key, Label: label, Help: help, Section: s, Type: TypeCount, Kinds: csOnly}
	}
	// lead is a leadership field; the two yes/no answers are for every kind, the counts
	// for the Civil Service only.
	lead = func(key, label, help string, t FieldType, kinds []OrgKind) Field {
		return Field{Key: key, Label: label, Help: help, Section: SectionLeadership, Type: t, Kinds: kinds}
	}
	multiline  = func(f Field) Field { f.Multiline = true; return f }
	annotation = func(f Field) Field { f.Annotation = true; return f }
)

// MaxRevisionReason is the longest revision_reason, in characters.
const MaxRevisionReason = 500

// Field keys used by rules and metrics.
const (
	KeyOrg                         = "org"
	KeyPeriod                      = "period"
	KeyContactName                 = "contact_name"
	KeyContactEmail                = "contact_email"
	KeyNotes                       = "notes"
	KeyRevisionReason              = "revision_reason"
	KeyHeadcount                   = "headcount"
	KeyFTE                         = "fte"
	KeyProfessionUnknown           = "profession_unknown_headcount"
	KeyDDaTHeadcount               = "ddat_headcount"
	KeyDDaTFTE                     = "ddat_fte"
	KeyEntrantsTotal               = "ddat_entrants_total"
	KeyExecDigitalLeader           = "exec_committee_digital_leader"
	KeyBoardDigitalNED             = "board_digital_ned"
	KeySeniorAppointments          = "senior_appointments"
	KeySeniorAppointmentsAssessed  = "senior_appointments_assessed"
	KeyDigitalSeniorRoles          = "digital_senior_roles"
	KeyDigitalSeniorRolesSuccessor = "digital_senior_roles_with_succession_plan"
	KeyCSLGMembers                 = "cslg_members"
	KeyCSLGMembersAIImmersion      = "cslg_members_ai_immersion"
)

// Fields is the catalogue, in template order.
var Fields = []Field{
	identity(KeyOrg, "Organisation", "Choose your organisation from the list.", TypeOrg, false, 0),
	identity(KeyPeriod, "Quarter", "The financial-year quarter this return is for, for example 2025-26-Q1 (April to June 2025).", TypePeriod, false, 0),
	identity(KeyContactName, "Contact name", "Who we should contact about this return (optional).", TypeText, true, 200),
	identity(KeyContactEmail, "Contact email", "Their work email address (optional).", TypeEmail, true, 254),
	multiline(identity(KeyNotes, "Notes", "Anything that helps us read your figures, such as a reorganisation (optional, up to 2,000 characters).", TypeText, true, 2000)),
	// Required of a revision (version 2 on), which Service checks where the version number
	// is known; a first version may carry one.
	annotation(multiline(identity(KeyRevisionReason, "Reason for this revision", "If a return for this quarter has been sent already, say why you are changing it (required for a revision, up to 500 characters).", TypeText, true, MaxRevisionReason))),

	{Key: KeyHeadcount, Label: "Headcount", Help: "All civil servants in post, as a headcount.", Section: SectionWorkforce, Type: TypeCount, Kinds: csOnly, Min: 1},
	{Key: KeyFTE, Label: "Full-time equivalent (FTE)", Help: "All civil servants in post, as full-time equivalent, up to 2 decimal places. Cannot exceed headcount.", Section: SectionWorkforce, Type: TypeFTE, Kinds: csOnly},
	count(SectionWorkforce, KeyProfessionUnknown, "Headcount with profession not recorded", "Civil servants whose profession is not recorded in your HR system."),
	count(SectionWorkforce, KeyDDaTHeadcount, "DDaT profession headcount", "Civil servants who are members of the DDaT profession. Cannot exceed headcount minus those with profession not recorded."),
	{Key: KeyDDaTFTE, Label: "DDaT profession FTE", Help: "DDaT profession as full-time equivalent, up to 2 decimal places. Cannot exceed DDaT headcount or total FTE.", Section: SectionWorkforce, Type: TypeFTE, Kinds: csOnly},

	count(SectionFamily, "ddat_family_architecture", "Architecture", ""),
	count(SectionFamily, "ddat_family_chief_digital_and_data", "Chief digital and data", ""),
	count(SectionFamily, "ddat_family_data", "Data", ""),
	count(SectionFamily, "ddat_family_it_operations", "IT operations", ""),
	count(SectionFamily, "ddat_family_product_and_delivery", "Product and delivery", ""),
	count(SectionFamily, "ddat_family_quality_assurance_testing", "Quality assurance testing (QAT)", ""),
	count(SectionFamily, "ddat_family_software_development", "Software development", ""),
	count(SectionFamily, "ddat_family_user_centred_design", "User-centred design", ""),
	count(SectionFamily, "ddat_family_unknown", "Job family not recorded", ""),

	count(SectionGrade, "ddat_grade_aa_ao", "AA and AO", ""),
	count(SectionGrade, "ddat_grade_eo", "EO", ""),
	count(SectionGrade, "ddat_grade_heo_seo", "HEO and SEO", ""),
	count(SectionGrade, "ddat_grade_g7_g6", "Grade 7 and Grade 6", ""),
	count(SectionGrade, "ddat_grade_scs", "Senior Civil Service", ""),
	count(SectionGrade, "ddat_grade_unknown", "Grade not recorded", ""),

	count(SectionEntrants, KeyEntrantsTotal, "All entrants to DDaT", "Everyone who joined the DDaT profession in the quarter, by any route, including experienced hires."),
	count(SectionEntrants, "entrants_apprenticeship", "Apprenticeships", "Early-career route."),
	count(SectionEntrants, "entrants_fast_stream", "Fast Stream", "Early-career route."),
	count(SectionEntrants, "entrants_graduate_programme", "Graduate programmes", "Early-career route."),
	count(SectionEntrants, "entrants_internship", "Internships", "Early-career route."),
	count(SectionEntrants, "entrants_other_early_career", "Other early-career programmes", "Early-career route."),

	lead(KeyExecDigitalLeader, "Digital leader on the executive committee", "Yes or no, at the reference date.", TypeYesNo, all),
	lead(KeyBoardDigitalNED, "Digital non-executive director on the board", "Yes or no, at the reference date.", TypeYesNo, all),
	lead(KeySeniorAppointments, "Directors and directors general appointed", "Appointed during the quarter.", TypeCount, csOnly),
	lead(KeySeniorAppointmentsAssessed, "…of whom assessed on digital and data skills", "Cannot exceed the number appointed.", TypeCount, csOnly),
	lead(KeyDigitalSeniorRoles, "Digital and data director and DG roles", "At the reference date.", TypeCount, csOnly),
	lead(KeyDigitalSeniorRolesSuccessor, "…of which with a succession plan", "Cannot exceed the number of roles.", TypeCount, csOnly),
	lead(KeyCSLGMembers, "Civil Service Leadership Group members", "Members of the Civil Service Leadership Group in your organisation at the reference date.", TypeCount, csOnly),
	lead(KeyCSLGMembersAIImmersion, "…of whom have attended an AI immersion workshop", "Those members who have attended an AI immersion workshop at any time up to the reference date, not only this quarter. Cannot exceed the number of members.", TypeCount, csOnly),
}

// Field families used by rules and reports.
var (
	FamilyKeys      = keysIn(SectionFamily)
	GradeKeys       = keysIn(SectionGrade)
	EarlyCareerKeys = []string{"entrants_apprenticeship", "entrants_fast_stream", "entrants_graduate_programme", "entrants_internship", "entrants_other_early_career"}
	fieldIndex      = indexFields()
)

func keysIn(s Section) []string {
	var ks []string
	for _, f := range Fields {
		if f.Section.ID == s.ID {
			ks = append(ks, f.Key)
		}
	}
	return ks
}

func indexFields() map[string]Field {
	m := make(map[string]Field, len(Fields))
	for _, f := range Fields {
		m[f.Key] = f
	}
	return m
}

// FieldByKey looks a field up by its key.
func FieldByKey(key string) (Field, bool) {
	f, ok := fieldIndex[key]
	return f, ok
}

// FieldsFor lists the fields organisations of kind k answer, in catalogue order.
func FieldsFor(k OrgKind) []Field {
	var fs []Field
	for _, f := range Fields {
		if f.AppliesTo(k) {
			fs = append(fs, f)
		}
	}
	return fs
}
