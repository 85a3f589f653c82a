package api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

// BenchmarkObserve is the cost of the metrics middleware per request: the
// same route served with and without it.
//
//	go test ./api -run '^$' -bench Observe -benchmem
func BenchmarkObserve(b *testing.B) {
	for _, bc := range []struct {
		name string
		mw   []echo.MiddlewareFunc
	}{{"bare", nil}, {"observed", []echo.MiddlewareFunc{observe}}} {
		b.Run(bc.name, func(b *testing.B) {
			e := echo.New()
			e.Use(bc.mw...)
			e.GET("/api/v1/jobs/:id", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
			req := httptest.NewRequest(http.MethodGet, "/api/v1/jobs/6f1c2c52-7f53-4c1e-9d1a-2f4e5b8c9a01", nil)
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				e.ServeHTTP(w, req)
			}
		})
	}
}
