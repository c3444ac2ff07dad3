package workforce

import (
	"context"
	"fmt"
	"strings"
)

// PutOrganisation adds o to the register under code, or replaces the entry there, and
// answers the entry as stored. An o without a code takes code; every problem is named,
// and the register is changed only when there are none. created is whether the code was
// new.
func (s *Service) PutOrganisation(ctx context.Context, code string, o Organisation) (stored Organisation, created bool, err error) {
	code = strings.ToUpper(code)
	if o.Code == "" {
		o.Code = code
	}
	var ps []Problem
	if o.Code != code {
		ps = append(ps, Problem{Field: "code", Code: "code_mismatch", Message: fmt.Sprintf("The body's code %q differs from the address's %q.", o.Code, code)})
	}
	ps = append(ps, o.Validate()...)
	if len(ps) > 0 {
		return Organisation{}, false, Invalid("The organisation has problems; the register was not changed.", ps)
	}
	existing, err := s.Organisations.Organisation(ctx, o.Code)
	if err != nil {
		return Organisation{}, false, err
	}
	if err := s.Organisations.PutOrganisation(ctx, o); err != nil {
		return Organisation{}, false, err
	}
	return o, existing == nil, nil
}
