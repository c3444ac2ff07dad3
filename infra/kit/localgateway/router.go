package localgateway

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ddat-workforce/returns/shared/httpapi"
)

// segment kinds, in the order API Gateway prefers them: a literal beats a parameter, which
// beats a greedy parameter.
const (
	greedy = iota
	param
	literal
)

type segment struct {
	kind int
	text string // the literal, or the parameter's name
}

type compiledRoute struct {
	route    httpapi.Route
	segments []segment
}

// router matches requests to routes as HTTP API does: the most specific route wins, whatever
// the order of the table. Specificity is compared segment by segment from the left, then an
// exact method beats ANY.
type router struct {
	routes []compiledRoute
}

func newRouter(routes []httpapi.Route) (*router, error) {
	rt := &router{}
	seen := map[string]string{}
	for _, r := range routes {
		if !strings.HasPrefix(r.Path, "/") {
			return nil, fmt.Errorf("route %q: path must start with /", r.Key())
		}
		cr := compiledRoute{route: r}
		parts := strings.Split(r.Path[1:], "/")
		for i, p := range parts {
			switch {
			case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}"):
				if i != len(parts)-1 {
					return nil, fmt.Errorf("route %q: a greedy parameter must be last", r.Key())
				}
				cr.segments = append(cr.segments, segment{greedy, p[1 : len(p)-2]})
			case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
				cr.segments = append(cr.segments, segment{param, p[1 : len(p)-1]})
			default:
				cr.segments = append(cr.segments, segment{literal, p})
			}
		}
		// Two routes of the same shape would be ambiguous; API Gateway refuses them too.
		shape := r.Method + " " + cr.shape()
		if prev, ok := seen[shape]; ok {
			return nil, fmt.Errorf("routes %q and %q conflict", prev, r.Key())
		}
		seen[shape] = r.Key()
		rt.routes = append(rt.routes, cr)
	}
	return rt, nil
}

func (cr compiledRoute) shape() string {
	var b strings.Builder
	for _, s := range cr.segments {
		b.WriteByte('/')
		switch s.kind {
		case literal:
			b.WriteString(s.text)
		case param:
			b.WriteString("{}")
		case greedy:
			b.WriteString("{+}")
		}
	}
	return b.String()
}

// match finds the route for a method and a path already split into unescaped segments.
func (rt *router) match(method string, segs []string) (httpapi.Route, map[string]string, bool) {
	var (
		best       *compiledRoute
		bestParams map[string]string
	)
	for i := range rt.routes {
		cr := &rt.routes[i]
		if cr.route.Method != method && cr.route.Method != "ANY" {
			continue
		}
		params, ok := cr.bind(segs)
		if !ok {
			continue
		}
		if best == nil || moreSpecific(cr, best) {
			best, bestParams = cr, params
		}
	}
	if best == nil {
		return httpapi.Route{}, nil, false
	}
	return best.route, bestParams, true
}

func (cr *compiledRoute) bind(segs []string) (map[string]string, bool) {
	var params map[string]string
	set := func(k, v string) {
		if params == nil {
			params = map[string]string{}
		}
		params[k] = v
	}
	for i, s := range cr.segments {
		if s.kind == greedy {
			rest := segs[i:]
			if len(rest) == 0 || rest[0] == "" {
				return nil, false
			}
			set(s.text, strings.Join(rest, "/"))
			return params, true
		}
		if i >= len(segs) {
			return nil, false
		}
		switch s.kind {
		case literal:
			if segs[i] != s.text {
				return nil, false
			}
		case param:
			if segs[i] == "" {
				return nil, false
			}
			set(s.text, segs[i])
		}
	}
	if len(segs) != len(cr.segments) {
		return nil, false
	}
	return params, true
}

func moreSpecific(a, b *compiledRoute) bool {
	ka := make([]int, len(a.segments))
	for i, s := range a.segments {
		ka[i] = s.kind
	}
	kb := make([]int, len(b.segments))
	for i, s := range b.segments {
		kb[i] = s.kind
	}
	if c := slices.Compare(ka, kb); c != 0 {
		return c > 0
	}
	return a.route.Method != "ANY" && b.route.Method == "ANY"
}
