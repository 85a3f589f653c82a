package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"phonoglyph/apitest"
)

// /health/ready names the part that fails: here the queue schema, once
// River's latest migration is gone; /health/live stays up regardless.
func TestReadyNamesTheFailingPart(t *testing.T) {
	e := envOf(t, apitest.Start(t, apitest.Options{}))
	var ok struct {
		Status  string
		Checks  map[string]string
		Failing []string
	}
	res := e.do("GET", "/health/ready", "", nil)
	res.JSON(t, &ok)
	if res.Status != http.StatusOK || ok.Status != "ok" || len(ok.Failing) != 0 ||
		ok.Checks["database"] != "ok" || ok.Checks["storage"] != "ok" || ok.Checks["queue"] != "ok" {
		t.Fatalf("ready: %d %s", res.Status, res.Body)
	}
	if _, err := e.pool.Exec(context.Background(),
		`DELETE FROM river_migration WHERE version = (SELECT max(version) FROM river_migration)`); err != nil {
		t.Fatal(err)
	}
	res = e.do("GET", "/health/ready", "", nil)
	var bad struct {
		Status  string
		Checks  map[string]string
		Failing []string
	}
	if err := json.Unmarshal(res.Body, &bad); err != nil {
		t.Fatal(err)
	}
	if res.Status != http.StatusServiceUnavailable || bad.Status != "error" || len(bad.Failing) != 1 || bad.Failing[0] != "queue" ||
		bad.Checks["queue"] == "ok" || bad.Checks["database"] != "ok" {
		t.Fatalf("ready without River's schema: %d %s", res.Status, res.Body)
	}
	if res := e.do("GET", "/health/live", "", nil); res.Status != http.StatusOK || string(res.Body) != "{\"status\":\"ok\"}\n" {
		t.Fatalf("live: %d %s", res.Status, res.Body)
	}
}
