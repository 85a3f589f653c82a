package config

import (
	"strings"
	"testing"

	"github.com/caarlos0/env/v11"
)

func load(vars map[string]string) (*Config, error) {
	return parse(env.Options{Environment: vars})
}

func TestDefaults(t *testing.T) {
	c, err := load(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 3001 || c.Env != Development || c.MaxAudioFileSize != 52428800 || c.MaxMIDIFileSize != 5242880 ||
		c.MaxVideoFileSize != 524288000 || c.PublicURL != "http://localhost:3001" || !c.DevSecretInUse() ||
		c.WorkerQueues["audio_analysis"] != 2 || c.WorkerQueues["render"] != 20 || c.StorageDir != "./data/blobs" {
		t.Errorf("defaults = %+v", c)
	}
}

func TestOriginalNames(t *testing.T) {
	c, err := load(map[string]string{
		"NODE_ENV": "production", "PORT": "8080", "FRONTEND_URL": "https://a.example, https://b.example/",
		"JWT_SECRET": strings.Repeat("s", 40), "DEBUG_LOGGING": "true", "WORKER_QUEUES": "audio_analysis=4",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != Production || c.Port != 8080 || !c.DebugLogging || len(c.FrontendURLs) != 2 ||
		c.FrontendURLs[1] != "https://b.example" || c.WorkerQueues["audio_analysis"] != 4 || c.SessionSecret != c.JWTSecret {
		t.Errorf("config = %+v", c)
	}
	if c, _ := load(map[string]string{"NODE_ENV": "production", "APP_ENV": "development"}); c == nil || c.Env != Development {
		t.Error("APP_ENV should win over NODE_ENV")
	}
}

// Every invalid value stops start-up with a message naming the variable.
func TestInvalidValuesNameTheVariable(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"PORT":                     {"PORT": "abc"},
		"PORT ":                    {"PORT": "70000"},
		"MAX_AUDIO_FILE_SIZE":      {"MAX_AUDIO_FILE_SIZE": "-1"},
		"MAX_VIDEO_FILE_SIZE":      {"MAX_VIDEO_FILE_SIZE": "lots"},
		"DEBUG_LOGGING":            {"DEBUG_LOGGING": "maybe"},
		"APP_ENV/NODE_ENV":         {"NODE_ENV": "staging"},
		"FRONTEND_URL":             {"FRONTEND_URL": "localhost:3000"},
		"NEXT_PUBLIC_SUPABASE_URL": {"NEXT_PUBLIC_SUPABASE_URL": "not a url"},
		"JWT_SECRET":               {"APP_ENV": "production"},
		"SESSION_SECRET":           {"APP_ENV": "production", "JWT_SECRET": "short"},
		"WORKER_QUEUES":            {"WORKER_QUEUES": "mystery=2"},
		"WORKER_QUEUES ":           {"WORKER_QUEUES": "audio_analysis=0"},
		"UPLOAD_URL_TTL":           {"UPLOAD_URL_TTL": "forever"},
		"DATABASE_URL":             {"DATABASE_URL": "mysql://x"},
		"RIVER_UI_USER":            {"RIVER_UI_USER": "admin"},
	} {
		_, err := load(vars)
		if err == nil || !strings.Contains(err.Error(), strings.TrimSpace(name)) {
			t.Errorf("%v: error %v, want one naming %s", vars, err, strings.TrimSpace(name))
		}
	}
}

func TestPreviewOriginsOffInProductionUnlessSet(t *testing.T) {
	prod := map[string]string{"APP_ENV": "production", "JWT_SECRET": strings.Repeat("s", 32)}
	c, err := parse(env.Options{Environment: prod})
	if err != nil {
		t.Fatal(err)
	}
	if c.PreviewOriginPattern() != nil {
		t.Errorf("production trusts preview origins %q without CORS_PREVIEW_ORIGINS", c.PreviewOrigins)
	}
	dev, err := parse(env.Options{Environment: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	re := dev.PreviewOriginPattern()
	if re == nil || !re.MatchString("https://phonoglyph-git-main.vercel.app") || re.MatchString("https://phonoglyph-x.evil.com/.vercel.app") || re.MatchString("https://phonoglyph-a.b.vercel.app") {
		t.Errorf("development preview pattern %v", re)
	}
	prod["CORS_PREVIEW_ORIGINS"] = "https://app-*.example.com"
	if c, err = parse(env.Options{Environment: prod}); err != nil || !c.PreviewOriginPattern().MatchString("https://app-pr-12.example.com") {
		t.Errorf("set pattern: %v %v", c, err)
	}
	for _, bad := range []string{"http://x-*.example.com", "https://x-*.example.com/path", "*"} {
		prod["CORS_PREVIEW_ORIGINS"] = bad
		if _, err := parse(env.Options{Environment: prod}); err == nil || !strings.Contains(err.Error(), "CORS_PREVIEW_ORIGINS") {
			t.Errorf("CORS_PREVIEW_ORIGINS=%q: %v", bad, err)
		}
	}
}

func TestLimitsNameTheirVariable(t *testing.T) {
	for _, kv := range [][2]string{{"QUOTA_STORAGE_BYTES", "0"}, {"QUOTA_LIVE_STEM_JOBS", "0"}, {"RATE_LIMIT_RPS", "-1"}, {"HTTP_READ_TIMEOUT", "1ms"}} {
		_, err := parse(env.Options{Environment: map[string]string{kv[0]: kv[1]}})
		if err == nil || !strings.Contains(err.Error(), kv[0]) {
			t.Errorf("%s=%s: %v", kv[0], kv[1], err)
		}
	}
}
