package httpapi

import (
	"encoding/json"
	"strings"
	"unicode"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// Claims says which JWT claims carry the organisation and the roles.
type Claims struct {
	Org   string // "org" by default
	Roles string // "roles" by default; Cognito groups are "cognito:groups"
}

// Principal reads who is calling from the JWT authorizer's claims.
func (c Claims) Principal(req events.APIGatewayV2HTTPRequest) workforce.Principal {
	var claims map[string]string
	if a := req.RequestContext.Authorizer; a != nil && a.JWT != nil {
		claims = a.JWT.Claims
	}
	return workforce.Principal{
		Subject: claims["sub"],
		Org:     strings.ToUpper(strings.TrimSpace(claims[c.Org])),
		Roles:   ParseList(claims[c.Roles]),
	}
}

// ParseList reads a claim that was an array in the token. API Gateway's HTTP API hands
// arrays to Lambda flattened into a string such as "[admin leader]"; other issuers send
// a JSON array, a comma-separated or a single value. All of these are accepted.
func ParseList(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var list []string
	if strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), &list) == nil {
		return clean(list)
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	return clean(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }))
}

// clean trims spaces and quotation marks, in any mix, from both ends of each value, and
// drops empty ones: a role is compared exactly, so " admin" must read as admin.
func clean(list []string) []string {
	out := list[:0]
	for _, v := range list {
		if v = strings.TrimFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == '"' }); v != "" {
			out = append(out, strings.ToLower(v))
		}
	}
	return out
}
