package workforce

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/textsafe"
)

// SignOff is an approver's word that one exact version of a return is right: it is bound
// to the version's content hash, so it says nothing about any later version.
type SignOff struct {
	Org     string
	Period  period.Quarter
	Version int
	SHA256  string    // the content hash of the version signed off
	By      string    // the approver's token subject, an opaque id
	At      time.Time // when
}

// ErrSignedOff is returned by SignOffStore.PutSignOff when the version has a sign-off
// already; ErrNotCurrent when the version is no longer current, or its hash is not the
// one given.
var (
	ErrSignedOff  = errors.New("version already signed off")
	ErrNotCurrent = errors.New("version not current with that hash")
)

// SignOffStore keeps sign-offs. PutSignOff must be atomic: it records s on condition
// that version s.Version of the return is current with hash s.SHA256 and has no sign-off
// yet, and marks the current version as signed off in the same write, or it records
// nothing and answers ErrSignedOff or ErrNotCurrent.
type SignOffStore interface {
	SignOffs(ctx context.Context, org string, q period.Quarter) ([]SignOff, error)
	PutSignOff(ctx context.Context, s SignOff) error
}

// Sign-off problem codes, in the errors of a 409.
const (
	CodeAlreadySignedOff = "already_signed_off"
	CodeVersionReplaced  = "version_superseded"
	CodeStaleSHA256      = "stale_sha256"
)

var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// SignOffRequest is an approver's request to sign off version Version of a return,
// having read the content whose hash is SHA256.
type SignOffRequest struct {
	Principal Principal
	Org       string
	Period    period.Quarter
	Version   int
	SHA256    string
}

// SignOff records p's sign-off of version n. created is false when the same approver
// had already signed off the same version: a retry answers the sign-off it made. Any
// other second sign-off, of a version that is no longer current, or with a hash that is
// not the current version's is a conflict naming what is current.
func (s *Service) SignOff(ctx context.Context, r SignOffRequest) (so SignOff, created bool, err error) {
	p := r.Principal
	org := strings.ToUpper(strings.TrimSpace(r.Org))
	if !SignOffReturns.Allows(p, org) {
		return SignOff{}, false, Errorf(EForbidden, "You can sign off returns only for your own organisation (%s), not %s.", textsafe.OrNone(p.Org), org)
	}
	if p.Subject == "" {
		return SignOff{}, false, Errorf(EForbidden, "Your token has no subject (sub claim), so a sign-off could not say who made it.")
	}
	hash := strings.ToLower(strings.TrimSpace(r.SHA256))
	if !sha256RE.MatchString(hash) {
		msg := fmt.Sprintf("sha256 must be the version's SHA-256 as GET /returns/%s/%s/versions/%d answers it: 64 hexadecimal characters; %s is not.", org, r.Period, r.Version, textsafe.Quote(r.SHA256))
		return SignOff{}, false, Invalid("The sign-off has 1 problem; nothing was recorded.", []Problem{{Field: "sha256", Code: "invalid_sha256", Message: msg}})
	}
	so = SignOff{Org: org, Period: r.Period, Version: r.Version, SHA256: hash, By: p.Subject, At: s.now()}
	for attempt := 0; attempt < 3; attempt++ {
		cur, err := s.Returns.Current(ctx, org, r.Period)
		if err != nil {
			return SignOff{}, false, err
		}
		if cur == nil {
			return SignOff{}, false, Errorf(ENotFound, "%s has no return for %s.", org, r.Period)
		}
		if r.Version > cur.Number {
			return SignOff{}, false, Errorf(ENotFound, "%s %s has no version %d; it has %d.", org, r.Period, r.Version, cur.Number)
		}
		if prior, err := s.signOffOf(ctx, org, r.Period, r.Version); err != nil || prior != nil {
			if err != nil {
				return SignOff{}, false, err
			}
			return s.repeated(*prior, so)
		}
		if err := notCurrent(so, cur); err != nil {
			return SignOff{}, false, err
		}
		switch err := s.SignOffs.PutSignOff(ctx, so); {
		case err == nil:
			return so, true, nil
		case errors.Is(err, ErrSignedOff), errors.Is(err, ErrNotCurrent):
			continue // another sign-off or version came first: look again and say which
		default:
			return SignOff{}, false, err
		}
	}
	return SignOff{}, false, Errorf(EConflict, "%s %s changed while it was being signed off; read it again and sign off the current version.", org, r.Period)
}

// signOffOf is version n's sign-off, nil if it has none.
func (s *Service) signOffOf(ctx context.Context, org string, q period.Quarter, n int) (*SignOff, error) {
	all, err := s.SignOffs.SignOffs(ctx, org, q)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].Version == n {
			return &all[i], nil
		}
	}
	return nil, nil
}

// repeated answers a sign-off of a version that has one: the same approver's of the same
// content is a retry and gets the first answer; anything else is refused.
func (s *Service) repeated(prior, asked SignOff) (SignOff, bool, error) {
	if prior.By == asked.By && prior.SHA256 == asked.SHA256 {
		return prior, false, nil
	}
	msg := fmt.Sprintf("Version %d of %s %s was signed off on %s (sha256 %s); a version is signed off once.",
		prior.Version, prior.Org, prior.Period, prior.At.UTC().Format("2 January 2006 at 15:04 UTC"), prior.SHA256)
	return SignOff{}, false, &Error{Code: EConflict, Message: msg, Problems: []Problem{{Field: "version", Code: CodeAlreadySignedOff, Message: msg}}}
}

// notCurrent is the conflict of signing off so when cur is the current version: so must
// name it and its hash.
func notCurrent(so SignOff, cur *Version) error {
	var code, msg string
	switch {
	case so.Version < cur.Number:
		code = CodeVersionReplaced
		msg = fmt.Sprintf("Version %d of %s %s has been replaced by version %d, received on %s (sha256 %s). Read the current version and sign that off.",
			so.Version, so.Org, so.Period, cur.Number, period.LongDate(cur.ReceivedAt.UTC()), cur.SHA256)
	case so.SHA256 != cur.SHA256:
		code = CodeStaleSHA256
		msg = fmt.Sprintf("The sha256 sent, %s, is not that of version %d of %s %s, which is %s. Read the version again and sign off what it holds.",
			so.SHA256, cur.Number, so.Org, so.Period, cur.SHA256)
	default:
		return nil
	}
	return &Error{Code: EConflict, Message: msg, Problems: []Problem{{Field: "sha256", Code: code, Message: msg}}}
}
