package api

import (
	"crypto/subtle"
	"net"
	"net/http"

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
	e.Any("/riverui/*", h, guard)
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
