package workforce

import (
	"errors"
	"fmt"

	"github.com/ddat-workforce/returns/shared/textsafe"
)

// Error codes. One function at the HTTP edge turns them into statuses; anything that is
// not an *Error is internal, logged and never shown.
const (
	EInvalid      = "invalid"      // the content is wrong: 422 with every problem
	EBadRequest   = "bad_request"  // the request is malformed: 400
	ENotFound     = "not_found"    // 404
	EConflict     = "conflict"     // 409
	EForbidden    = "forbidden"    // 403
	EUnauthorized = "unauthorized" // 401
	ETooLarge     = "too_large"    // 413
	EUnsupported  = "unsupported"  // 415: a content type we do not read
	EInternal     = "internal"
)

// Error is an application error with a code and a message for people.
type Error struct {
	Code     string
	Message  string
	Problems []Problem     // field-level problems, for EInvalid: at most MaxProblems
	More     *MoreProblems // the problems not listed, when there were more than MaxProblems
}

func (e *Error) Error() string {
	if n := e.total(); n > 0 {
		return fmt.Sprintf("%s: %s (%d problems)", e.Code, e.Message, n)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) total() int {
	if e.More != nil {
		return e.More.Total
	}
	return len(e.Problems)
}

// CodeCounts counts every problem by code, the listed and the unlisted ones.
func (e *Error) CodeCounts() map[string]int {
	n := map[string]int{}
	for _, p := range e.Problems {
		n[p.Code]++
	}
	if e.More != nil {
		for code, k := range e.More.ByCode {
			n[code] += k
		}
	}
	return n
}

// MaxProblems is how many problems an answer lists. A file with 100,000 unknown fields is
// told about the first hundred and how many more there are of each kind; listing them all
// would make an answer larger than Lambda can return.
const MaxProblems = 100

// maxMessage bounds a problem's message. Messages quote client values shortened
// (textsafe.Quote), so none comes near it; it is the last guard against one that does not.
const maxMessage = 1000

// MoreProblems summarises the problems an answer does not list.
type MoreProblems struct {
	Total  int            `json:"total"`   // every problem found, listed or not
	ByCode map[string]int `json:"by_code"` // the problems not listed, by code
}

// CapProblems keeps the first MaxProblems problems and counts the rest by code. Each kept
// problem has its field, cell and message shortened, so no client value is echoed whole.
// more is nil when nothing was left out.
func CapProblems(ps []Problem) (kept []Problem, more *MoreProblems) {
	if len(ps) == 0 {
		return ps, nil
	}
	n := min(len(ps), MaxProblems)
	kept = make([]Problem, n)
	for i, p := range ps[:n] {
		kept[i] = p.bounded()
	}
	if len(ps) > n {
		more = &MoreProblems{Total: len(ps), ByCode: map[string]int{}}
		for _, p := range ps[n:] {
			more.ByCode[p.Code]++
		}
	}
	return kept, more
}

// Bounded is e with its problems capped, for an answer. An error built by Invalid is
// already capped; one built by hand may not be.
func (e *Error) Bounded() *Error {
	b := *e
	b.Message = textsafe.TruncateTo(e.Message, maxMessage)
	kept, more := CapProblems(e.Problems)
	b.Problems = kept
	if more != nil {
		b.More = more
	}
	return &b
}

// Errorf builds an *Error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid builds the error that rejects a return, naming every problem: the first
// MaxProblems of them, and how many more there are of each code.
func Invalid(message string, problems []Problem) *Error {
	kept, more := CapProblems(problems)
	return &Error{Code: EInvalid, Message: message, Problems: kept, More: more}
}

// ErrorCode is the code of err, EInternal if it carries none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage is the message for people, or a generic one for internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. Nothing was stored; please try again."
}

// Problem is one thing wrong (or worth a second look) with a return. It names the field,
// where it was found (a cell such as Return!D12, or a line of a CSV file), a machine code
// and a sentence a departmental analyst understands.
type Problem struct {
	Field   string `json:"field,omitempty"`
	Cell    string `json:"cell,omitempty"`
	Line    int    `json:"line,omitempty"`
	Row     int    `json:"row,omitempty"` // data row of a bulk file (1 = first return)
	Code    string `json:"code"`
	Message string `json:"message"`
}

// bounded is p with what it echoes of the client's input shortened: the field key (an
// unknown one is the client's), the cell (its sheet name is the client's) and the message.
func (p Problem) bounded() Problem {
	p.Field = textsafe.Truncate(p.Field)
	p.Cell = textsafe.Truncate(p.Cell)
	p.Message = textsafe.TruncateTo(p.Message, maxMessage)
	return p
}

// RawField is one value as it arrived, before it is checked, with where it came from.
type RawField struct {
	Key   string
	Value string
	Cell  string // Return!D12 for a workbook
	Line  int    // 1-based line of a CSV file
}
