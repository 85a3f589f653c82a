package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"phonoglyph"
	"phonoglyph/auth"
)

// headerGuestSession carries a signed guest token.
const headerGuestSession = "X-Guest-Session"

const identityKey = "identity"

// guestLimits tells a guest what a guest session allows.
var guestLimits = GuestLimits{MaxProjects: 0, DataRetention: "7 days", Features: []string{"read_only"}, ReadOnly: true}

// authenticate resolves the caller from a Supabase bearer token or a signed
// guest session. A request with neither passes as anonymous; requireUser
// decides what needs a user. A bad credential is always a 401, never
// silently downgraded.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if h := req.Header.Get(echo.HeaderAuthorization); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || token == "" {
				return phonoglyph.Errorf(phonoglyph.EUNAUTHORIZED, "Authorization must be a Bearer token.")
			}
			id, err := s.opt.Verifier.Verify(req.Context(), token)
			if err != nil {
				return err
			}
			c.Set(identityKey, id)
		} else if g := req.Header.Get(headerGuestSession); g != "" {
			id, err := s.opt.Guests.Verify(g, time.Now())
			if err != nil {
				return err
			}
			c.Set(identityKey, id)
		}
		return next(c)
	}
}

// requireUser admits signed-in users. Guests are read-only visitors who own
// nothing, so every user-data endpoint answers them 403 with a reason.
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, ok := identity(c)
		if !ok {
			return phonoglyph.Errorf(phonoglyph.EUNAUTHORIZED, "Sign in required: send Authorization: Bearer <token>.")
		}
		if id.Guest {
			return phonoglyph.Errorf(phonoglyph.EFORBIDDEN, "Guest sessions are read-only: sign in to upload and analyse files.")
		}
		return next(c)
	}
}

func identity(c echo.Context) (auth.Identity, bool) {
	id, ok := c.Get(identityKey).(auth.Identity)
	return id, ok
}

// userID is the signed-in caller's id (routes behind requireUser).
func userID(c echo.Context) string {
	id, _ := identity(c)
	return id.UserID
}

func (s *Server) createGuestSession(c echo.Context) error {
	token, id, expires := s.opt.Guests.Issue(time.Now())
	return c.JSON(http.StatusCreated, GuestSession{Token: token, GuestID: id, UserID: "guest_" + id, ExpiresAt: expires,
		Header: headerGuestSession, Limits: guestLimits})
}

func (s *Server) me(c echo.Context) error {
	id, ok := identity(c)
	if !ok {
		return phonoglyph.Errorf(phonoglyph.EUNAUTHORIZED, "Sign in or start a guest session.")
	}
	body := Me{UserID: id.UserID, Guest: id.Guest, Role: id.Role, Email: id.Email}
	if id.Guest {
		limits := guestLimits
		body.Limits = &limits
	}
	return c.JSON(http.StatusOK, body)
}
