package api_test

import (
	"net/http"
	"testing"

	"phonoglyph/wavtest"
)

// Every object of one user is invisible to another: 404, never 403, so ids
// cannot be probed.
func TestOtherUsersObjectsAreNotFound(t *testing.T) {
	e := newEnv(t)
	e.startWorker()
	alice, bob := e.user(), e.user()
	u, res := e.upload(alice, "a.wav", "audio/wav", wavtest.Sine(8000, 1, 0.5, 440, 0.3))
	if res.Status != http.StatusOK {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	var done struct{ Jobs []struct{ ID string } }
	res.JSON(t, &done)
	e.waitJob(alice, done.Jobs[0].ID)

	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/files/" + u.ID},
		{"POST", "/api/v1/files/" + u.ID + "/complete"},
		{"GET", "/api/v1/files/" + u.ID + "/download"},
		{"POST", "/api/v1/files/" + u.ID + "/analysis"},
		{"GET", "/api/v1/files/" + u.ID + "/analysis"},
		{"DELETE", "/api/v1/files/" + u.ID},
		{"GET", "/api/v1/jobs/" + done.Jobs[0].ID},
	} {
		res := e.do(r.method, r.path, bob, nil)
		if res.Status != http.StatusNotFound || res.ErrorCode(t) != "not_found" {
			t.Errorf("%s %s as another user: %d %s", r.method, r.path, res.Status, res.Body)
		}
	}
	var list struct{ Files []any }
	if res := e.do("GET", "/api/v1/files", bob, nil); res.Status != http.StatusOK {
		t.Fatalf("list: %d", res.Status)
	} else if res.JSON(t, &list); len(list.Files) != 0 {
		t.Errorf("bob sees %d files", len(list.Files))
	}
	// Alice still has everything.
	if res := e.do("GET", "/api/v1/files/"+u.ID+"/analysis", alice, nil); res.Status != http.StatusOK {
		t.Errorf("owner analysis: %d", res.Status)
	}
	if res := e.do("GET", "/api/v1/files/not-a-uuid", alice, nil); res.Status != http.StatusNotFound {
		t.Errorf("malformed id: %d", res.Status)
	}
}

func TestListFilesPaginates(t *testing.T) {
	e := newEnv(t)
	token := e.user()
	for range 5 {
		e.createFile(token, "a.mid", "audio/midi", 100)
	}
	seen := map[string]bool{}
	path := "/api/v1/files?limit=2"
	for pages := 0; ; pages++ {
		res := e.do("GET", path, token, nil)
		var body struct {
			Files []struct {
				ID string `json:"id"`
			}
			NextCursor *string `json:"next_cursor"`
		}
		res.JSON(t, &body)
		if res.Status != http.StatusOK || pages > 5 {
			t.Fatalf("page %d: %d %s", pages, res.Status, res.Body)
		}
		for _, f := range body.Files {
			if seen[f.ID] {
				t.Fatalf("file %s on two pages", f.ID)
			}
			seen[f.ID] = true
		}
		if body.NextCursor == nil {
			break
		}
		path = "/api/v1/files?limit=2&cursor=" + *body.NextCursor
	}
	if len(seen) != 5 {
		t.Errorf("saw %d files, want 5", len(seen))
	}
	if res := e.do("GET", "/api/v1/files?limit=500", token, nil); res.Status != http.StatusBadRequest {
		t.Errorf("limit 500: %d", res.Status)
	}
}
