package lambdatest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"phonoglyph/remotion"
	"phonoglyph/remotion/lambdatest"
)

// startPayload returns a valid start payload with edit applied.
func startPayload(edit func(map[string]any)) map[string]any {
	p := map[string]any{
		"type": "start", "version": remotion.Version, "serveUrl": "https://example.com/site", "composition": "RayboxMain",
		"inputProps": map[string]any{"type": "payload", "payload": `{"analysisUrl":"https://example.com/a.json"}`},
		"codec":      "h264", "imageFormat": "jpeg", "privacy": "public", "maxRetries": 1, "logLevel": "info",
		"timeoutInMilliseconds": 30000, "chromiumOptions": map[string]any{}, "scale": 1, "everyNthFrame": 1,
		"concurrencyPerLambda": 1, "downloadBehavior": map[string]any{"type": "play-in-browser"}, "muted": false, "overwrite": false,
	}
	if edit != nil {
		edit(p)
	}
	return p
}

// invoke posts body to function name with the given invocation type and
// returns the response and its body.
func invoke(t *testing.T, srv *lambdatest.Server, name, invocationType string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/2015-03-31/functions/"+name+"/invocations", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if invocationType != "" {
		req.Header.Set("X-Amz-Invocation-Type", invocationType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// call invokes the default function synchronously with payload and decodes
// its JSON answer.
func call(t *testing.T, srv *lambdatest.Server, payload any) map[string]any {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	resp, b := invoke(t, srv, remotion.FunctionName(3008, 2048, 600), "", body)
	var m map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &m) != nil {
		t.Fatalf("invoke: %s %s", resp.Status, b)
	}
	return m
}

func TestInvocationTypes(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{})
	body, _ := json.Marshal(startPayload(nil))
	name := remotion.FunctionName(3008, 2048, 600)
	if resp, _ := invoke(t, srv, name, "Event", body); resp.StatusCode != http.StatusAccepted {
		t.Errorf("Event: %s, want 202", resp.Status)
	}
	if resp, _ := invoke(t, srv, name, "DryRun", body); resp.StatusCode != http.StatusNoContent {
		t.Errorf("DryRun: %s, want 204", resp.Status)
	}
	if resp, b := invoke(t, srv, name, "Sometimes", body); resp.StatusCode != http.StatusBadRequest ||
		resp.Header.Get("X-Amzn-ErrorType") != "InvalidParameterValueException" {
		t.Errorf("unknown invocation type: %s %s", resp.Status, b)
	}
	if srv.Starts() != 0 {
		t.Errorf("Starts() = %d after Event and DryRun, want 0", srv.Starts())
	}
	if resp, b := invoke(t, srv, name, "RequestResponse", body); resp.StatusCode != http.StatusOK || resp.Header.Get("X-Amz-Function-Error") != "" {
		t.Errorf("RequestResponse: %s %s", resp.Status, b)
	}
}

func TestServiceErrors(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{FunctionName: "my-function"})
	for _, c := range []struct {
		name, function string
		body           []byte
		status         int
		code           string
	}{
		{"unknown function", "other-function", []byte(`{}`), http.StatusNotFound, "ResourceNotFoundException"},
		{"payload over 6 MB", "my-function", bytes.Repeat([]byte(" "), 6<<20+1), http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException"},
		{"not JSON", "my-function", []byte(`{"type":`), http.StatusBadRequest, "InvalidRequestContentException"},
	} {
		resp, b := invoke(t, srv, c.function, "", c.body)
		var m map[string]string
		if resp.StatusCode != c.status || resp.Header.Get("X-Amzn-ErrorType") != c.code || json.Unmarshal(b, &m) != nil ||
			m["Type"] != "User" || m["message"] == "" {
			t.Errorf("%s: %s %s %s, want %d %s", c.name, resp.Status, resp.Header.Get("X-Amzn-ErrorType"), b, c.status, c.code)
		}
	}
	srv.Throttle(1)
	resp, b := invoke(t, srv, "my-function", "", []byte(`{}`))
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("X-Amzn-ErrorType") != "TooManyRequestsException" ||
		!strings.Contains(string(b), `"message":"Rate Exceeded."`) {
		t.Errorf("throttled: %s %s", resp.Status, b)
	}
	srv.Crash(1)
	resp, b = invoke(t, srv, "my-function", "", []byte(`{}`))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Amz-Function-Error") != "Unhandled" ||
		!strings.Contains(string(b), `"errorType":"Runtime.ExitError"`) {
		t.Errorf("crashed: %s %s", resp.Status, b)
	}
}

func TestStartValidation(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{})
	for name, edit := range map[string]func(map[string]any){
		"no version":  func(p map[string]any) { delete(p, "version") },
		"missing key": func(p map[string]any) { delete(p, "overwrite") },
		"props in a bucket": func(p map[string]any) {
			p["inputProps"] = map[string]any{"type": "bucket-url", "hash": "h", "bucketName": "b"}
		},
		"props not object": func(p map[string]any) { p["inputProps"] = map[string]any{"type": "payload", "payload": "[1]"} },
		"unknown codec":    func(p map[string]any) { p["codec"] = "avi" },
		"few frames":       func(p map[string]any) { p["framesPerLambda"] = 2 },
		"download no name": func(p map[string]any) { p["downloadBehavior"] = map[string]any{"type": "download"} },
		"wrong type":       func(p map[string]any) { p["composition"] = 7 },
		"unknown routine":  func(p map[string]any) { p["type"] = "launch" },
	} {
		m := call(t, srv, startPayload(edit))
		if m["type"] != "error" || m["message"] == "" {
			t.Errorf("%s: answer %v, want a handler error", name, m)
		}
	}
	if m := call(t, srv, startPayload(func(p map[string]any) { delete(p, "version") })); !strings.HasPrefix(m["message"].(string), "Version mismatch") {
		t.Errorf("no version: %v", m["message"])
	}
	if srv.Starts() != 0 {
		t.Errorf("Starts() = %d after invalid starts, want 0", srv.Starts())
	}
}

func TestOutputAccess(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{RenderTime: 200 * time.Millisecond})
	public := call(t, srv, startPayload(nil))
	private := call(t, srv, startPayload(func(p map[string]any) { p["privacy"] = "private" }))
	url := func(m map[string]any) string {
		return srv.URL + "/" + m["bucketName"].(string) + "/renders/" + m["renderId"].(string) + "/out.mp4"
	}
	get := func(u string) int {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(url(public)); code != http.StatusNotFound {
		t.Errorf("output before done: %d, want 404", code)
	}
	time.Sleep(250 * time.Millisecond)
	status := call(t, srv, map[string]any{"type": "status", "version": remotion.Version, "renderId": public["renderId"], "bucketName": public["bucketName"]})
	if status["done"] != true || status["outputFile"] != url(public) {
		t.Fatalf("status after render time: %v", status)
	}
	if code := get(url(public)); code != http.StatusOK {
		t.Errorf("public output: %d, want 200", code)
	}
	if code := get(url(private)); code != http.StatusForbidden {
		t.Errorf("private output: %d, want 403", code)
	}
	if code := get(srv.URL + "/other-bucket/renders/" + public["renderId"].(string) + "/out.mp4"); code != http.StatusNotFound {
		t.Errorf("output in another bucket: %d, want 404", code)
	}
	if srv.Starts() != 2 {
		t.Errorf("Starts() = %d, want 2", srv.Starts())
	}
}
