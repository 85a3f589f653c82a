package openapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"phonoglyph/apitest"
	"phonoglyph/auth"
	"phonoglyph/openapi"
	"phonoglyph/openapi/openapitest"
	"phonoglyph/wavtest"
)

var secret = apitest.Secret

// contract is the real API (api.New with a real store, local blob storage,
// River workers and River UI) behind a client whose every exchange is
// validated against the document.
type contract struct {
	t      *testing.T
	srv    *httptest.Server
	v      *openapitest.Validator
	client *http.Client
}

// TestEveryRouteAnswersAsDocumented drives every operation of the document
// through the real API, success and error answers alike, and checks each
// exchange against the document; then it checks that the document and the
// API's router name the same operations and that every one was exercised.
func TestEveryRouteAnswersAsDocumented(t *testing.T) {
	c, routes := newContract(t)
	user, other := c.token(), c.token()

	// System.
	c.want(200, "GET", "/health", "", nil)
	c.want(200, "GET", "/health/live", "", nil)
	c.want(200, "GET", "/health/ready", "", nil)
	c.want(200, "POST", "/test", "", map[string]any{"hello": "world"})
	c.want(400, "POST", "/test", "", []byte(`{"hello":`))
	c.want(200, "GET", openapi.Path, "", nil)
	c.want(200, "GET", "/", "", nil)
	c.want(200, "GET", "/console/console.css", "", nil)
	c.want(404, "GET", "/console/nothing-here.js", "", nil)
	c.want(200, "POST", "/api/v1/dev/token", "", nil)
	c.want(400, "POST", "/api/v1/dev/token", "", map[string]any{"sub": "not-a-uuid"})
	c.want(404, "GET", "/api/v1/nothing-here", user, nil)
	c.wantPreflight("/api/v1/files")

	// Who is calling.
	var guest struct{ Token string }
	c.want(201, "POST", "/api/v1/guest-sessions", "", nil).decode(&guest)
	c.want(200, "GET", "/api/v1/me", user, nil)
	c.want(200, "GET", "/api/v1/me", "", nil, "X-Guest-Session", guest.Token)
	c.want(401, "GET", "/api/v1/me", "", nil)
	c.want(401, "GET", "/api/v1/me", "not-a-jwt", nil)
	c.want(403, "GET", "/api/v1/files", "", nil, "X-Guest-Session", guest.Token)
	c.want(401, "GET", "/api/v1/jobs/"+uuid.NewString(), "", nil)
	// Event streams' refusals (a 200 streams on: events_test.go reads those).
	c.want(401, "GET", "/api/v1/events", "", nil)
	c.want(403, "GET", "/api/v1/events", "", nil, "X-Guest-Session", guest.Token)
	c.want(400, "GET", "/api/v1/events", user, nil, "Last-Event-ID", "bogus")
	c.want(404, "GET", "/api/v1/jobs/"+uuid.NewString()+"/events", user, nil)
	c.want(400, "GET", "/api/v1/jobs/"+uuid.NewString()+"/events", user, nil, "Last-Event-ID", "1.x")

	// Upload, complete, analyse, read.
	song := c.upload(user, "song.wav", "audio/wav", wavtest.Sine(44100, 1, 1.5, 440, 0.5), "")
	c.want(200, "GET", "/api/v1/files/"+song.file, user, nil)
	c.want(404, "GET", "/api/v1/files/"+song.file, other, nil)
	c.want(404, "GET", "/api/v1/files/not-a-uuid", user, nil)
	c.answers("GET", "/api/v1/files/"+song.file+"/analysis", user, nil) // 202 while it runs, 200 if it already ran
	c.waitJob(user, song.job)
	c.want(200, "GET", "/api/v1/files/"+song.file+"/analysis?stem=master", user, nil)
	c.want(404, "GET", "/api/v1/files/"+song.file+"/analysis?stem=drums", user, nil)
	c.want(200, "POST", "/api/v1/files/"+song.file+"/complete", user, nil) // again: the same answer
	c.want(200, "POST", "/api/v1/files/"+song.file+"/analysis", user, nil) // analysed: the finished job, nothing runs again
	c.want(202, "POST", "/api/v1/files/"+song.file+"/analysis", user, map[string]any{"reason": "contract: run again"})
	c.follow(c.want(302, "GET", "/api/v1/files/"+song.file+"/thumbnail", user, nil))
	dl := c.want(302, "GET", "/api/v1/files/"+song.file+"/download", user, nil)
	c.follow(dl)
	c.want(200, "HEAD", dl.header.Get("Location"), "", nil)
	c.want(403, "GET", dl.header.Get("Location")+"x", "", nil)
	c.want(200, "GET", "/api/v1/files?limit=20", user, nil)
	c.want(400, "GET", "/api/v1/files?limit=0", user, nil)
	c.want(400, "GET", "/api/v1/files?cursor=bogus", user, nil)
	c.want(400, "POST", "/api/v1/files", user, map[string]any{"file_name": "x.exe", "file_size": 10, "mime_type": "audio/wav"})
	c.want(400, "POST", "/api/v1/files", user, map[string]any{"file_name": "a.wav", "file_size": 10, "mime_type": "audio/wav", "colour": "red"})
	c.want(413, "POST", "/api/v1/files", user, []byte(`{"file_name":"`+strings.Repeat("x", 2<<20)+`"}`), "Content-Type", "application/json")
	pending := c.declare(user, "later.wav", "audio/wav", 100, "")
	c.want(409, "POST", "/api/v1/files/"+pending.file+"/complete", user, nil)
	c.want(409, "GET", "/api/v1/files/"+pending.file+"/download", user, nil)
	c.want(404, "GET", "/api/v1/files/"+pending.file+"/thumbnail", user, nil)
	c.want(413, "PUT", pending.upload.URL, "", bytes.Repeat([]byte{1}, 200), "Content-Type", "audio/wav")
	c.want(403, "PUT", pending.upload.URL, "", bytes.Repeat([]byte{1}, 100), "Content-Type", "audio/mpeg")
	bad := c.declare(user, "bad.wav", "audio/wav", 8, "")
	c.want(200, "PUT", bad.upload.URL, "", []byte("notawave"), "Content-Type", "audio/wav")
	c.want(400, "POST", "/api/v1/files/"+bad.file+"/complete", user, nil)
	c.want(409, "POST", "/api/v1/files/"+bad.file+"/complete", user, nil)

	// MIDI.
	mid, err := os.ReadFile("/usr/share/planetblupi/music/music000.mid")
	if err != nil {
		t.Fatalf("a real MIDI file (Debian planetblupi-music-midi): %v", err)
	}
	tune := c.upload(user, "music000.mid", "audio/midi", mid, "")
	c.waitJob(user, tune.job)
	c.want(200, "GET", "/api/v1/midi", user, nil)
	c.want(400, "GET", "/api/v1/midi?limit=500", user, nil)
	c.want(200, "GET", "/api/v1/midi/"+tune.file, user, nil)
	c.want(404, "GET", "/api/v1/midi/"+song.file, user, nil)
	c.want(200, "GET", "/api/v1/midi/"+tune.file+"/settings", user, nil)
	c.want(200, "PUT", "/api/v1/midi/"+tune.file+"/settings", user, map[string]any{"color_scheme": "sage", "pixels_per_second": 80})
	c.want(400, "PUT", "/api/v1/midi/"+tune.file+"/settings", user, map[string]any{"min_key": 100, "max_key": 20})
	c.want(404, "GET", "/api/v1/midi/"+uuid.NewString()+"/settings", user, nil)

	// Stems.
	var stem struct{ Job struct{ ID string } }
	c.want(201, "POST", "/api/v1/stem-jobs", user, map[string]any{"file_id": song.file, "config": map[string]any{"model_variant": "2stems"}}).decode(&stem)
	c.want(400, "POST", "/api/v1/stem-jobs", user, map[string]any{"file_id": song.file, "config": map[string]any{"model_variant": "7stems"}})
	c.want(400, "POST", "/api/v1/stem-jobs", user, map[string]any{"file_id": "nope"})
	c.waitJob(user, stem.Job.ID)
	c.want(200, "GET", "/api/v1/stem-jobs/"+stem.Job.ID, user, nil)
	c.want(404, "GET", "/api/v1/stem-jobs/"+uuid.NewString(), user, nil)
	c.want(200, "GET", "/api/v1/stem-jobs?limit=5", user, nil)
	c.want(409, "POST", "/api/v1/stem-jobs/"+stem.Job.ID+"/cancel", user, nil)
	var stem2 struct{ Job struct{ ID string } }
	c.want(201, "POST", "/api/v1/stem-jobs", user, map[string]any{"file_id": song.file, "config": map[string]any{"stems": map[string]bool{"drums": true}}}).decode(&stem2)
	c.answers("POST", "/api/v1/stem-jobs/"+stem2.Job.ID+"/cancel", user, nil) // 200, or 409 if it already ended
	c.waitJob(user, stem2.Job.ID)

	// Projects and their states.
	var proj struct{ Project struct{ ID string } }
	c.want(201, "POST", "/api/v1/projects", user, map[string]any{"name": "Night Drive", "genre": "synthwave"}).decode(&proj)
	p := "/api/v1/projects/" + proj.Project.ID
	c.want(400, "POST", "/api/v1/projects", user, map[string]any{"genre": "no name"})
	c.want(200, "GET", "/api/v1/projects?search=night&sort=name&order=asc", user, nil)
	c.want(400, "GET", "/api/v1/projects?sort=size", user, nil)
	c.want(200, "GET", p, user, nil)
	c.want(404, "GET", p, other, nil)
	c.want(200, "PATCH", p, user, map[string]any{"privacy_setting": "unlisted", "primary_midi_file_id": tune.file, "description": ""})
	c.want(400, "PATCH", p, user, map[string]any{"privacy_setting": "secret"})
	inProject := c.upload(user, "in-project.wav", "audio/wav", wavtest.Sine(22050, 1, 0.5, 220, 0.3), proj.Project.ID)
	c.want(200, "GET", p+"/files", user, nil)
	c.want(404, "GET", "/api/v1/projects/proj_1_missing/files", user, nil)
	var st1, st2 struct{ State struct{ ID string } }
	c.want(201, "POST", p+"/states", user, map[string]any{"data": map[string]any{"layers": []any{}}}).decode(&st1)
	c.want(201, "POST", p+"/states", user, map[string]any{"data": map[string]any{"layers": []any{"glow"}}}).decode(&st2)
	c.want(400, "POST", p+"/states", user, map[string]any{"data": nil})
	c.want(200, "GET", p+"/states?limit=5", user, nil)
	c.want(200, "GET", p+"/states/current", user, nil)
	c.want(200, "POST", p+"/states/"+st1.State.ID+"/restore", user, nil)
	c.want(404, "POST", p+"/states/"+uuid.NewString()+"/restore", user, nil)
	c.want(204, "DELETE", p+"/states/"+st2.State.ID, user, nil)
	c.want(204, "DELETE", p+"/states", user, nil)
	c.want(404, "GET", p+"/states/current", user, nil)
	c.want(201, "POST", p+"/duplicate", user, map[string]any{"include_files": true})
	c.want(201, "POST", p+"/duplicate", user, nil)

	// Renders (the local ffmpeg renderer).
	var render struct{ Render struct{ ID string } }
	c.want(201, "POST", "/api/v1/renders", user, map[string]any{"master_file_id": song.file, "analysis_file_ids": []string{song.file},
		"aspect_ratio": "1:1", "fps": 30, "project_id": proj.Project.ID, "input_props": map[string]any{"theme": "dark"}}).decode(&render)
	c.want(400, "POST", "/api/v1/renders", user, map[string]any{"aspect_ratio": "wide"})
	c.want(400, "POST", "/api/v1/renders", user, map[string]any{"fps": 24})
	c.want(409, "GET", "/api/v1/renders/"+render.Render.ID+"/download", user, nil)
	c.waitRender(user, render.Render.ID)
	c.want(200, "GET", "/api/v1/renders/"+render.Render.ID, user, nil)
	c.want(404, "GET", "/api/v1/renders/"+uuid.NewString(), user, nil)
	c.want(200, "GET", "/api/v1/renders?limit=5", user, nil)
	c.follow(c.want(302, "GET", "/api/v1/renders/"+render.Render.ID+"/download", user, nil))
	c.want(409, "POST", "/api/v1/renders/"+render.Render.ID+"/cancel", user, nil)
	var render2 struct{ Render struct{ ID string } }
	c.want(201, "POST", "/api/v1/renders", user, map[string]any{"master_file_id": inProject.file, "project_name": "Cancelled"}).decode(&render2)
	c.answers("POST", "/api/v1/renders/"+render2.Render.ID+"/cancel", user, nil) // 200, or 409 if it already ended
	c.waitRender(user, render2.Render.ID)

	// Deletion.
	c.want(204, "DELETE", "/api/v1/files/"+inProject.file, user, nil)
	c.want(404, "DELETE", "/api/v1/files/"+inProject.file, user, nil)
	c.want(204, "DELETE", p, user, nil)
	c.want(404, "GET", p, user, nil)

	// River UI (open to loopback in development).
	c.want(301, "GET", "/riverui", "", nil)
	c.want(200, "GET", "/riverui/", "", nil)
	c.want(200, "GET", "/riverui/api/jobs?state=completed", "", nil)
	c.want(200, "PUT", "/riverui/api/queues/maintenance/pause", "", nil)
	c.want(200, "PUT", "/riverui/api/queues/maintenance/resume", "", nil)
	c.answers("PATCH", "/riverui/api/queues/maintenance", "", map[string]any{})
	c.want(200, "POST", "/riverui/api/jobs/cancel", "", map[string]any{"ids": []string{"1"}})

	c.checkCoverage(routes)
}

// checkCoverage fails unless the document and the router name the same
// operations, and every operation of the document was exercised.
func (c *contract) checkCoverage(routes []*echoRoute) {
	t := c.t
	documented := map[string]bool{}
	for _, op := range c.v.Operations() {
		documented[op] = true
	}
	routed := map[string]bool{}
	param := regexp.MustCompile(`:([a-z_]+)`)
	for _, r := range routes {
		if r.Method == "echo_route_not_found" {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		if prefix, ok := strings.CutSuffix(path, "/*"); ok {
			// A mounted handler (blobs, River UI) takes any method: the
			// document lists the ones it serves under the rest-of-path
			// parameter.
			found := false
			for op := range documented {
				if strings.HasPrefix(strings.SplitN(op, " ", 2)[1], prefix+"/{") {
					found, routed[op] = true, true
				}
			}
			if !found {
				t.Errorf("route %s %s is not in the document", r.Method, r.Path)
			}
			continue
		}
		op := r.Method + " " + path
		routed[op] = true
		if !documented[op] {
			t.Errorf("route %s is not in the document", op)
		}
	}
	exercised := c.v.Exercised()
	for op := range documented {
		if !routed[op] {
			t.Errorf("the document has %s, which the API does not route", op)
		}
		if len(exercised[op]) == 0 {
			t.Errorf("no exchange exercised %s", op)
		}
	}
	keys := make([]string, 0, len(exercised))
	for op := range exercised {
		keys = append(keys, op)
	}
	slices.Sort(keys)
	for _, op := range keys {
		t.Logf("%-55s %v", op, exercised[op])
	}
}

type echoRoute struct{ Method, Path string }

func newContract(t *testing.T) (*contract, []*echoRoute) {
	t.Helper()
	// A validator of its own, so the coverage counts this test's exchanges only.
	v, err := openapitest.New()
	if err != nil {
		t.Fatal(err)
	}
	sys := apitest.Start(t, apitest.Options{RiverUI: true, Validator: v})
	routes := make([]*echoRoute, 0, len(sys.Echo.Routes()))
	for _, r := range sys.Echo.Routes() {
		routes = append(routes, &echoRoute{Method: r.Method, Path: r.Path})
	}
	sys.StartWorkers()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &contract{t: t, srv: sys.Server, v: v, client: client}, routes
}

func (c *contract) token() string {
	c.t.Helper()
	tok, err := auth.Mint(secret, "", uuid.NewString(), time.Hour)
	if err != nil {
		c.t.Fatal(err)
	}
	return tok
}

type answer struct {
	t      *testing.T
	status int
	header http.Header
	body   []byte
}

func (a *answer) decode(v any) {
	a.t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		a.t.Fatalf("decode %.300s: %v", a.body, err)
	}
}

// answers sends a request (through the validating transport); body is JSON
// unless it is []byte; headers are name, value pairs.
func (c *contract) answers(method, path, token string, body any, headers ...string) *answer {
	c.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			c.t.Fatal(err)
		}
	}
	url := path
	if strings.HasPrefix(path, "/") {
		url = c.srv.URL + path
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(raw))
	if err != nil {
		c.t.Fatal(err)
	}
	if body == nil {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	} else if _, ok := body.([]byte); !ok {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &answer{t: c.t, status: res.StatusCode, header: res.Header, body: out}
}

// want sends a request and fails the test unless it answers status.
func (c *contract) want(status int, method, path, token string, body any, headers ...string) *answer {
	c.t.Helper()
	a := c.answers(method, path, token, body, headers...)
	if a.status != status {
		c.t.Fatalf("%s %s: %d %.300s, want %d", method, path, a.status, a.body, status)
	}
	return a
}

// follow fetches a redirect's signed URL.
func (c *contract) follow(a *answer) {
	c.t.Helper()
	c.want(200, "GET", a.header.Get("Location"), "", nil)
}

func (c *contract) wantPreflight(path string) {
	c.t.Helper()
	a := c.answers("OPTIONS", path, "", nil, "Origin", "http://localhost:3000", "Access-Control-Request-Method", "POST")
	if a.status != http.StatusNoContent || a.header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		c.t.Fatalf("preflight %s: %d %v", path, a.status, a.header)
	}
}

type declared struct {
	file   string
	job    string
	upload struct {
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
	}
}

func (c *contract) declare(token, name, mime string, size int, project string) *declared {
	c.t.Helper()
	req := map[string]any{"file_name": name, "file_size": size, "mime_type": mime}
	if project != "" {
		req["project_id"] = project
	}
	var body struct {
		File   struct{ ID string }
		Upload json.RawMessage
	}
	c.want(201, "POST", "/api/v1/files", token, req).decode(&body)
	d := &declared{file: body.File.ID}
	if err := json.Unmarshal(body.Upload, &d.upload); err != nil {
		c.t.Fatal(err)
	}
	return d
}

// upload declares, PUTs and completes a file, returning it with its job.
func (c *contract) upload(token, name, mime string, data []byte, project string) *declared {
	c.t.Helper()
	d := c.declare(token, name, mime, len(data), project)
	c.want(200, "PUT", d.upload.URL, "", data, "Content-Type", d.upload.Headers["Content-Type"])
	var done struct{ Jobs []struct{ ID string } }
	c.want(200, "POST", "/api/v1/files/"+d.file+"/complete", token, nil).decode(&done)
	if len(done.Jobs) != 1 {
		c.t.Fatalf("complete %s: jobs %v", name, done.Jobs)
	}
	d.job = done.Jobs[0].ID
	return d
}

// waitJob polls GET /jobs/{id} like the frontend until the job ends.
func (c *contract) waitJob(token, id string) {
	c.t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var job struct{ Status, Error string }
		c.want(200, "GET", "/api/v1/jobs/"+id, token, nil).decode(&job)
		switch job.Status {
		case "completed", "cancelled":
			return
		case "failed":
			c.t.Fatalf("job %s failed: %s", id, job.Error)
		}
	}
	c.t.Fatalf("job %s did not end", id)
}

func (c *contract) waitRender(token, id string) {
	c.t.Helper()
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var r struct {
			Render struct{ Status, Error string }
		}
		c.want(200, "GET", "/api/v1/renders/"+id, token, nil).decode(&r)
		switch r.Render.Status {
		case "completed", "cancelled":
			return
		case "failed":
			c.t.Fatalf("render %s failed: %s", id, r.Render.Error)
		}
	}
	c.t.Fatalf("render %s did not end", id)
}
