package returntemplate

import (
	"fmt"
	"strings"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// TemplateVersion identifies the current template. It is written into the workbook as
// the cell named template_version, and a workbook whose cell says anything else is
// refused: its questions are not the ones the service collects.
const TemplateVersion = "2026.2"

// templateChanges says, for each earlier version, what changed after it, so that the
// refusal tells an analyst why their copy is out of date.
var templateChanges = map[string]string{
	"2026.1": "the leadership questions have changed: Civil Service Leadership Group members, and how many of them have attended an AI immersion workshop, replace senior leaders completing AI or digital leadership learning",
}

// CodeOldTemplate is the problem code of a workbook made from another template than the
// current one.
const CodeOldTemplate = "old_template"

// checkVersion refuses a workbook whose template_version cell names an earlier (or an
// unknown) template. found is what the cell holds, "" when it is blank or the name does
// not point at one cell; cell is where, if known.
//
// Parse calls it only when the workbook has a template_version name. A workbook without
// one is read: every template since the first carries it, so a workbook without it was
// built by a tool from the field names (SPEC §3 lets tools fill by name), and validation
// judges its fields against the current catalogue, naming any that are missing.
func checkVersion(found, cell string) error {
	found = strings.TrimSpace(found)
	if found == TemplateVersion {
		return nil
	}
	const download = "Download the current template (GET /template, or from the portal), copy your figures into it and upload that."
	var msg string
	switch change, known := templateChanges[found]; {
	case found == "":
		msg = fmt.Sprintf("This workbook's template version (the cell named %s) is blank or cannot be read, so it cannot be told apart from an older template; the current template is version %s. %s",
			NameTemplateVersion, TemplateVersion, download)
	case known:
		msg = fmt.Sprintf("This workbook is on template version %s, which is no longer accepted. Since then %s. The current template is version %s. %s",
			found, change, TemplateVersion, download)
	default:
		msg = fmt.Sprintf("This workbook says it is on template version %q, which is not the current template, version %s. %s",
			found, TemplateVersion, download)
	}
	return workforce.Invalid(msg, []workforce.Problem{{Field: NameTemplateVersion, Cell: cell, Code: CodeOldTemplate, Message: msg}})
}
