package openapitest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"phonoglyph/openapi/openapitest"
)

const (
	jobID  = "0b6f7c1e-2f57-4d55-9a3b-6a2d1c4e8f10"
	fileID = "9d3f1a2b-7c4e-4b8a-a1f0-3e2d5c6b7a89"
	okJob  = `{"id":"` + jobID + `","kind":"audio_analysis","status":"processing","progress":40,"error":null,"result":null,` +
		`"file_id":"` + fileID + `","created_at":"2026-03-01T12:00:00.123456Z","updated_at":"2026-03-01T12:00:01Z"}`
	okError = `{"error":{"code":"not_found","message":"Job not found."}}`
)

func exchange(method, target, token, reqBody string, status int, contentType, body string) openapitest.Exchange {
	req := httptest.NewRequest(method, target, strings.NewReader(reqBody))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if reqBody != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	h := http.Header{"X-Request-Id": {"req-1"}}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return openapitest.Exchange{Request: req, RequestBody: []byte(reqBody), Status: status, Header: h, Body: []byte(body)}
}

// The validator accepts exchanges the document describes and refuses each
// way an answer can drift from it.
func TestValidatorTellsDriftApart(t *testing.T) {
	v, err := openapitest.New()
	if err != nil {
		t.Fatal(err)
	}
	jobPath := "/api/v1/jobs/" + jobID
	good := map[string]openapitest.Exchange{
		"job":               exchange("GET", jobPath, "tok", "", 200, "application/json", okJob),
		"job not found":     exchange("GET", jobPath, "tok", "", 404, "application/json", okError),
		"unknown route":     exchange("GET", "/api/v1/nothing", "tok", "", 404, "application/json", okError),
		"refused, answered": exchange("POST", "/api/v1/files", "tok", `{"file_name":"a.wav","file_size":1,"mime_type":"audio/wav","colour":1}`, 400, "application/json", `{"error":{"code":"invalid","message":"Unknown field \"colour\"."}}`),
		"no credentials":    exchange("GET", jobPath, "", "", 401, "application/json", `{"error":{"code":"unauthorized","message":"Sign in."}}`),
		"deleted":           exchange("DELETE", "/api/v1/files/"+fileID, "tok", "", 204, "", ""),
	}
	for name, x := range good {
		if err := v.Validate(context.Background(), x); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := map[string]struct {
		x    openapitest.Exchange
		want string
	}{
		"status outside the enum":  {exchange("GET", jobPath, "tok", "", 200, "application/json", strings.Replace(okJob, `"processing"`, `"running"`, 1)), "status"},
		"required field missing":   {exchange("GET", jobPath, "tok", "", 200, "application/json", strings.Replace(okJob, `"result":null,`, "", 1)), "result"},
		"undocumented field":       {exchange("GET", jobPath, "tok", "", 200, "application/json", strings.Replace(okJob, `"progress":40`, `"progress":40,"eta":3`, 1)), "eta"},
		"wrong type":               {exchange("GET", jobPath, "tok", "", 200, "application/json", strings.Replace(okJob, `"progress":40`, `"progress":"40%"`, 1)), "progress"},
		"progress out of range":    {exchange("GET", jobPath, "tok", "", 200, "application/json", strings.Replace(okJob, `"progress":40`, `"progress":140`, 1)), "progress"},
		"not a timestamp":          {exchange("GET", jobPath, "tok", "", 200, "application/json", strings.Replace(okJob, `"2026-03-01T12:00:01Z"`, `"yesterday"`, 1)), "updated_at"},
		"undocumented status":      {exchange("GET", jobPath, "tok", "", 418, "application/json", okError), "status is not supported"},
		"error shape differs":      {exchange("GET", jobPath, "tok", "", 404, "application/json", `{"message":"Job not found."}`), "error"},
		"error code unknown":       {exchange("GET", jobPath, "tok", "", 404, "application/json", `{"error":{"code":"missing","message":"x"}}`), "code"},
		"not JSON":                 {exchange("GET", jobPath, "tok", "", 200, "text/plain", "ok"), "text/plain"},
		"refused request taken":    {exchange("POST", "/api/v1/files", "tok", `{"file_name":"a.wav","file_size":1,"mime_type":"audio/wav","colour":1}`, 201, "application/json", `{}`), "refuses"},
		"unauthenticated taken":    {exchange("GET", jobPath, "", "", 200, "application/json", okJob), "refuses"},
		"unknown route answered":   {exchange("GET", "/api/v1/nothing", "tok", "", 200, "application/json", `{}`), "not in the contract"},
		"unknown route, no shape":  {exchange("GET", "/api/v1/nothing", "tok", "", 404, "text/plain", "404 page not found"), "application/json"},
		"body where none is":       {exchange("DELETE", "/api/v1/files/"+fileID, "tok", "", 204, "application/json", `{}`), "declares no body"},
		"redirect without target":  {exchange("GET", "/api/v1/files/"+fileID+"/download", "tok", "", 302, "", ""), "Location"},
		"blob error not API shape": {exchange("PUT", "/blobs/audio/u/1_a.wav?X-Expires=1&X-Method=PUT&X-Signature=s&X-Max-Size=1&X-Content-Type=audio%2Fwav", "", "", 403, "application/xml", `<Error><Code>AccessDenied</Code></Error>`), "X-Blob-Error"},
	}
	for name, c := range bad {
		err := v.Validate(context.Background(), c.x)
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want it to mention %q", name, err, c.want)
		}
	}
	if got := v.Exercised()["GET /api/v1/jobs/{id}"]; len(got) == 0 {
		t.Errorf("exercised GET /api/v1/jobs/{id}: %v", got)
	}
}

// Transport checks the exchanges with the API's host and passes others.
func TestTransportChecksOnlyTheAPI(t *testing.T) {
	v, err := openapitest.New()
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "r")
		_, _ = w.Write([]byte(`{"status":"ok","timestamp":"2026-03-01T12:00:00Z","environment":"development","database":"ok"}`))
	}))
	defer api.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("anything")) }))
	defer other.Close()

	client := &http.Client{Transport: v.Transport(t, api.URL, nil)}
	for _, u := range []string{api.URL + "/health", other.URL + "/whatever"} {
		res, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	ex := v.Exercised()
	if len(ex) != 1 || len(ex["GET /health"]) != 1 {
		t.Errorf("exercised %v, want GET /health only", ex)
	}
}

// A streamed request body is kept by Transport and checked like any other.
func TestTransportKeepsStreamedBodies(t *testing.T) {
	v, err := openapitest.New()
	if err != nil {
		t.Fatal(err)
	}
	var got string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := new(strings.Builder)
		_, _ = io.Copy(b, r.Body)
		got = b.String()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"received":{"a":1},"timestamp":"2026-03-01T12:00:00Z"}`))
	}))
	defer api.Close()
	req, _ := http.NewRequest("POST", api.URL+"/test", io.NopCloser(strings.NewReader(`{"a":1}`)))
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Transport: v.Transport(t, api.URL, nil)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got != `{"a":1}` || len(v.Exercised()["POST /test"]) != 1 {
		t.Errorf("server read %q, exercised %v", got, v.Exercised())
	}
}
