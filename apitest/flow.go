package apitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// Upload runs the frontend's upload flow for a WAV file as the user of
// token — declare, PUT to the upload URL, complete — with header added to
// each API request, and returns the file's id and its analysis job's.
func (s *System) Upload(token string, wav []byte, header http.Header) (fileID, jobID string) {
	s.t.Helper()
	var created struct {
		File struct {
			ID string `json:"id"`
		} `json:"file"`
		Upload struct {
			URL     string            `json:"url"`
			Method  string            `json:"method"`
			Headers map[string]string `json:"headers"`
		} `json:"upload"`
	}
	s.Call("POST", "/api/v1/files", token, map[string]any{"file_name": "upload.wav", "file_size": len(wav), "mime_type": "audio/wav"},
		header, 201, &created)
	put, err := http.NewRequest(created.Upload.Method, created.Upload.URL, bytes.NewReader(wav))
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range created.Upload.Headers {
		put.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(put)
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("PUT upload: %s", res.Status)
	}
	var done struct {
		Jobs []struct {
			ID string `json:"id"`
		} `json:"jobs"`
	}
	s.Call("POST", "/api/v1/files/"+created.File.ID+"/complete", token, nil, header, 200, &done)
	if len(done.Jobs) != 1 {
		s.t.Fatalf("complete queued %d jobs, want 1", len(done.Jobs))
	}
	return created.File.ID, done.Jobs[0].ID
}

// Call sends a request to the API path as the user of token (none when
// empty), with body as JSON unless nil and header added, decodes the answer
// into out unless nil, and fails the test unless the status is want.
func (s *System) Call(method, path, token string, body any, header http.Header, want int, out any) {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	if res.StatusCode != want {
		s.t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, data, want)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}
