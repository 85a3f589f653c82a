//go:build chaos

package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"phonoglyph/wavtest"
)

// Job statuses the API shows.
const (
	statusCompleted = "completed"
	statusFailed    = "failed"
	statusCancelled = "cancelled"
)

func terminal(status string) bool {
	return status == statusCompleted || status == statusFailed || status == statusCancelled
}

// call is one HTTP exchange a simulated user made.
type call struct {
	at     time.Time
	method string
	route  string // the path with ids replaced, for the report
	status int    // 0 when no answer came
	err    string
}

// ledger is what every simulated user saw: each call, each job and each
// file, for the checks at the end.
type ledger struct {
	mu    sync.Mutex
	calls []call
	jobs  map[string]*jobSeen  // by job id
	files map[string]*fileSeen // by file id
}

func newLedger() *ledger {
	return &ledger{jobs: map[string]*jobSeen{}, files: map[string]*fileSeen{}}
}

// jobSeen is a job as its user followed it through GET /api/v1/jobs/{id}.
type jobSeen struct {
	id, kind, user string
	file           string   // the file it belongs to
	statuses       []string // every distinct status seen, in order
	gone           bool     // answered 404
	err            string   // the job's error, once failed
}

// fileSeen is a file a user uploaded or derived.
type fileSeen struct {
	id, user string
	project  string
	deleted  bool // the user deleted it (or its project)
}

func (l *ledger) record(c call) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, c)
}

func (l *ledger) job(id, kind, user, file string) *jobSeen {
	l.mu.Lock()
	defer l.mu.Unlock()
	j := l.jobs[id]
	if j == nil {
		j = &jobSeen{id: id, kind: kind, user: user, file: file}
		l.jobs[id] = j
	}
	return j
}

func (l *ledger) observe(j *jobSeen, status, errMsg string, gone bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if gone {
		j.gone = true
		return
	}
	if n := len(j.statuses); n == 0 || j.statuses[n-1] != status {
		j.statuses = append(j.statuses, status)
	}
	if errMsg != "" {
		j.err = errMsg
	}
}

func (l *ledger) file(id, user, project string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.files[id] == nil {
		l.files[id] = &fileSeen{id: id, user: user, project: project}
	}
}

func (l *ledger) deleteFile(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.files[id]; f != nil {
		f.deleted = true
	}
}

func (l *ledger) deleteProject(project string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, f := range l.files {
		if f.project == project {
			f.deleted = true
		}
	}
}

// simUser is one person using the product through a random API replica.
type simUser struct {
	id, token string
	apis      []string
	rnd       *rand.Rand
	ledger    *ledger
	client    *http.Client
}

// errStatus is an answer other than the one a step expected.
type errStatus struct {
	route      string
	status     int
	body       string
	retryAfter int // seconds, from a 429's Retry-After
}

func (e *errStatus) Error() string { return fmt.Sprintf("%s: %d %s", e.route, e.status, e.body) }

// do sends a request to a random API replica and decodes a JSON answer into
// out; it records the call. want lists the statuses the step accepts.
//
// A 429 is waited out as a well-behaved client does (Retry-After, a few
// times) before the step gives up.
func (u *simUser) do(ctx context.Context, method, route, path string, body any, out any, want ...int) (int, error) {
	for range 5 {
		status, err := u.once(ctx, method, route, path, body, out, want...)
		var es *errStatus
		if !errors.As(err, &es) || es.status != http.StatusTooManyRequests {
			return status, err
		}
		wait := time.Duration(es.retryAfter) * time.Second
		select {
		case <-ctx.Done():
			return status, err
		case <-time.After(min(max(wait, time.Second), 5*time.Second)):
		}
	}
	return u.once(ctx, method, route, path, body, out, want...)
}

// once sends the request of do once.
func (u *simUser) once(ctx context.Context, method, route, path string, body any, out any, want ...int) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	base := u.apis[u.rnd.IntN(len(u.apis))]
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+u.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c := call{at: time.Now(), method: method, route: route}
	res, err := u.client.Do(req)
	if err != nil {
		c.err = err.Error()
		u.ledger.record(c)
		return 0, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	c.status = res.StatusCode
	u.ledger.record(c)
	for _, w := range want {
		if res.StatusCode == w {
			if out != nil && len(raw) > 0 {
				return res.StatusCode, json.Unmarshal(raw, out)
			}
			return res.StatusCode, nil
		}
	}
	retry, _ := strconv.Atoi(res.Header.Get("Retry-After"))
	return res.StatusCode, &errStatus{route: method + " " + route, status: res.StatusCode, body: string(raw), retryAfter: retry}
}

// upload declares, PUTs and completes one WAV file and returns its id and
// the id of the job its completion enqueued. Files are a few seconds long;
// some users upload the same content, so the content cache is shared.
func (u *simUser) upload(ctx context.Context, project string) (fileID, jobID string, err error) {
	seconds := 1.5 + float64(u.rnd.IntN(3))
	freq := []float64{220, 330, 440, 550}[u.rnd.IntN(4)]
	audio := wavtest.Sine(22050, 2, seconds, freq, 0.4)
	decl := map[string]any{"file_name": "take-" + strconv.Itoa(u.rnd.IntN(1000)) + ".wav", "file_size": len(audio), "mime_type": "audio/wav"}
	if project != "" {
		decl["project_id"] = project
	}
	var declared struct {
		File   struct{ ID string } `json:"file"`
		Upload struct {
			URL     string            `json:"url"`
			Headers map[string]string `json:"headers"`
		} `json:"upload"`
	}
	if _, err := u.do(ctx, http.MethodPost, "/api/v1/files", "/api/v1/files", decl, &declared, http.StatusCreated); err != nil {
		return "", "", err
	}
	u.ledger.file(declared.File.ID, u.id, project)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, declared.Upload.URL, bytes.NewReader(audio))
	if err != nil {
		return "", "", err
	}
	for k, v := range declared.Upload.Headers {
		req.Header.Set(k, v)
	}
	c := call{at: time.Now(), method: http.MethodPut, route: "<upload url>"}
	res, err := u.client.Do(req)
	if err != nil {
		c.err = err.Error()
		u.ledger.record(c)
		return "", "", err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	c.status = res.StatusCode
	u.ledger.record(c)
	if res.StatusCode != http.StatusOK {
		return "", "", &errStatus{route: "PUT <upload url>", status: res.StatusCode}
	}
	var completed struct {
		Jobs []struct{ ID, Kind string } `json:"jobs"`
	}
	path := "/api/v1/files/" + declared.File.ID + "/complete"
	if _, err := u.do(ctx, http.MethodPost, "/api/v1/files/{id}/complete", path, nil, &completed, http.StatusOK); err != nil {
		return declared.File.ID, "", err
	}
	for _, j := range completed.Jobs {
		u.ledger.job(j.ID, j.Kind, u.id, declared.File.ID)
		jobID = j.ID
	}
	return declared.File.ID, jobID, nil
}

// follow polls a job until it ends, is gone, or ctx ends, and returns its
// last status.
func (u *simUser) follow(ctx context.Context, id string) string {
	j := u.ledger.job(id, "", u.id, "")
	for {
		if status, done := u.read(ctx, j); done {
			return status
		}
		select {
		case <-ctx.Done():
			return ""
		case <-time.After(time.Duration(150+u.rnd.IntN(150)) * time.Millisecond):
		}
	}
}

// read reads a job once through GET /api/v1/jobs/{id} into the ledger and
// says whether it has ended (or is gone).
func (u *simUser) read(ctx context.Context, j *jobSeen) (status string, done bool) {
	var got struct {
		Status string  `json:"status"`
		Error  *string `json:"error"`
	}
	st, err := u.do(ctx, http.MethodGet, "/api/v1/jobs/{id}", "/api/v1/jobs/"+j.id, nil, &got, http.StatusOK)
	switch {
	case st == http.StatusNotFound:
		u.ledger.observe(j, "", "", true)
		return "", true
	case err != nil:
		return "", false
	}
	msg := ""
	if got.Error != nil {
		msg = *got.Error
	}
	u.ledger.observe(j, got.Status, msg, false)
	return got.Status, terminal(got.Status)
}

// pause waits a random moment, as a person between clicks.
func (u *simUser) pause(ctx context.Context, max time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(time.Duration(u.rnd.Int64N(int64(max)))):
	}
}

// scenarios are the flows a user picks from at random.
func (u *simUser) scenarios() []func(ctx context.Context) {
	return []func(ctx context.Context){u.analyse, u.separate, u.render, u.deleteDuringWork, u.duplicateProject}
}

// run plays random scenarios until ctx ends.
func (u *simUser) run(ctx context.Context) {
	flows := u.scenarios()
	for ctx.Err() == nil {
		flows[u.rnd.IntN(len(flows))](ctx)
		u.pause(ctx, 300*time.Millisecond)
	}
}

// analyse uploads a file and follows its analysis.
func (u *simUser) analyse(ctx context.Context) {
	if _, job, err := u.upload(ctx, ""); err == nil && job != "" {
		u.follow(ctx, job)
	}
}

// separate uploads a file, separates it and sometimes cancels the separation.
func (u *simUser) separate(ctx context.Context) {
	file, job, err := u.upload(ctx, "")
	if err != nil || job == "" || u.follow(ctx, job) != statusCompleted {
		return
	}
	variant, stems := "2stems", map[string]bool{"vocals": true, "other": true}
	if u.rnd.IntN(2) == 0 {
		variant, stems = "4stems", map[string]bool{"vocals": true, "drums": true, "bass": true, "other": true}
	}
	id, ok := u.requestStems(ctx, file, variant, stems)
	if !ok {
		return
	}
	if u.rnd.IntN(3) == 0 {
		u.pause(ctx, 2*time.Second)
		_, _ = u.do(ctx, http.MethodPost, "/api/v1/stem-jobs/{id}/cancel", "/api/v1/stem-jobs/"+id+"/cancel", nil, nil,
			http.StatusOK, http.StatusConflict)
	}
	u.follow(ctx, id)
}

// requestStems asks for a separation of file and records its job.
func (u *simUser) requestStems(ctx context.Context, file, variant string, stems map[string]bool) (id string, ok bool) {
	var out struct {
		Job struct{ ID string } `json:"job"`
	}
	body := map[string]any{"file_id": file, "config": map[string]any{"model_variant": variant, "stems": stems}}
	if _, err := u.do(ctx, http.MethodPost, "/api/v1/stem-jobs", "/api/v1/stem-jobs", body, &out, http.StatusCreated, http.StatusOK); err != nil {
		return "", false
	}
	u.ledger.job(out.Job.ID, "stem_separation", u.id, file)
	return out.Job.ID, true
}

// render uploads a file, renders it and sometimes cancels the render.
func (u *simUser) render(ctx context.Context) {
	file, job, err := u.upload(ctx, "")
	if err != nil || job == "" || u.follow(ctx, job) != statusCompleted {
		return
	}
	var out struct {
		Render struct{ ID string } `json:"render"`
	}
	body := map[string]any{"composition": "RayboxMain", "input_props": map[string]any{"layers": []any{}},
		"analysis_file_ids": []string{file}, "master_file_id": file, "codec": "h264", "aspect_ratio": "16:9", "fps": 30}
	if _, err := u.do(ctx, http.MethodPost, "/api/v1/renders", "/api/v1/renders", body, &out, http.StatusCreated); err != nil {
		return
	}
	u.ledger.job(out.Render.ID, "render", u.id, file)
	if u.rnd.IntN(4) == 0 {
		u.pause(ctx, 2*time.Second)
		_, _ = u.do(ctx, http.MethodPost, "/api/v1/renders/{id}/cancel", "/api/v1/renders/"+out.Render.ID+"/cancel", nil, nil,
			http.StatusOK, http.StatusConflict)
	}
	u.follow(ctx, out.Render.ID)
}

// deleteDuringWork deletes a file while its analysis (or a separation of
// it) may still run.
func (u *simUser) deleteDuringWork(ctx context.Context) {
	file, job, err := u.upload(ctx, "")
	if err != nil {
		return
	}
	if job != "" && u.rnd.IntN(2) == 0 {
		u.follow(ctx, job)
		u.requestStems(ctx, file, "2stems", map[string]bool{"vocals": true, "other": true})
	}
	u.pause(ctx, time.Second)
	if u.remove(ctx, "/api/v1/files/{id}", "/api/v1/files/"+file) {
		u.ledger.deleteFile(file)
	}
}

// duplicateProject makes a project with two files, duplicates it with its
// files and deletes the original.
func (u *simUser) duplicateProject(ctx context.Context) {
	var p struct {
		Project struct{ ID string } `json:"project"`
	}
	if _, err := u.do(ctx, http.MethodPost, "/api/v1/projects", "/api/v1/projects", map[string]any{"name": "chaos"}, &p, http.StatusCreated); err != nil {
		return
	}
	for range 2 {
		if _, _, err := u.upload(ctx, p.Project.ID); err != nil {
			return
		}
	}
	var dup struct {
		Project struct{ ID string } `json:"project"`
	}
	path := "/api/v1/projects/" + p.Project.ID
	if _, err := u.do(ctx, http.MethodPost, "/api/v1/projects/{id}/duplicate", path+"/duplicate", map[string]any{"include_files": true},
		&dup, http.StatusCreated); err != nil {
		return
	}
	u.pause(ctx, time.Second)
	if u.remove(ctx, "/api/v1/projects/{id}", path) {
		u.ledger.deleteProject(p.Project.ID)
	}
}

// remove deletes what path names as a client whose reply was lost does: a
// DELETE that failed (a 5xx or a dropped connection during a database
// restart, or the user leaving mid-request) may still have committed, so it
// asks again, and a 404 then means the first one went through. It reports
// whether the thing is gone.
func (u *simUser) remove(ctx context.Context, route, path string) bool {
	if _, err := u.do(ctx, http.MethodDelete, route, path, nil, nil, http.StatusNoContent); err == nil {
		return true
	}
	retry, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	for range 3 {
		u.pause(retry, time.Second)
		if _, err := u.do(retry, http.MethodDelete, route, path, nil, nil, http.StatusNoContent, http.StatusNotFound); err == nil {
			return true
		}
	}
	return false
}
