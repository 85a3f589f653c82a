package api_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"phonoglyph/api"
	"phonoglyph/apitest"
	"phonoglyph/remotion/lambdatest"
	"phonoglyph/wavtest"
	"phonoglyph/workflow"
)

// Hostile text anywhere in a request — NUL, invalid UTF-8, unpaired
// surrogates, numbers beyond float64, in fields, nested JSON documents,
// query and path parameters — answers 400 naming the field, never reaching
// Postgres (which answered 500).
func TestHostileTextAnswers400NamingTheField(t *testing.T) {
	e := newEnv(t)
	token := e.user()
	res := e.do("POST", "/api/v1/projects", token, map[string]any{"name": "Song"})
	if res.Status != http.StatusCreated {
		t.Fatalf("create project: %d %s", res.Status, res.Body)
	}
	var p struct{ Project struct{ ID string } }
	res.JSON(t, &p)
	project := "/api/v1/projects/" + p.Project.ID
	file := "/api/v1/files/00000000-0000-4000-8000-000000000000"
	jsonType := []string{"Content-Type", "application/json"}
	cases := []struct {
		name, method, path, body, field string
	}{
		{"NUL in a name", "POST", "/api/v1/projects", `{"name":"a\u0000b"}`, "name"},
		{"raw invalid UTF-8", "POST", "/api/v1/projects", "{\"name\":\"a\xffb\"}", "name"},
		{"lone surrogate in a name", "POST", "/api/v1/projects", `{"name":"a\ud800b"}`, "name"},
		{"NUL in a patch", "PATCH", project, `{"description":"x\u0000"}`, "description"},
		{"lone low surrogate in render_configuration", "PATCH", project, `{"render_configuration":{"theme":"\udc00"}}`, "render_configuration.theme"},
		{"NUL in render_configuration", "PATCH", project, `{"render_configuration":{"layers":[{"name":"\u0000"}]}}`, "render_configuration.layers[0].name"},
		{"huge number in render_configuration", "PATCH", project, `{"render_configuration":{"zoom":1e999999}}`, "render_configuration.zoom"},
		{"NUL in a member name", "PATCH", project, `{"render_configuration":{"a\u0000":1}}`, "render_configuration.a"},
		{"NUL in an editor state", "POST", project + "/states", `{"data":{"tracks":[1,{"label":"\u0000"}]}}`, "data.tracks[1].label"},
		{"surrogate in an editor state", "POST", project + "/states", `{"data":{"t":"\ud83d"}}`, "data.t"},
		{"huge number in an editor state", "POST", project + "/states", `{"data":[1e999999]}`, "data[0]"},
		{"NUL in render props", "POST", "/api/v1/renders", `{"input_props":{"title":"\u0000"}}`, "input_props.title"},
		{"huge number in render props", "POST", "/api/v1/renders", `{"input_props":{"speed":-1e400}}`, "input_props.speed"},
		{"huge fps", "POST", "/api/v1/renders", `{"fps":1e999999}`, "fps"},
		{"huge aspect ratio", "POST", "/api/v1/renders", `{"aspect_ratio":"1e308:1e308"}`, "aspect_ratio"},
		{"NUL in a file name", "POST", "/api/v1/files", `{"file_name":"a\u0000.wav","file_size":10,"mime_type":"audio/wav"}`, "file_name"},
		{"NUL in ?search", "GET", "/api/v1/projects?search=a%00b", "", "search"},
		{"invalid UTF-8 in ?search", "GET", "/api/v1/projects?search=%ff", "", "search"},
		{"NUL in ?stem", "GET", file + "/analysis?stem=%00", "", "stem"},
		{"NUL in a project id", "GET", "/api/v1/projects/proj%00x", "", "id"},
		{"invalid UTF-8 in a project id", "DELETE", "/api/v1/projects/proj%c3", "", "id"},
		{"NUL in a state id", "DELETE", project + "/states/%00", "", "sid"},
		{"javascript thumbnail", "PATCH", project, `{"thumbnail_url":"javascript:alert(1)"}`, "thumbnail_url"},
		{"data thumbnail", "PATCH", project, `{"thumbnail_url":"data:text/html,<script>1</script>"}`, "thumbnail_url"},
		{"trailing data", "POST", "/api/v1/projects", `{"name":"a"} {"name":"b"}`, "after it"},
		{"trailing garbage", "POST", "/api/v1/projects", `{"name":"a"}x`, "JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.body != "" {
				body = []byte(c.body)
			}
			res := e.do(c.method, c.path, token, body, jsonType...)
			if res.Status != http.StatusBadRequest || res.ErrorCode(t) != "invalid" || !strings.Contains(string(res.Body), c.field) {
				t.Errorf("%d %s, want 400 naming %q", res.Status, res.Body, c.field)
			}
		})
	}
	t.Run("text/plain body", func(t *testing.T) {
		res := e.do("POST", "/api/v1/projects", token, []byte(`{"name":"a"}`), "Content-Type", "text/plain")
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "Content-Type") {
			t.Errorf("%d %s, want 400 naming Content-Type", res.Status, res.Body)
		}
	})
	t.Run("nothing was stored", func(t *testing.T) {
		var n int
		if err := e.pool.QueryRow(t.Context(), "SELECT count(*) FROM projects").Scan(&n); err != nil || n != 1 {
			t.Errorf("%d projects (%v), want only the first", n, err)
		}
	})
	// The same values that are refused raw are fine once well-formed.
	res = e.do("PATCH", project, token, []byte(`{"render_configuration":{"emoji":"\ud83d\ude00","n":1e300},"thumbnail_url":"https://img.example/a.png"}`), jsonType...)
	if res.Status != http.StatusOK {
		t.Errorf("well-formed surrogate pair and number: %d %s", res.Status, res.Body)
	}
}

// A client's X-Request-Id is echoed only when short and plain; anything else
// is replaced by a generated id.
func TestRequestIDIsValidatedOrGenerated(t *testing.T) {
	e := newEnv(t)
	if got := e.do("GET", "/health", "", nil, "X-Request-Id", "trace-42_a.b").Header.Get("X-Request-Id"); got != "trace-42_a.b" {
		t.Errorf("plain id echoed as %q", got)
	}
	for name, id := range map[string]string{"3 KB with a TAB": strings.Repeat("a", 3000) + "\tb", "spaces": "a b", "too long": strings.Repeat("x", 65)} {
		got := e.do("GET", "/health", "", nil, "X-Request-Id", id).Header.Get("X-Request-Id")
		if got == id || !regexpRequestID(got) {
			t.Errorf("%s: answered id %q", name, got)
		}
	}
}

func regexpRequestID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// A caller over its request rate gets 429 with Retry-After; another caller
// is not affected.
func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	e := envOf(t, apitest.Start(t, apitest.Options{Limits: apiLimits(0.2, 3)}))
	hog, other := e.user(), e.user()
	var last *response
	for range 4 {
		last = e.do("GET", "/api/v1/me", hog, nil)
	}
	secs, err := strconv.Atoi(last.Header.Get("Retry-After"))
	if last.Status != http.StatusTooManyRequests || last.ErrorCode(t) != "rate_limited" || err != nil || secs < 1 || secs > 5 {
		t.Errorf("4th request within the burst of 3: %d %s Retry-After %q", last.Status, last.Body, last.Header.Get("Retry-After"))
	}
	if res := e.do("GET", "/api/v1/me", other, nil); res.Status != http.StatusOK {
		t.Errorf("another user: %d", res.Status)
	}
}

// Declarations count against the storage quota while uploading, and
// concurrent declarations cannot overshoot it (200 declarations of 50 MiB
// were all accepted).
func TestStorageQuotaCountsDeclarations(t *testing.T) {
	e := newEnv(t)
	token := e.user()
	const fifty = 50 << 20
	var wg sync.WaitGroup
	statuses := make([]int, 12)
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = e.do("POST", "/api/v1/files", token, map[string]any{"file_name": "a.wav", "file_size": fifty, "mime_type": "audio/wav"}).Status
		})
	}
	wg.Wait()
	created, refused := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusForbidden:
			refused++
		}
	}
	if created != 2 || refused != 10 {
		t.Errorf("12 concurrent 50 MiB declarations under a 100 MiB quota: %d created, %d refused (%v)", created, refused, statuses)
	}
	res := e.do("POST", "/api/v1/files", token, map[string]any{"file_name": "a.mid", "file_size": 100, "mime_type": "audio/midi"})
	if res.Status != http.StatusForbidden || res.ErrorCode(t) != "quota_exceeded" || !strings.Contains(string(res.Body), "Storage quota") {
		t.Errorf("one more byte: %d %s", res.Status, res.Body)
	}
	if res := e.do("POST", "/api/v1/files", e.user(), map[string]any{"file_name": "a.wav", "file_size": fifty, "mime_type": "audio/wav"}); res.Status != http.StatusCreated {
		t.Errorf("another user: %d %s", res.Status, res.Body)
	}
}

func TestFilesPerProjectQuota(t *testing.T) {
	e := newEnv(t)
	token := e.user()
	res := e.do("POST", "/api/v1/projects", token, map[string]any{"name": "Full"})
	var p struct{ Project struct{ ID string } }
	res.JSON(t, &p)
	for i := range 11 {
		res := e.do("POST", "/api/v1/files", token, map[string]any{"file_name": "a.wav", "file_size": 1000, "mime_type": "audio/wav", "project_id": p.Project.ID})
		want := http.StatusCreated
		if i == 10 {
			want = http.StatusForbidden
		}
		if res.Status != want {
			t.Fatalf("file %d of the project: %d %s, want %d", i+1, res.Status, res.Body, want)
		}
	}
}

// Live separations per user are bounded, also when requested concurrently
// (98 live stem jobs on one file were accepted).
func TestLiveStemJobQuota(t *testing.T) {
	e := newEnv(t) // no workers: every job stays queued
	token := e.user()
	song := e.uploadSine(token)
	configs := []map[string]any{
		{"model_variant": "2stems"}, {"model_variant": "4stems"}, {"model_variant": "5stems"},
		{"model_variant": "4stems", "quality": map[string]any{"sample_rate": "48000"}},
		{"model_variant": "2stems", "quality": map[string]any{"sample_rate": "48000"}},
		{"model_variant": "5stems", "quality": map[string]any{"sample_rate": "48000"}},
	}
	var wg sync.WaitGroup
	statuses := make([]int, len(configs))
	for i, cfg := range configs {
		wg.Go(func() {
			statuses[i] = e.do("POST", "/api/v1/stem-jobs", token, map[string]any{"file_id": song, "config": cfg}).Status
		})
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		if s == http.StatusCreated {
			created++
		} else if s != http.StatusForbidden {
			t.Errorf("status %d", s)
		}
	}
	if want := workflow.DefaultQuotas().LiveStemJobs; created != want {
		t.Errorf("%d separations accepted at once, want %d (%v)", created, want, statuses)
	}
	// Asking again for a live one answers it, quota or not.
	for _, cfg := range configs {
		if res := e.do("POST", "/api/v1/stem-jobs", token, map[string]any{"file_id": song, "config": cfg}); res.Status == http.StatusCreated {
			return
		}
	}
	t.Error("no request for an already live separation was answered")
}

// Duplicates count against the quotas: their files' bytes and their
// analyses (10 duplicates enqueued 200 analyses).
func TestDuplicatesCountAgainstTheQuota(t *testing.T) {
	q := workflow.DefaultQuotas()
	q.LiveAnalyses = 3
	e := envOf(t, apitest.Start(t, apitest.Options{Quotas: &q})) // no workers: analyses stay queued
	token := e.user()
	res := e.do("POST", "/api/v1/projects", token, map[string]any{"name": "Band"})
	var p struct{ Project struct{ ID string } }
	res.JSON(t, &p)
	e.uploadSineTo(token, p.Project.ID) // 1 live analysis
	ok := 0
	for range 5 {
		res := e.do("POST", "/api/v1/projects/"+p.Project.ID+"/duplicate", token, map[string]any{"include_files": true})
		if res.Status == http.StatusCreated {
			ok++
		} else if res.Status != http.StatusForbidden || res.ErrorCode(t) != "quota_exceeded" {
			t.Fatalf("duplicate: %d %s", res.Status, res.Body)
		}
	}
	if ok != 2 {
		t.Errorf("%d duplicates accepted with a quota of 3 live analyses and 1 live, want 2", ok)
	}
	var live int
	if err := e.pool.QueryRow(t.Context(), "SELECT count(*) FROM audio_analysis_jobs WHERE status IN ('queued','processing')").Scan(&live); err != nil || live != 3 {
		t.Errorf("%d live analyses (%v), want 3", live, err)
	}
}

// A finished analysis is returned, not run again, unless asked with a
// reason.
func TestFinishedAnalysisIsReturnedUnlessAskedWithAReason(t *testing.T) {
	e := newEnv(t)
	e.startWorker()
	token := e.user()
	u, res := e.upload(token, "a.wav", "audio/wav", sineWAV())
	var done struct{ Jobs []struct{ ID string } }
	res.JSON(t, &done)
	if job := e.waitJob(token, done.Jobs[0].ID); job["status"] != "completed" {
		t.Fatalf("analysis: %v", job)
	}
	path := "/api/v1/files/" + u.ID + "/analysis"
	for range 3 {
		res := e.do("POST", path, token, nil)
		var j struct{ Job struct{ ID, Status string } }
		res.JSON(t, &j)
		if res.Status != http.StatusOK || j.Job.ID != done.Jobs[0].ID || j.Job.Status != "completed" {
			t.Fatalf("re-request: %d %s, want 200 with the finished job", res.Status, res.Body)
		}
	}
	if res := e.do("POST", path+"?force=true", token, nil); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "reason") {
		t.Errorf("force without a reason: %d %s", res.Status, res.Body)
	}
	for _, r := range []*response{
		e.do("POST", path, token, map[string]any{"reason": "new analysis settings"}),
		e.do("POST", path+"?force=true&reason=retry", token, nil),
	} {
		var j struct{ Job struct{ ID string } }
		r.JSON(t, &j)
		if r.Status != http.StatusAccepted || j.Job.ID == done.Jobs[0].ID {
			t.Errorf("with a reason: %d %s, want 202 with a new job", r.Status, r.Body)
		}
	}
	var n int
	if err := e.pool.QueryRow(t.Context(), "SELECT count(*) FROM audio_analysis_jobs WHERE file_metadata_id = $1", u.ID).Scan(&n); err != nil || n < 2 || n > 3 {
		t.Errorf("%d analysis jobs (%v), want the first and one or two asked with a reason", n, err)
	}
}

// A render whose output went with its project reads expired, and its
// download answers 404 saying so (it answered 409).
func TestRenderOfADeletedProjectReadsExpired(t *testing.T) {
	e, _ := newLambdaEnv(t, lambdatest.Options{})
	e.startWorker()
	token := e.user()
	res := e.do("POST", "/api/v1/projects", token, map[string]any{"name": "Clip"})
	var p struct{ Project struct{ ID string } }
	res.JSON(t, &p)
	r, res := e.createRender(token, map[string]any{"project_id": p.Project.ID})
	if res.Status != http.StatusCreated {
		t.Fatalf("render: %d %s", res.Status, res.Body)
	}
	if r = e.waitRender(token, r.ID); r.Status != "completed" {
		t.Fatalf("render ended %s", r.Status)
	}
	if res := e.do("DELETE", "/api/v1/projects/"+p.Project.ID, token, nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete project: %d %s", res.Status, res.Body)
	}
	var v struct{ Render renderView }
	e.do("GET", "/api/v1/renders/"+r.ID, token, nil).JSON(t, &v)
	if v.Render.Status != "expired" || v.Render.Output != nil {
		t.Errorf("render after its project's deletion: %+v", v.Render)
	}
	res = e.do("GET", "/api/v1/renders/"+r.ID+"/download", token, nil)
	if res.Status != http.StatusNotFound || !strings.Contains(string(res.Body), "expired") {
		t.Errorf("download: %d %s", res.Status, res.Body)
	}
}

// Errors of signed blob URLs answer the API's JSON error shape.
func TestBlobErrorsAreJSON(t *testing.T) {
	e := newEnv(t)
	u := e.createFile(e.user(), "a.wav", "audio/wav", 100)
	tampered := strings.Replace(u.Upload.URL, "X-Signature=", "X-Signature=00", 1)
	res := e.do("GET", tampered, "", nil)
	if res.Status != http.StatusForbidden || res.ErrorCode(t) != "forbidden" || res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("tampered URL: %d %s %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	if res := e.do("GET", e.srv.URL+"/blobs/audio/nothing.wav", "", nil); res.Status != http.StatusForbidden || res.ErrorCode(t) != "forbidden" {
		t.Errorf("unsigned URL: %d %s", res.Status, res.Body)
	}
}

// sineWAV is a short audio file for uploads.
func sineWAV() []byte { return wavtest.Sine(8000, 1, 0.5, 440, 0.3) }

func apiLimits(rps float64, burst int) api.Limits { return api.Limits{Rate: rps, Burst: burst} }

// uploadSine uploads and completes a short WAV and returns its file id.
func (e *env) uploadSine(token string) string { return e.uploadSineTo(token, "") }

// uploadSineTo uploads and completes a short WAV in project (none when
// empty) and returns its file id.
func (e *env) uploadSineTo(token, project string) string {
	e.t.Helper()
	wav := sineWAV()
	body := map[string]any{"file_name": "a.wav", "file_size": len(wav), "mime_type": "audio/wav"}
	if project != "" {
		body["project_id"] = project
	}
	res := e.do("POST", "/api/v1/files", token, body)
	if res.Status != http.StatusCreated {
		e.t.Fatalf("declare: %d %s", res.Status, res.Body)
	}
	var d struct {
		File   struct{ ID string }
		Upload json.RawMessage
	}
	res.JSON(e.t, &d)
	u := &uploaded{ID: d.File.ID}
	if err := json.Unmarshal(d.Upload, &u.Upload); err != nil {
		e.t.Fatal(err)
	}
	if res := e.put(u, wav); res.Status != http.StatusOK {
		e.t.Fatalf("PUT: %d %s", res.Status, res.Body)
	}
	if res := e.do("POST", "/api/v1/files/"+u.ID+"/complete", token, nil); res.Status != http.StatusOK {
		e.t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	return u.ID
}
