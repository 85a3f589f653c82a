package api

import (
	"time"

	"github.com/labstack/echo/v4"

	"phonoglyph/metrics"
)

// observe counts and times every request by its route template (Echo's
// c.Path(), e.g. /api/v1/jobs/:id), never the raw path, so ids do not
// become label values. It runs outside the request logger, which has
// already turned a handler's error into the answer, so the status is final.
func observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		route := c.Path()
		if route == "" || c.Response().Status == 404 && route == "/*" {
			route = metrics.RouteUnmatched
		}
		metrics.ObserveHTTP(route, c.Request().Method, c.Response().Status, time.Since(start))
		return err
	}
}
