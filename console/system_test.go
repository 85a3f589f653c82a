package console_test

import (
	"testing"

	"phonoglyph/apitest"
)

// system is the whole product in this process on the shared API harness
// (apitest: the real API on a fresh database, local storage, the job
// workers in-process with the local separator and renderer, and every API
// exchange checked against the OpenAPI contract, so what the page reads is
// what the document promises). The API serves the console at "/" and
// /console/… and the dev-token endpoint, as the API process does.
type system struct {
	URL    string
	secret []byte
}

// startSystem starts the system, workers running, until t ends.
func startSystem(t *testing.T) *system {
	t.Helper()
	sys := apitest.Start(t, apitest.Options{})
	sys.StartWorkers()
	return &system{URL: sys.URL, secret: apitest.Secret}
}
