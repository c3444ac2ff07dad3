package workforce

import (
	"errors"
	"fmt"
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
	Problems []Problem // field-level problems, for EInvalid
}

func (e *Error) Error() string {
	if len(e.Problems) > 0 {
		return fmt.Sprintf("%s: %s (%d problems)", e.Code, e.Message, len(e.Problems))
	}
	return e.Code + ": " + e.Message
}

// Errorf builds an *Error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid builds the error that rejects a return, naming every problem.
func Invalid(message string, problems []Problem) *Error {
	return &Error{Code: EInvalid, Message: message, Problems: problems}
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

// Severity of a problem: errors reject a return, warnings are stored with it.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

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

// RawField is one value as it arrived, before it is checked, with where it came from.
type RawField struct {
	Key   string
	Value string
	Cell  string // Return!D12 for a workbook
	Line  int    // 1-based line of a CSV file
}
