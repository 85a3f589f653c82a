package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"phonoglyph/auth"
	"phonoglyph/dbtest"
	"phonoglyph/eventually"
	"phonoglyph/loopback"
	"phonoglyph/wavtest"
)

// call sends a JSON request (or raw bytes with their content type) and
// decodes a JSON answer into out when out is not nil.
func call(t *testing.T, method, url, token string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, contentType = bytes.NewReader(b), "audio/wav"
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil && json.Unmarshal(raw, out) != nil {
		t.Fatalf("%s %s: %d %s", method, url, res.StatusCode, raw)
	}
	return res.StatusCode
}

// With -with-worker, SIGTERM drains running jobs as cmd/worker does: a
// render in progress when the signal comes finishes instead of being
// cancelled at once.
func TestSignalDrainsRunningJobs(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	metricsAddr := loopback.Addr(t)
	dbURL := dbtest.URL(t)
	const secret = "shutdown-test-secret-shutdown-test-secret"
	for k, v := range map[string]string{
		"APP_ENV": "development", "PORT": strconv.Itoa(port), "DATABASE_URL": dbURL, "AUTO_MIGRATE": "false",
		"STORAGE_DIR": t.TempDir(), "JWT_SECRET": secret, "SESSION_SECRET": secret, "SHUTDOWN_TIMEOUT": "2m",
		"WORKER_QUEUES": "render=1,maintenance=1", "RUNPOD_API_KEY": "", "REMOTION_SERVE_URL": "",
		"CLOUDFLARE_R2_ACCESS_KEY_ID": "", "CLOUDFLARE_R2_SECRET_ACCESS_KEY": "", "STORAGE_BACKEND": "",
		"METRICS_ADDR": metricsAddr, "OTEL_EXPORTER_OTLP_ENDPOINT": "",
	} {
		t.Setenv(k, v)
	}
	signal, sendSignal := context.WithCancel(context.Background())
	defer sendSignal()
	stopped := make(chan error, 1)
	go func() { stopped <- serve(signal, true) }()

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	eventually.True(t, 30*time.Second, "the API answers", func() bool {
		res, err := http.Get(base + "/health")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	})
	token, err := auth.Mint([]byte(secret), "", uuid.NewString(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	song := wavtest.Sine(44100, 2, 8, 220, 0.4)
	var declared struct {
		File   struct{ ID string }
		Upload struct{ URL string }
	}
	call(t, "POST", base+"/api/v1/files", token, map[string]any{"file_name": "song.wav", "file_size": len(song), "mime_type": "audio/wav"}, &declared)
	if status := call(t, "PUT", declared.Upload.URL, "", song, nil); status != http.StatusOK {
		t.Fatalf("PUT: %d", status)
	}
	if status := call(t, "POST", base+"/api/v1/files/"+declared.File.ID+"/complete", token, nil, nil); status != http.StatusOK {
		t.Fatalf("complete: %d", status)
	}
	var created struct{ Render struct{ ID string } }
	if status := call(t, "POST", base+"/api/v1/renders", token, map[string]any{"master_file_id": declared.File.ID}, &created); status != http.StatusCreated {
		t.Fatalf("create render: %d", status)
	}
	db, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	renderState := func() (status string, progress int) {
		if err := db.QueryRow(context.Background(), "SELECT status, progress FROM renders WHERE id = $1", created.Render.ID).Scan(&status, &progress); err != nil {
			t.Fatal(err)
		}
		return status, progress
	}
	eventually.True(t, 60*time.Second, "the render is under way", func() bool {
		status, progress := renderState()
		return status == "processing" && progress > 0
	})

	sendSignal() // SIGTERM
	// While the render drains, /metrics still answers (ops watch the drain
	// there); it closes once the process has drained.
	signalled, scraped := time.Now(), 0
	for {
		res, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			if status, _ := renderState(); status == "processing" {
				t.Fatalf("/metrics %v after the signal, while the render drains: %v", time.Since(signalled), err)
			}
			break // drained: closing now is right
		}
		res.Body.Close()
		scraped++
		if status, _ := renderState(); status != "processing" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if scraped == 0 {
		t.Log("the render drained before the first scrape; /metrics during the drain was not observed")
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("serve did not return after the signal")
	}
	if _, err := http.Get("http://" + metricsAddr + "/metrics"); err == nil {
		t.Error("/metrics still answers after serve returned")
	}
	if status, progress := renderState(); status != "completed" {
		t.Errorf("render after SIGTERM: %s at %d %%; want it drained to completed", status, progress)
	}
}
