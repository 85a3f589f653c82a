package remotion_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"phonoglyph"
	"phonoglyph/eventually"
	"phonoglyph/remotion"
	"phonoglyph/remotion/lambdatest"
)

// countingTransport counts the requests it sends.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(req)
}

// newClient returns a client of srv's function, with edit applied to its
// configuration, and the counter of the requests it sends.
func newClient(t *testing.T, srv *lambdatest.Server, edit func(*remotion.Config)) (*remotion.Client, *countingTransport) {
	t.Helper()
	ct := &countingTransport{}
	cfg := remotion.Config{
		FunctionName:    remotion.FunctionName(3008, 2048, 600),
		ServeURL:        "https://remotionlambda-useast1-test.s3.us-east-1.amazonaws.com/sites/raybox-renderer/index.html",
		Endpoint:        srv.URL,
		AccessKeyID:     "AKIDLAMBDATEST",
		SecretAccessKey: "lambdatest-secret",
		HTTPClient:      &http.Client{Transport: ct, Timeout: 10 * time.Second},
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := remotion.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, ct
}

// start starts a render of small props and fails the test on error.
func start(t *testing.T, c *remotion.Client) *remotion.StartResult {
	t.Helper()
	res, err := c.Start(context.Background(), remotion.StartRequest{
		Composition: "RayboxMain",
		InputProps:  map[string]any{"analysisUrl": "https://storage.example/analysis.json?sig=x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// functionError returns the *FunctionError in err, failing the test
// without one.
func functionError(t *testing.T, err error) *remotion.FunctionError {
	t.Helper()
	var fe *remotion.FunctionError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not a *FunctionError", err)
	}
	return fe
}

func TestStartProgressDownload(t *testing.T) {
	ctx := context.Background()
	srv := lambdatest.Start(t, lambdatest.Options{RenderTime: 400 * time.Millisecond, Frames: 300})
	c, _ := newClient(t, srv, nil)
	props := map[string]any{"projectName": "Song", "analysisUrl": "https://storage.example/analysis.json?sig=abc"}
	res, err := c.Start(ctx, remotion.StartRequest{
		Composition:     "RayboxMain",
		InputProps:      props,
		FramesPerLambda: 8,
		DownloadName:    "Song.mp4",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.RenderID == "" || res.BucketName != srv.Bucket {
		t.Fatalf("Start = %+v, want a render id in bucket %s", res, srv.Bucket)
	}
	var sent map[string]any
	if err := json.Unmarshal(srv.Props(res.RenderID), &sent); err != nil || sent["analysisUrl"] != props["analysisUrl"] {
		t.Fatalf("props received = %s (%v), want %v", srv.Props(res.RenderID), err, props)
	}

	var p *remotion.Progress
	last := -1.0
	sawPartial := false
	eventually.True(t, 5*time.Second, "the render is done", func() bool {
		if p, err = c.Progress(ctx, res.RenderID, res.BucketName); err != nil {
			t.Fatal(err)
		}
		if p.Overall < last || p.Overall < 0 || p.Overall > 1 {
			t.Fatalf("progress went from %v to %v", last, p.Overall)
		}
		last = p.Overall
		if p.Done {
			return true
		}
		sawPartial = sawPartial || p.Overall > 0
		if p.OutputFile != "" || p.Fatal {
			t.Fatalf("unfinished render reports %+v", p)
		}
		return false
	})
	if !sawPartial {
		t.Error("no progress between 0 and 1 was reported")
	}
	wantKey := "renders/" + res.RenderID + "/out.mp4"
	if p.Overall != 1 || p.OutKey != wantKey || p.OutBucket != res.BucketName || p.Fatal || len(p.Errors) != 0 ||
		p.Currency != "USD" || p.CostsAccrued <= 0 || p.OutputFile != srv.URL+"/"+res.BucketName+"/"+wantKey {
		t.Fatalf("done progress = %+v", p)
	}
	if srv.Starts() != 1 {
		t.Errorf("Starts() = %d, want 1", srv.Starts())
	}

	resp, err := http.Get(p.OutputFile)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || int64(len(body)) != p.OutputSizeInBytes || !bytes.Equal(body[4:8], []byte("ftyp")) ||
		!bytes.Contains(body, []byte(res.RenderID)) {
		t.Fatalf("GET output: %s, %d bytes (size reported %d): %q", resp.Status, len(body), p.OutputSizeInBytes, body)
	}
	if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); ct != "video/mp4" || cd != `attachment; filename=Song.mp4` {
		t.Errorf("output headers: Content-Type %q, Content-Disposition %q", ct, cd)
	}
}

func TestOutputBytesAndOptions(t *testing.T) {
	want := []byte("custom mp4 bytes")
	srv := lambdatest.Start(t, lambdatest.Options{Output: func(string) []byte { return want }})
	c, _ := newClient(t, srv, nil)
	res, err := c.Start(context.Background(), remotion.StartRequest{
		Composition: "RayboxMain",
		OutName:     "video.mp4",
		BucketName:  "remotionlambda-useast1-mine",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.BucketName != "remotionlambda-useast1-mine" {
		t.Errorf("bucket = %q, want the one asked for", res.BucketName)
	}
	if string(srv.Props(res.RenderID)) != "{}" {
		t.Errorf("nil props sent as %s, want {}", srv.Props(res.RenderID))
	}
	p, err := c.Progress(context.Background(), res.RenderID, res.BucketName)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Done || p.OutKey != "renders/"+res.RenderID+"/video.mp4" || p.OutputSizeInBytes != int64(len(want)) {
		t.Fatalf("progress = %+v", p)
	}
	resp, err := http.Get(p.OutputFile)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !bytes.Equal(body, want) || resp.Header.Get("Content-Disposition") != "" {
		t.Errorf("GET output = %q with Content-Disposition %q", body, resp.Header.Get("Content-Disposition"))
	}
}

func TestRescuedJobResumesPolling(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{RenderTime: 100 * time.Millisecond})
	first, _ := newClient(t, srv, nil)
	res := start(t, first)
	// A new worker knows only the committed render id and bucket.
	second, _ := newClient(t, srv, nil)
	eventually.True(t, 5*time.Second, "the render is done", func() bool {
		p, err := second.Progress(context.Background(), res.RenderID, res.BucketName)
		if err != nil {
			t.Fatal(err)
		}
		return p.Done
	})
	if srv.Starts() != 1 {
		t.Errorf("Starts() = %d, want 1", srv.Starts())
	}
}

func TestVersionMismatch(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{Version: "4.0.389"})
	c, _ := newClient(t, srv, nil)
	_, err := c.Start(context.Background(), remotion.StartRequest{Composition: "RayboxMain"})
	fe := functionError(t, err)
	if fe.Type != "error" || !strings.HasPrefix(fe.Message, "Version mismatch:") || !strings.Contains(fe.Message, "4.0.390") ||
		!strings.Contains(fe.Message, "4.0.389") || remotion.IsThrottled(err) {
		t.Errorf("version mismatch error = %#v", fe)
	}
	_, err = c.Progress(context.Background(), "abcdefghij", srv.Bucket)
	if fe := functionError(t, err); !strings.HasPrefix(fe.Message, "Version mismatch:") {
		t.Errorf("status version mismatch error = %#v", fe)
	}
	if srv.Starts() != 0 {
		t.Errorf("Starts() = %d, want 0", srv.Starts())
	}
}

func TestHandlerErrorBody(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{})
	c, _ := newClient(t, srv, nil)
	_, err := c.Progress(context.Background(), "nosuchrender", srv.Bucket)
	fe := functionError(t, err)
	if fe.Type != "error" || !strings.Contains(fe.Message, `No render with ID "nosuchrender"`) || remotion.IsThrottled(err) {
		t.Errorf("handler error = %#v", fe)
	}
}

func TestCrash(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{})
	c, _ := newClient(t, srv, nil)
	srv.Crash(1)
	_, err := c.Start(context.Background(), remotion.StartRequest{Composition: "RayboxMain"})
	fe := functionError(t, err)
	if fe.Type != "Runtime.ExitError" || !strings.Contains(fe.Message, "Runtime exited with error") || remotion.IsThrottled(err) {
		t.Errorf("crash error = %#v", fe)
	}
	if srv.Starts() != 0 {
		t.Errorf("a crashed start started a render")
	}
	start(t, c)
	if srv.Starts() != 1 {
		t.Errorf("Starts() = %d after the crash passed, want 1", srv.Starts())
	}
}

func TestFatalRenderError(t *testing.T) {
	ctx := context.Background()
	srv := lambdatest.Start(t, lambdatest.Options{RenderTime: time.Hour})
	c, _ := newClient(t, srv, nil)
	res := start(t, c)

	srv.FailRender(res.RenderID, "Frame 12 timed out, retrying", false)
	p, err := c.Progress(ctx, res.RenderID, res.BucketName)
	if err != nil {
		t.Fatal(err)
	}
	if p.Fatal || p.Done || len(p.Errors) != 1 || p.Errors[0].IsFatal || !p.Errors[0].WillRetry {
		t.Fatalf("after a retried error: %+v", p)
	}

	srv.FailRender(res.RenderID, "Chromium crashed", true)
	p, err = c.Progress(ctx, res.RenderID, res.BucketName)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Fatal || p.Done || len(p.Errors) != 2 || p.FatalMessage() != "Chromium crashed" {
		t.Fatalf("after a fatal error: %+v (%q)", p, p.FatalMessage())
	}
	e := p.Errors[1]
	if !e.IsFatal || e.WillRetry || e.Type != "renderer" || e.Attempt == nil || *e.Attempt != 2 || e.Chunk == nil || e.Frame != nil {
		t.Errorf("fatal error decoded as %+v", e)
	}
}

func TestThrottled(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{})
	c, requests := newClient(t, srv, nil)
	srv.Throttle(2)
	for i := range 2 {
		_, err := c.Start(context.Background(), remotion.StartRequest{Composition: "RayboxMain"})
		if !remotion.IsThrottled(err) {
			t.Fatalf("attempt %d: error %v is not throttling", i, err)
		}
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "TooManyRequestsException" || ae.ErrorMessage() != "Rate Exceeded." {
			t.Errorf("attempt %d: API error = %v", i, err)
		}
		var fe *remotion.FunctionError
		if errors.As(err, &fe) {
			t.Errorf("throttling is a FunctionError")
		}
	}
	if n := requests.n.Load(); n != 2 {
		t.Errorf("%d requests sent for 2 throttled starts: the SDK retried", n)
	}
	start(t, c)
	if srv.Starts() != 1 {
		t.Errorf("Starts() = %d, want 1", srv.Starts())
	}
}

func TestUnknownFunction(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{})
	c, _ := newClient(t, srv, func(cfg *remotion.Config) { cfg.FunctionName = remotion.FunctionName(2048, 2048, 900) })
	_, err := c.Start(context.Background(), remotion.StartRequest{Composition: "RayboxMain"})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" || remotion.IsThrottled(err) {
		t.Fatalf("unknown function error = %v", err)
	}
	var fe *remotion.FunctionError
	if errors.As(err, &fe) {
		t.Error("an unknown function is a FunctionError")
	}
}

func TestFunctionByARN(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{})
	c, _ := newClient(t, srv, func(cfg *remotion.Config) {
		cfg.FunctionName = "arn:aws:lambda:us-east-1:123456789012:function:" + remotion.FunctionName(3008, 2048, 600)
	})
	start(t, c)
}

func TestPropsTooLargeRefusedBeforeInvoking(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{})
	c, requests := newClient(t, srv, nil)
	// {"x":"…"} is 8 bytes of JSON around the string, and envVariables {} 2 more.
	fits := map[string]string{"x": strings.Repeat("a", remotion.MaxInlineProps-10)}
	over := map[string]string{"x": strings.Repeat("a", remotion.MaxInlineProps-9)}

	_, err := c.Start(context.Background(), remotion.StartRequest{Composition: "RayboxMain", InputProps: over})
	if phonoglyph.ErrorCode(err) != phonoglyph.EINVALID || !strings.Contains(phonoglyph.ErrorMessage(err), "Input props too large") {
		t.Fatalf("oversized props error = %v", err)
	}
	if n := requests.n.Load(); n != 0 {
		t.Fatalf("%d requests sent for refused props", n)
	}
	res, err := c.Start(context.Background(), remotion.StartRequest{Composition: "RayboxMain", InputProps: fits})
	if err != nil {
		t.Fatalf("props at the limit: %v", err)
	}
	if got := len(srv.Props(res.RenderID)); got != remotion.MaxInlineProps-2 {
		t.Errorf("props received: %d bytes, want %d", got, remotion.MaxInlineProps-2)
	}
}

func TestStartRefusesInvalidRequests(t *testing.T) {
	srv := lambdatest.Start(t, lambdatest.Options{})
	c, requests := newClient(t, srv, nil)
	for name, r := range map[string]remotion.StartRequest{
		"no composition":      {},
		"unknown codec":       {Composition: "RayboxMain", Codec: "avi"},
		"unknown privacy":     {Composition: "RayboxMain", Privacy: "secret"},
		"too few frames":      {Composition: "RayboxMain", FramesPerLambda: 3},
		"props not an object": {Composition: "RayboxMain", InputProps: []int{1}},
		"unmarshalable props": {Composition: "RayboxMain", InputProps: map[string]any{"f": func() {}}},
		"negative timeout":    {Composition: "RayboxMain", Timeout: -time.Second},
	} {
		if _, err := c.Start(context.Background(), r); phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
			t.Errorf("%s: error = %v, want EINVALID", name, err)
		}
	}
	if n := requests.n.Load(); n != 0 {
		t.Errorf("%d requests sent for invalid starts", n)
	}
}

func TestNewRefusesInvalidConfig(t *testing.T) {
	valid := remotion.Config{
		FunctionName: remotion.FunctionName(3008, 2048, 600), ServeURL: "https://example.com/site",
		AccessKeyID: "AK", SecretAccessKey: "SK",
	}
	if _, err := remotion.New(valid); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for name, edit := range map[string]func(*remotion.Config){
		"no function":      func(c *remotion.Config) { c.FunctionName = " " },
		"no serve URL":     func(c *remotion.Config) { c.ServeURL = "" },
		"no access key":    func(c *remotion.Config) { c.AccessKeyID = "" },
		"no secret":        func(c *remotion.Config) { c.SecretAccessKey = "" },
		"negative retries": func(c *remotion.Config) { c.MaxAttempts = -1 },
		"other version":    func(c *remotion.Config) { c.FunctionName = "remotion-render-4-0-389-mem3008mb-disk2048mb-600sec" },
	} {
		cfg := valid
		edit(&cfg)
		if _, err := remotion.New(cfg); phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
			t.Errorf("%s: error = %v, want EINVALID", name, err)
		}
	}
}
