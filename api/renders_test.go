package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"phonoglyph/eventually"
	"phonoglyph/jobs"
	"phonoglyph/remotion"
	"phonoglyph/remotion/lambdatest"
)

// newLambdaEnv serves the API with renders dispatched to a Remotion Lambda
// stand-in reached through the real AWS SDK.
func newLambdaEnv(t *testing.T, opt lambdatest.Options) (*env, *lambdatest.Server) {
	lt := lambdatest.Start(t, opt)
	client, err := remotion.New(remotion.Config{FunctionName: remotion.FunctionName(3008, 2048, 600), ServeURL: "https://sites.example/raybox",
		Endpoint: lt.URL, AccessKeyID: "AK", SecretAccessKey: "SK"})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(d *jobs.Deps) {
		d.Render = jobs.RenderDeps{Lambda: client, Poll: 30 * time.Millisecond, FunctionName: "remotion-render-test"}
	})
	return e, lt
}

type renderView struct {
	ID       string
	Status   string
	Progress int
	Error    *string
	Output   *struct {
		FileID string `json:"file_id"`
	}
	ExpiresAt *time.Time `json:"expires_at"`
}

func (e *env) createRender(token string, body map[string]any) (renderView, *response) {
	e.t.Helper()
	res := e.do("POST", "/api/v1/renders", token, body)
	var v struct{ Render renderView }
	if res.Status == http.StatusCreated {
		res.JSON(e.t, &v)
	}
	return v.Render, res
}

func (e *env) waitRender(token, id string) renderView {
	e.t.Helper()
	var v struct{ Render renderView }
	eventually.True(e.t, 60*time.Second, "render "+id+" finishes", func() bool {
		e.do("GET", "/api/v1/renders/"+id, token, nil).JSON(e.t, &v)
		return v.Render.Status == "completed" || v.Render.Status == "failed" || v.Render.Status == "cancelled"
	})
	return v.Render
}

func TestRenderViaLambda(t *testing.T) {
	e, lt := newLambdaEnv(t, lambdatest.Options{RenderTime: 300 * time.Millisecond, Output: func(string) []byte { return []byte("mp4 bytes") }})
	e.startWorker()
	token := e.user()
	file := e.uploadSong(token)
	var done struct{ Jobs []struct{ ID string } }
	e.do("POST", "/api/v1/files/"+file+"/complete", token, nil).JSON(t, &done)
	e.waitJob(token, done.Jobs[0].ID) // analysed, so the render gets its data

	r, res := e.createRender(token, map[string]any{"project_name": "Night Drive", "input_props": map[string]any{"layers": []any{}},
		"analysis_file_ids": []string{file}, "aspect_ratio": "16:9"})
	if res.Status != http.StatusCreated || r.Status != "queued" {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	got := e.waitRender(token, r.ID)
	if got.Status != "completed" || got.Output == nil || got.ExpiresAt == nil || got.ExpiresAt.Before(time.Now().Add(29*24*time.Hour)) {
		t.Fatalf("render = %+v", got)
	}
	if lt.Starts() != 1 {
		t.Errorf("Lambda starts = %d, want 1", lt.Starts())
	}
	res = e.do("GET", "/api/v1/renders/"+r.ID+"/download", token, nil)
	dl := e.do("GET", res.Header.Get("Location"), "", nil)
	if res.Status != http.StatusFound || string(dl.Body) != "mp4 bytes" || !strings.Contains(dl.Header.Get("Content-Disposition"), "Night Drive.mp4") {
		t.Errorf("download: %d → %d %q %v", res.Status, dl.Status, dl.Body, dl.Header)
	}
	// The analysis travelled by URL, never inline.
	var renderID string
	if err := e.pool.QueryRow(context.Background(), "SELECT render_id FROM renders WHERE id = $1", r.ID).Scan(&renderID); err != nil {
		t.Fatal(err)
	}
	props := string(lt.Props(renderID))
	if !strings.Contains(props, `"analysisUrl":"http`) || strings.Contains(props, "frameTimes") {
		t.Errorf("props = %.300s", props)
	}
	if res := e.do("GET", "/api/v1/renders/"+r.ID, e.user(), nil); res.Status != http.StatusNotFound {
		t.Errorf("another user's render: %d", res.Status)
	}
	var list struct{ Renders []renderView }
	if e.do("GET", "/api/v1/renders", token, nil).JSON(t, &list); len(list.Renders) != 1 {
		t.Errorf("list = %+v", list.Renders)
	}
}

func TestRenderLambdaFailures(t *testing.T) {
	cases := []struct {
		name  string
		opt   lambdatest.Options
		setup func(lt *lambdatest.Server)
		fail  func(e *env, lt *lambdatest.Server, id string)
		want  string
	}{
		{name: "version mismatch", opt: lambdatest.Options{Version: "4.0.391"}, want: "Version mismatch"},
		{name: "crash", setup: func(lt *lambdatest.Server) { lt.Crash(1) }, want: "could not start"},
		{name: "fatal render error", opt: lambdatest.Options{RenderTime: 5 * time.Second},
			fail: func(e *env, lt *lambdatest.Server, id string) {
				lt.FailRender(e.remotionID(id), "Chromium crashed", true)
			}, want: "Chromium crashed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, lt := newLambdaEnv(t, c.opt)
			if c.setup != nil {
				c.setup(lt)
			}
			e.startWorker()
			token := e.user()
			r, _ := e.createRender(token, map[string]any{})
			if c.fail != nil {
				c.fail(e, lt, r.ID)
			}
			got := e.waitRender(token, r.ID)
			if got.Status != "failed" || got.Error == nil || !strings.Contains(*got.Error, c.want) {
				t.Fatalf("render = %+v, want failed mentioning %q", got, c.want)
			}
		})
	}
}

// remotionID waits until a render's Remotion renderId is committed.
func (e *env) remotionID(id string) string {
	e.t.Helper()
	var rid *string
	eventually.True(e.t, 10*time.Second, "the renderId is committed", func() bool {
		if err := e.pool.QueryRow(context.Background(), "SELECT render_id FROM renders WHERE id = $1", id).Scan(&rid); err != nil {
			e.t.Fatal(err)
		}
		return rid != nil
	})
	return *rid
}

// Throttled starts are retried; a worker crash mid-poll resumes polling.
// Either way Lambda starts the render exactly once.
func TestRenderThrottledAndRescued(t *testing.T) {
	e, lt := newLambdaEnv(t, lambdatest.Options{RenderTime: 600 * time.Millisecond})
	lt.Throttle(2)
	if err := e.worker.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	token := e.user()
	r, _ := e.createRender(token, map[string]any{})
	e.remotionID(r.ID)
	if err := e.worker.Stop(context.Background(), 0); err != nil { // the crash
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(context.Background(), "UPDATE river_job SET state = 'available', scheduled_at = now() WHERE kind = 'render' AND state <> 'completed'"); err != nil {
		t.Fatal(err)
	}
	replica, err := jobs.New(e.pool, discardLog(), e.deps, jobs.Config{Queues: map[string]int{"render": 1, "maintenance": 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := replica.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer replica.Stop(context.Background(), 5*time.Second)
	if got := e.waitRender(token, r.ID); got.Status != "completed" {
		t.Fatalf("render = %+v", got)
	}
	if lt.Starts() != 1 {
		t.Errorf("Lambda starts = %d, want 1", lt.Starts())
	}
}

func TestRenderValidationAndCancel(t *testing.T) {
	e, _ := newLambdaEnv(t, lambdatest.Options{RenderTime: 10 * time.Second})
	token := e.user()
	for field, body := range map[string]map[string]any{
		"aspect_ratio":      {"aspect_ratio": "wide"},
		"codec":             {"codec": "prores"},
		"fps":               {"fps": 24},
		"input_props":       {"input_props": []int{1}},
		"analysis_file_ids": {"analysis_file_ids": []string{"00000000-0000-0000-0000-000000000000"}},
		"project_id":        {"project_id": "proj_1_x"},
	} {
		if _, res := e.createRender(token, body); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), field) {
			t.Errorf("%s: %d %s", field, res.Status, res.Body)
		}
	}
	if _, res := e.createRender(token, map[string]any{"input_props": map[string]any{"blob": strings.Repeat("x", 160<<10)}}); res.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized props: %d", res.Status)
	}
	r, _ := e.createRender(token, map[string]any{})
	res := e.do("POST", "/api/v1/renders/"+r.ID+"/cancel", token, nil)
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"status":"cancelled"`) {
		t.Fatalf("cancel: %d %s", res.Status, res.Body)
	}
	if res := e.do("GET", "/api/v1/renders/"+r.ID+"/download", token, nil); res.Status != http.StatusConflict {
		t.Errorf("download of a cancelled render: %d", res.Status)
	}
}
