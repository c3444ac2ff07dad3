package portal

import (
	"net/http"
)

func init() {
	pageGroups = append(pageGroups, func(s *Server) []page {
		return []page{{"GET " + s.cfg.BasePath + "/no-access", s.noAccess}}
	})
}

// noAccess is for a signed-in user whose token gives no role the portal knows.
func (s *Server) noAccess(w http.ResponseWriter, r *http.Request, sess *Session) {
	s.problemPage(w, r, http.StatusForbidden, "Your account has no access to this service",
		"You are signed in, but your account has not been given a role in this service. Ask your organisation's administrator to add you.")
}
