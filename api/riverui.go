package api

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// mountRiverUI serves River UI under /riverui/. With RIVER_UI_USER and
// RIVER_UI_PASSWORD it is behind basic auth; without them it is open to
// loopback clients in development and disabled in production.
func (s *Server) mountRiverUI(e *echo.Echo) {
	if s.opt.RiverUI == nil {
		return
	}
	var guard echo.MiddlewareFunc
	switch {
	case s.opt.RiverUIUser != "":
		guard = middleware.BasicAuthWithConfig(middleware.BasicAuthConfig{
			Realm: "River UI",
			Validator: func(user, pass string, _ echo.Context) (bool, error) {
				okUser := subtle.ConstantTimeCompare([]byte(user), []byte(s.opt.RiverUIUser)) == 1
				okPass := subtle.ConstantTimeCompare([]byte(pass), []byte(s.opt.RiverUIPassword)) == 1
				return okUser && okPass, nil
			},
		})
	case s.development():
		s.log.Warn("River UI is open to localhost without a password (development); set RIVER_UI_USER and RIVER_UI_PASSWORD to protect it")
		guard = loopbackOnly
	default:
		s.log.Warn("River UI disabled: set RIVER_UI_USER and RIVER_UI_PASSWORD to enable it in production")
		return
	}
	h := echo.WrapHandler(s.opt.RiverUI)
	e.GET("/riverui", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/riverui/") })
	e.Any("/riverui/*", h, sameOrigin, guard)
}

// sameOrigin refuses cross-site requests to River UI, whose API retries,
// cancels and deletes jobs: a browser sends cached Basic credentials with
// any site's form POST, so a request a browser marks as coming from another
// site (Sec-Fetch-Site), or whose Origin is not this host, is refused before
// the credentials are even looked at. Browsers send Origin with every POST,
// so a cross-site form cannot pass; tools that send neither header (curl)
// carry no browser's ambient credentials and go on to the Basic auth check.
func sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		site := req.Header.Get("Sec-Fetch-Site")
		origin := req.Header.Get(echo.HeaderOrigin)
		switch {
		case site == "same-origin" || site == "none": // the browser vouches for it
		case site != "":
			return echo.NewHTTPError(http.StatusForbidden, "River UI refuses cross-site requests.")
		case origin != "" && !originIsHost(origin, req.Host):
			return echo.NewHTTPError(http.StatusForbidden, "River UI refuses requests from another origin.")
		}
		return next(c)
	}
}

// originIsHost reports whether an Origin header names host (host[:port]).
func originIsHost(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && strings.EqualFold(u.Host, host)
}

// loopbackOnly admits requests whose peer is on this machine.
func loopbackOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		host, _, err := net.SplitHostPort(c.Request().RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return echo.NewHTTPError(http.StatusForbidden, "River UI is only served to localhost without credentials.")
		}
		return next(c)
	}
}
