package console_test

import (
	"net/http"
	"testing"
	"time"

	"phonoglyph/apitest"
	"phonoglyph/auth"
	"phonoglyph/console"
)

// system is the whole product in this process on the shared API harness
// (apitest: the real API on a fresh database, local storage, the job
// workers in-process with the local separator and renderer, and every API
// exchange checked against the OpenAPI contract, so what the page reads is
// what the document promises). Beside the API it serves the console at "/"
// and /console/… and the dev-token endpoint, as the API process mounts them.
type system struct {
	URL    string
	secret []byte
}

// startSystem starts the system, workers running, until t ends.
func startSystem(t *testing.T) *system {
	t.Helper()
	page := console.Handler()
	devToken := console.DevTokenHandler(func(sub string) (string, error) {
		return auth.Mint(apitest.Secret, "", sub, time.Hour)
	})
	sys := apitest.Start(t, apitest.Options{Around: func(api http.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("GET /{$}", page)
		mux.Handle("GET "+console.Prefix, page)
		mux.Handle("POST "+console.DevTokenPath, devToken)
		mux.Handle("/", api)
		return mux
	}})
	sys.StartWorkers()
	return &system{URL: sys.URL, secret: apitest.Secret}
}
