package collection

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"maps"
	"strings"
	"text/template"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Message is one email to one address: which template, filled with what. GOV.UK Notify
// keeps its own copy of each template, under an id of its own; the SMTP adapter renders
// the words here with Text.
type Message struct {
	To       string // the only personal data a message holds: never log it
	Template Stage
	// Reference identifies the message without personal data ("2026-27-Q2/due_soon/HMRC"):
	// Notify keeps it, and the record of what was sent is keyed on it.
	Reference       string
	Personalisation map[string]string
}

// Sender sends one message. An error that matches ErrTemporary (a rate limit, a server
// error, a dropped connection) may succeed if sent again later; any other will not.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrTemporary matches (errors.Is) a sending failure worth trying again.
var ErrTemporary = errors.New("temporary failure: try again later")

// The personalisation every reminder carries. GOV.UK Notify's templates name the same
// fields in double brackets: ((organisation)).
const (
	FieldOrganisation = "organisation" // "HM Revenue and Customs"
	FieldReturnName   = "return_name"  // "DDaT workforce return", or "DDaT leadership return" for local government
	FieldQuarter      = "quarter"      // "July to September 2026 (2026-27-Q2)"
	FieldDueDate      = "due_date"     // "30 October 2026"
	FieldSendTo       = "send_to"      // where to send the return: the service's address
)

// Fields lists the personalisation fields, in the order the words use them.
func Fields() []string {
	return []string{FieldReturnName, FieldOrganisation, FieldQuarter, FieldDueDate, FieldSendTo}
}

// QuarterLabel is how a reminder names a quarter: "July to September 2026 (2026-27-Q2)".
func QuarterLabel(r Reminder) string { return fmt.Sprintf("%s (%s)", r.Period.Label(), r.Period) }

// Messages are r's emails to a, one per returns contact; sendTo says where the return
// goes (the service's address). None when a has no contacts.
func (r Reminder) Messages(a Addressee, sendTo string) []Message {
	name := "DDaT workforce return"
	if a.Kind == workforce.LocalGovernment {
		name = "DDaT leadership return"
	}
	p := map[string]string{
		FieldOrganisation: a.Name,
		FieldReturnName:   name,
		FieldQuarter:      QuarterLabel(r),
		FieldDueDate:      period.LongDate(r.Due),
		FieldSendTo:       sendTo,
	}
	out := make([]Message, 0, len(a.Contacts))
	for _, to := range a.Contacts {
		out = append(out, Message{To: to, Template: r.Stage, Reference: r.Key() + "/" + a.Org, Personalisation: maps.Clone(p)})
	}
	return out
}

//go:embed texts/*.txt
var textFiles embed.FS

// texts are the words of each stage: a subject line, a blank line, then the body.
var texts = func() map[Stage]*template.Template {
	m := map[Stage]*template.Template{}
	for _, s := range Stages() {
		src, err := textFiles.ReadFile("texts/" + string(s) + ".txt")
		if err != nil {
			panic(fmt.Sprintf("collection: no words for %s: %v", s, err))
		}
		m[s] = template.Must(template.New(string(s)).Option("missingkey=error").Parse(string(src)))
	}
	return m
}()

// Text renders m's words: its subject and its plain-text body, CRLF-free. Every
// personalisation field must be given and non-empty.
func Text(m Message) (subject, body string, err error) {
	t, ok := texts[m.Template]
	if !ok {
		return "", "", fmt.Errorf("no reminder text for template %q; the templates are %v", m.Template, Stages())
	}
	var missing, broken []string
	for _, f := range Fields() {
		v := m.Personalisation[f]
		if strings.TrimSpace(v) == "" {
			missing = append(missing, f)
		}
		if strings.ContainsAny(v, "\r\n") {
			broken = append(broken, f)
		}
	}
	if len(missing) > 0 {
		return "", "", fmt.Errorf("reminder %s: personalisation lacks %s", m.Reference, strings.Join(missing, ", "))
	}
	if len(broken) > 0 {
		return "", "", fmt.Errorf("reminder %s: personalisation %s must be on one line", m.Reference, strings.Join(broken, ", "))
	}
	var b bytes.Buffer
	if err := t.Execute(&b, m.Personalisation); err != nil {
		return "", "", fmt.Errorf("reminder %s: %w", m.Reference, err)
	}
	subject, body, _ = strings.Cut(b.String(), "\n")
	return strings.TrimSpace(subject), strings.TrimLeft(body, "\n"), nil
}
