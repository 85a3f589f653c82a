package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"phonoglyph/wavtest"
)

func (e *env) createProject(token string, body map[string]any) string {
	e.t.Helper()
	res := e.do("POST", "/api/v1/projects", token, body)
	var p struct{ Project struct{ ID string } }
	res.JSON(e.t, &p)
	if res.Status != http.StatusCreated || !strings.HasPrefix(p.Project.ID, "proj_") {
		e.t.Fatalf("create project: %d %s", res.Status, res.Body)
	}
	return p.Project.ID
}

func TestProjectsCRUD(t *testing.T) {
	e := newEnv(t)
	alice, bob := e.user(), e.user()
	id := e.createProject(alice, map[string]any{"name": "  Night Drive ", "description": "synthwave", "render_configuration": map[string]any{"fps": 60}})

	res := e.do("GET", "/api/v1/projects/"+id, alice, nil)
	var got struct {
		Project struct {
			Name    string `json:"name"`
			Privacy string `json:"privacy_setting"`
		}
	}
	res.JSON(t, &got)
	if res.Status != http.StatusOK || got.Project.Name != "Night Drive" || got.Project.Privacy != "private" {
		t.Fatalf("get: %d %s", res.Status, res.Body)
	}
	res = e.do("PATCH", "/api/v1/projects/"+id, alice, map[string]any{"privacy_setting": "public", "description": ""})
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"privacy_setting":"public"`) || !strings.Contains(string(res.Body), `"description":null`) {
		t.Fatalf("patch: %d %s", res.Status, res.Body)
	}
	for field, body := range map[string]map[string]any{
		"name":                 {"name": strings.Repeat("n", 101)},
		"description":          {"description": strings.Repeat("d", 501)},
		"privacy_setting":      {"privacy_setting": "secret"},
		"render_configuration": {"render_configuration": []int{1}},
		"primary_midi_file_id": {"primary_midi_file_id": "00000000-0000-0000-0000-000000000000"},
	} {
		res := e.do("PATCH", "/api/v1/projects/"+id, alice, body)
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), field) {
			t.Errorf("invalid %s: %d %s", field, res.Status, res.Body)
		}
	}
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/projects/" + id}, {"PATCH", "/api/v1/projects/" + id}, {"DELETE", "/api/v1/projects/" + id},
		{"GET", "/api/v1/projects/" + id + "/files"}, {"POST", "/api/v1/projects/" + id + "/duplicate"},
		{"GET", "/api/v1/projects/" + id + "/states"},
	} {
		if res := e.do(r.method, r.path, bob, map[string]any{}); res.Status != http.StatusNotFound {
			t.Errorf("%s %s as another user: %d", r.method, r.path, res.Status)
		}
	}
	res = e.do("POST", "/api/v1/files", bob, map[string]any{"file_name": "a.wav", "file_size": 10, "mime_type": "audio/wav", "project_id": id})
	if res.Status != http.StatusBadRequest {
		t.Errorf("upload into another user's project: %d %s", res.Status, res.Body)
	}
}

func TestProjectListSearchSortPaginate(t *testing.T) {
	e := newEnv(t)
	token := e.user()
	for _, n := range []string{"beta", "Alpha", "gamma", "alphabet", "100%_real"} {
		e.createProject(token, map[string]any{"name": n})
	}
	list := func(q string) (names []string, total int, next *int) {
		t.Helper()
		res := e.do("GET", "/api/v1/projects?"+q, token, nil)
		var body struct {
			Projects []struct{ Name string }
			Total    int
			Next     *int `json:"next_offset"`
		}
		res.JSON(t, &body)
		if res.Status != http.StatusOK {
			t.Fatalf("list %s: %d %s", q, res.Status, res.Body)
		}
		for _, p := range body.Projects {
			names = append(names, p.Name)
		}
		return names, body.Total, body.Next
	}
	if names, total, _ := list("search=ALPHA&sort=name&order=asc"); fmt.Sprint(names) != "[Alpha alphabet]" || total != 2 {
		t.Errorf("search alpha = %v (%d)", names, total)
	}
	if names, _, _ := list("search=%25_"); fmt.Sprint(names) != "[100%_real]" {
		t.Errorf("literal search = %v", names)
	}
	names, total, next := list("sort=name&order=asc&limit=2")
	if fmt.Sprint(names) != "[100%_real Alpha]" || total != 5 || next == nil || *next != 2 {
		t.Errorf("page 1 = %v total %d next %v", names, total, next)
	}
	if names, _, next := list("sort=name&order=asc&limit=2&offset=4"); fmt.Sprint(names) != "[gamma]" || next != nil {
		t.Errorf("last page = %v next %v", names, next)
	}
	if res := e.do("GET", "/api/v1/projects?sort=owner", token, nil); res.Status != http.StatusBadRequest {
		t.Errorf("bad sort: %d", res.Status)
	}
	if res := e.do("GET", "/api/v1/projects?limit=51", token, nil); res.Status != http.StatusBadRequest {
		t.Errorf("limit 51: %d", res.Status)
	}
}

// Deleting a project deletes its files through the file-delete path:
// rows, analyses and objects.
func TestDeleteProjectDeletesItsFiles(t *testing.T) {
	e := newEnv(t)
	e.startWorker()
	token := e.user()
	id := e.createProject(token, map[string]any{"name": "P"})
	wav := wavtest.Sine(8000, 1, 0.5, 440, 0.3)
	u := e.createFileIn(token, id, "a.wav", "audio/wav", len(wav))
	e.put(u, wav)
	res := e.do("POST", "/api/v1/files/"+u.ID+"/complete", token, nil)
	var done struct {
		File struct {
			Key string `json:"s3_key"`
		} `json:"file"`
		Jobs []struct{ ID string }
	}
	res.JSON(t, &done)
	e.waitJob(token, done.Jobs[0].ID)
	var list struct{ Files []struct{ ID string } }
	e.do("GET", "/api/v1/projects/"+id+"/files", token, nil).JSON(t, &list)
	if len(list.Files) != 1 || list.Files[0].ID != u.ID {
		t.Fatalf("project files = %+v", list.Files)
	}

	if res := e.do("DELETE", "/api/v1/projects/"+id, token, nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete project: %d %s", res.Status, res.Body)
	}
	if res := e.do("GET", "/api/v1/files/"+u.ID, token, nil); res.Status != http.StatusNotFound {
		t.Errorf("file after project delete: %d", res.Status)
	}
	e.waitGone(done.File.Key)
}

func (e *env) createFileIn(token, project, name, mime string, size int) *uploaded {
	e.t.Helper()
	res := e.do("POST", "/api/v1/files", token, map[string]any{"file_name": name, "file_size": size, "mime_type": mime, "project_id": project})
	if res.Status != http.StatusCreated {
		e.t.Fatalf("create file in project: %d %s", res.Status, res.Body)
	}
	var body struct {
		File   struct{ ID string }
		Upload struct {
			URL     string
			Method  string
			Headers map[string]string
		}
	}
	res.JSON(e.t, &body)
	u := &uploaded{ID: body.File.ID}
	u.Upload.URL, u.Upload.Method, u.Upload.Headers = body.Upload.URL, body.Upload.Method, body.Upload.Headers
	return u
}

func TestDuplicateProject(t *testing.T) {
	e := newEnv(t)
	token := e.user()
	id := e.createProject(token, map[string]any{"name": "Orig", "render_configuration": map[string]any{"k": 1}})
	wav := wavtest.Sine(8000, 1, 0.5, 440, 0.3)
	u := e.createFileIn(token, id, "a.wav", "audio/wav", len(wav))
	e.put(u, wav)
	if res := e.do("POST", "/api/v1/files/"+u.ID+"/complete", token, nil); res.Status != http.StatusOK {
		t.Fatalf("complete: %d", res.Status)
	}

	res := e.do("POST", "/api/v1/projects/"+id+"/duplicate", token, map[string]any{"include_files": true})
	var dup struct {
		Project struct {
			ID, Name string
			Config   map[string]int `json:"render_configuration"`
		}
		Files []struct{ ID string }
		Jobs  []struct{ ID string }
	}
	res.JSON(t, &dup)
	if res.Status != http.StatusCreated || dup.Project.Name != "Orig (copy)" || dup.Project.ID == id || dup.Project.Config["k"] != 1 ||
		len(dup.Files) != 1 || dup.Files[0].ID == u.ID || len(dup.Jobs) != 1 {
		t.Fatalf("duplicate: %d %s", res.Status, res.Body)
	}
	// The copy's file is its own: deleting the original project leaves it downloadable.
	if res := e.do("DELETE", "/api/v1/projects/"+id, token, nil); res.Status != http.StatusNoContent {
		t.Fatal(res.Status)
	}
	res = e.do("GET", "/api/v1/files/"+dup.Files[0].ID+"/download", token, nil)
	if got := e.do("GET", res.Header.Get("Location"), "", nil); res.Status != http.StatusFound || string(got.Body) != string(wav) {
		t.Errorf("copied file download: %d / %d bytes", res.Status, len(got.Body))
	}
	res = e.do("POST", "/api/v1/projects/"+dup.Project.ID+"/duplicate", token, nil)
	if res.Status != http.StatusCreated || !strings.Contains(string(res.Body), `"files":[]`) {
		t.Errorf("duplicate without files: %d %s", res.Status, res.Body)
	}
}

// A duplicated project's MIDI files get what every completed MIDI upload
// gets: a parse. (The duplicate used to queue analyses for audio only, so
// GET /midi/{copy} answered 404, even for the copy's primary MIDI file.)
func TestDuplicatedProjectsMIDIIsParsed(t *testing.T) {
	e := newEnv(t)
	e.startWorker()
	token := e.user()
	id := e.createProject(token, map[string]any{"name": "Orig"})
	tune := oneNoteMIDI()
	u := e.createFileIn(token, id, "tune.mid", "audio/midi", len(tune))
	e.put(u, tune)
	if res := e.do("POST", "/api/v1/files/"+u.ID+"/complete", token, nil); res.Status != http.StatusOK {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	if res := e.do("PATCH", "/api/v1/projects/"+id, token, map[string]any{"primary_midi_file_id": u.ID}); res.Status != http.StatusOK {
		t.Fatalf("set primary MIDI: %d %s", res.Status, res.Body)
	}

	res := e.do("POST", "/api/v1/projects/"+id+"/duplicate", token, map[string]any{"include_files": true})
	var dup struct {
		Project struct {
			PrimaryMIDIFileID *string `json:"primary_midi_file_id"`
		}
		Files []struct{ ID string }
		Jobs  []struct{ ID, Kind string }
	}
	res.JSON(t, &dup)
	if res.Status != http.StatusCreated || len(dup.Files) != 1 || dup.Project.PrimaryMIDIFileID == nil ||
		*dup.Project.PrimaryMIDIFileID != dup.Files[0].ID || len(dup.Jobs) != 1 || dup.Jobs[0].Kind != "midi_parse" {
		t.Fatalf("duplicate: %d %s", res.Status, res.Body)
	}
	if job := e.waitJob(token, dup.Jobs[0].ID); job["status"] != "completed" {
		t.Fatalf("parse of the copy = %v", job)
	}
	res = e.do("GET", "/api/v1/midi/"+dup.Files[0].ID, token, nil)
	var got struct {
		MIDI struct {
			Status string `json:"parsing_status"`
			Notes  int    `json:"note_count"`
		} `json:"midi_file"`
	}
	res.JSON(t, &got)
	if res.Status != http.StatusOK || got.MIDI.Status != "completed" || got.MIDI.Notes != 1 {
		t.Errorf("GET /midi/{copy}: %d %s", res.Status, res.Body)
	}
}

func TestAutoSave(t *testing.T) {
	e := newEnv(t)
	token := e.user()
	id := e.createProject(token, map[string]any{"name": "P"})
	base := "/api/v1/projects/" + id + "/states"
	save := func(n int) string {
		t.Helper()
		res := e.do("POST", base, token, map[string]any{"data": map[string]any{"n": n}})
		var s struct{ State struct{ ID string } }
		res.JSON(t, &s)
		if res.Status != http.StatusCreated {
			t.Fatalf("save: %d %s", res.Status, res.Body)
		}
		return s.State.ID
	}
	ids := make([]string, 13)
	for i := 1; i <= 12; i++ {
		ids[i] = save(i)
	}
	var list struct {
		States []struct {
			ID        string
			Version   int
			IsCurrent bool `json:"is_current"`
		}
	}
	e.do("GET", base+"?limit=50", token, nil).JSON(t, &list)
	if len(list.States) != 10 || list.States[0].Version != 12 || !list.States[0].IsCurrent || list.States[9].Version != 3 {
		t.Fatalf("kept states = %+v", list.States)
	}
	if res := e.do("POST", base+"/"+ids[5]+"/restore", token, nil); res.Status != http.StatusOK {
		t.Fatalf("restore: %d %s", res.Status, res.Body)
	}
	res := e.do("GET", base+"/current", token, nil)
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"n":5`) {
		t.Errorf("current after restore: %s", res.Body)
	}
	if res := e.do("POST", base+"/"+ids[1]+"/restore", token, nil); res.Status != http.StatusNotFound {
		t.Errorf("restore a pruned version: %d", res.Status)
	}

	// Two tabs saving at once: every save gets its own consecutive version.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			save(100 + i)
		}()
	}
	wg.Wait()
	e.do("GET", base+"?limit=50", token, nil).JSON(t, &list)
	current := 0
	for i, s := range list.States {
		if s.Version != 20-i {
			t.Errorf("version %d at %d, want %d", s.Version, i, 20-i)
		}
		if s.IsCurrent {
			current++
		}
	}
	if len(list.States) != 10 || current != 1 || !list.States[0].IsCurrent {
		t.Errorf("after concurrent saves: %+v", list.States)
	}

	if res := e.do("DELETE", base+"/"+list.States[0].ID, token, nil); res.Status != http.StatusNoContent {
		t.Errorf("delete one: %d", res.Status)
	}
	if res := e.do("DELETE", base, token, nil); res.Status != http.StatusNoContent {
		t.Errorf("delete all: %d", res.Status)
	}
	if res := e.do("GET", base+"/current", token, nil); res.Status != http.StatusNotFound {
		t.Errorf("current after delete all: %d", res.Status)
	}
	if res := e.do("POST", base, token, map[string]any{"data": strings.Repeat("x", 600<<10)}); res.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized state: %d", res.Status)
	}
}
