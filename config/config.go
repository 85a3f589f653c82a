// Package config reads the process configuration from the environment, with
// the original product's variable names, and refuses to start on a wrong
// value with a message that names the variable.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"phonoglyph/filetype"
	"phonoglyph/remotion"
	"phonoglyph/storage"
)

// Environments.
const (
	Development = "development"
	Production  = "production"
)

// devSecret signs tokens in development when JWT_SECRET is unset, so the
// one-command local setup works; production refuses to start without a secret.
const devSecret = "phonoglyph-development-secret-do-not-use-in-production"

// Config is every setting of the API and worker processes. The README lists
// each variable; the env tags are the single source of names and defaults.
type Config struct {
	Env         string `env:"APP_ENV"`
	NodeEnv     string `env:"NODE_ENV"`
	Port        int    `env:"PORT" envDefault:"3001"`
	PublicURL   string `env:"PUBLIC_URL"`
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/phonoglyph?sslmode=disable"`
	DBMaxConns  int32  `env:"DB_MAX_CONNS" envDefault:"20"`
	AutoMigrate bool   `env:"AUTO_MIGRATE" envDefault:"true"`

	FrontendURLs []string `env:"FRONTEND_URL" envDefault:"http://localhost:3000"`
	DebugLogging bool     `env:"DEBUG_LOGGING"`

	JWTSecret     string `env:"JWT_SECRET"`
	SupabaseURL   string `env:"NEXT_PUBLIC_SUPABASE_URL"`
	SessionSecret string `env:"SESSION_SECRET"`

	MaxMIDIFileSize  int64   `env:"MAX_MIDI_FILE_SIZE" envDefault:"5242880"`
	MaxAudioFileSize int64   `env:"MAX_AUDIO_FILE_SIZE" envDefault:"52428800"`
	MaxVideoFileSize int64   `env:"MAX_VIDEO_FILE_SIZE" envDefault:"524288000"`
	MaxImageFileSize int64   `env:"MAX_IMAGE_FILE_SIZE" envDefault:"26214400"`
	MaxAudioSeconds  float64 `env:"MAX_AUDIO_SECONDS" envDefault:"3600"`
	MaxBodySize      int64   `env:"MAX_BODY_SIZE" envDefault:"1048576"`

	// WorkerTempBudget bounds the bytes of temp files one worker process
	// has at once (decoded audio for the local separator).
	WorkerTempBudget int64 `env:"WORKER_TEMP_BUDGET" envDefault:"8589934592"`

	StorageBackend string        `env:"STORAGE_BACKEND"`
	StorageDir     string        `env:"STORAGE_DIR" envDefault:"./data/blobs"`
	R2AccountID    string        `env:"CLOUDFLARE_ACCOUNT_ID"`
	R2AccessKeyID  string        `env:"CLOUDFLARE_R2_ACCESS_KEY_ID"`
	R2SecretKey    string        `env:"CLOUDFLARE_R2_SECRET_ACCESS_KEY"`
	R2Bucket       string        `env:"CLOUDFLARE_R2_BUCKET" envDefault:"raybox-uploads"`
	S3Endpoint     string        `env:"S3_ENDPOINT"`
	S3Region       string        `env:"S3_REGION" envDefault:"auto"`
	UploadURLTTL   time.Duration `env:"UPLOAD_URL_TTL" envDefault:"1h"`
	DownloadURLTTL time.Duration `env:"DOWNLOAD_URL_TTL" envDefault:"1h"`

	RunPodAPIKey           string        `env:"RUNPOD_API_KEY"`
	RunPodEndpointID       string        `env:"RUNPOD_ENDPOINT_ID"`
	RunPodBaseURL          string        `env:"RUNPOD_BASE_URL" envDefault:"https://api.runpod.ai/v2"`
	RunPodPollInterval     time.Duration `env:"RUNPOD_POLL_INTERVAL" envDefault:"5s"`
	RunPodExecutionTimeout time.Duration `env:"RUNPOD_EXECUTION_TIMEOUT" envDefault:"10m"`
	RunPodTTL              time.Duration `env:"RUNPOD_TTL" envDefault:"2h"`

	RemotionServeURL     string        `env:"REMOTION_SERVE_URL"`
	RemotionFunctionName string        `env:"REMOTION_FUNCTION_NAME"`
	RemotionRegion       string        `env:"REMOTION_REGION" envDefault:"us-east-1"`
	RemotionEndpoint     string        `env:"REMOTION_LAMBDA_ENDPOINT"`
	RemotionAccessKeyID  string        `env:"REMOTION_AWS_ACCESS_KEY_ID"`
	RemotionSecretKey    string        `env:"REMOTION_AWS_SECRET_ACCESS_KEY"`
	RemotionPollInterval time.Duration `env:"REMOTION_POLL_INTERVAL" envDefault:"5s"`
	RenderRetention      time.Duration `env:"RENDER_RETENTION" envDefault:"720h"`
	ShutdownTimeout      time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"25s"`

	// DebugAddr is where pprof listens (e.g. 127.0.0.1:6060); empty turns it off.
	DebugAddr       string `env:"DEBUG_ADDR"`
	RiverUIUser     string `env:"RIVER_UI_USER"`
	RiverUIPassword string `env:"RIVER_UI_PASSWORD"`

	// Origins of the frontend's preview deployments trusted with
	// credentials: a pattern whose * stands for one DNS label part; unset
	// means none in production and phonoglyph-*.vercel.app in development.
	PreviewOrigins string `env:"CORS_PREVIEW_ORIGINS"`

	Limits
	Observability
	Queues
}

// Load reads the configuration from the process environment.
func Load() (*Config, error) {
	return parse(env.Options{Environment: env.ToMap(os.Environ())})
}

func parse(opts env.Options) (*Config, error) {
	var c Config
	if err := env.ParseWithOptions(&c, opts); err != nil {
		return nil, nameVariables(err, opts.Environment)
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	return &c, nil
}

// nameVariables rewrites the parser's field-named errors so they name the
// environment variable a person has to fix.
func nameVariables(err error, environ map[string]string) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	msgs := make([]string, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := reflect.TypeFor[Config]().FieldByName(pe.Name); ok {
				key := strings.Split(f.Tag.Get("env"), ",")[0]
				e = fmt.Errorf("%s: invalid value %q: %v", key, environ[key], pe.Err)
			}
		}
		msgs = append(msgs, e.Error())
	}
	return fmt.Errorf("configuration: %s", strings.Join(msgs, "; "))
}

func (c *Config) finish() error {
	if c.Env == "" {
		c.Env = c.NodeEnv
	}
	if c.Env == "" {
		c.Env = Development
	}
	if c.Env != Development && c.Env != Production {
		return fmt.Errorf("configuration: APP_ENV/NODE_ENV: must be development or production, got %q", c.Env)
	}
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("configuration: PORT: must be 1..65535, got %d", c.Port)
	}
	if c.PublicURL == "" {
		c.PublicURL = fmt.Sprintf("http://localhost:%d", c.Port)
	}
	if err := checkURL("PUBLIC_URL", c.PublicURL); err != nil {
		return err
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if _, err := url.Parse(c.DatabaseURL); err != nil || !strings.HasPrefix(c.DatabaseURL, "postgres") {
		return errors.New("configuration: DATABASE_URL: must be a postgres:// URL")
	}
	if c.DBMaxConns < 4 {
		return fmt.Errorf("configuration: DB_MAX_CONNS: must be at least 4, got %d", c.DBMaxConns)
	}
	for i, u := range c.FrontendURLs {
		c.FrontendURLs[i] = strings.TrimRight(strings.TrimSpace(u), "/")
		if err := checkURL("FRONTEND_URL", c.FrontendURLs[i]); err != nil {
			return err
		}
	}
	if c.SupabaseURL != "" {
		if err := checkURL("NEXT_PUBLIC_SUPABASE_URL", c.SupabaseURL); err != nil {
			return err
		}
		c.SupabaseURL = strings.TrimRight(c.SupabaseURL, "/")
	}
	if err := c.secrets(); err != nil {
		return err
	}
	if err := c.storage(); err != nil {
		return err
	}
	if err := c.runpod(); err != nil {
		return err
	}
	if err := c.remotion(); err != nil {
		return err
	}
	for name, v := range map[string]int64{
		"MAX_MIDI_FILE_SIZE": c.MaxMIDIFileSize, "MAX_AUDIO_FILE_SIZE": c.MaxAudioFileSize,
		"MAX_VIDEO_FILE_SIZE": c.MaxVideoFileSize, "MAX_IMAGE_FILE_SIZE": c.MaxImageFileSize,
		"MAX_BODY_SIZE": c.MaxBodySize,
	} {
		if v <= 0 {
			return fmt.Errorf("configuration: %s: must be a positive number of bytes, got %d", name, v)
		}
	}
	if c.MaxAudioSeconds <= 0 {
		return fmt.Errorf("configuration: MAX_AUDIO_SECONDS: must be positive, got %v", c.MaxAudioSeconds)
	}
	if c.UploadURLTTL < time.Second || c.UploadURLTTL > 7*24*time.Hour {
		return fmt.Errorf("configuration: UPLOAD_URL_TTL: must be between 1s and 168h, got %s", c.UploadURLTTL)
	}
	if c.DownloadURLTTL < time.Second || c.DownloadURLTTL > 7*24*time.Hour {
		return fmt.Errorf("configuration: DOWNLOAD_URL_TTL: must be between 1s and 168h, got %s", c.DownloadURLTTL)
	}
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("configuration: SHUTDOWN_TIMEOUT: must be positive, got %s", c.ShutdownTimeout)
	}
	if err := c.Queues.check(); err != nil {
		return err
	}
	if (c.RiverUIUser == "") != (c.RiverUIPassword == "") {
		return errors.New("configuration: RIVER_UI_USER and RIVER_UI_PASSWORD must be set together")
	}
	if err := c.previewOrigins(); err != nil {
		return err
	}
	return c.Limits.check()
}

func (c *Config) secrets() error {
	if c.JWTSecret == "" && c.SupabaseURL == "" {
		if c.Env == Production {
			return errors.New("configuration: JWT_SECRET: required in production (or set NEXT_PUBLIC_SUPABASE_URL for JWKS verification)")
		}
		c.JWTSecret = devSecret
	}
	if c.SessionSecret == "" {
		c.SessionSecret = c.JWTSecret
	}
	if c.SessionSecret == "" {
		return errors.New("configuration: SESSION_SECRET: required when JWT_SECRET is unset")
	}
	if c.Env == Production && len(c.SessionSecret) < 32 {
		return errors.New("configuration: SESSION_SECRET (or JWT_SECRET): must be at least 32 characters in production")
	}
	return nil
}

// queueName is what River accepts as a queue name.
var queueName = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

// Storage backends.
const (
	StorageLocal = "local"
	StorageS3    = "s3"
)

// storage picks the blob backend: S3/R2 when asked or when credentials are
// set, the local directory otherwise.
func (c *Config) storage() error {
	hasCreds := c.R2AccessKeyID != "" || c.R2SecretKey != ""
	switch c.StorageBackend {
	case "":
		c.StorageBackend = StorageLocal
		if hasCreds {
			c.StorageBackend = StorageS3
		}
	case StorageLocal, StorageS3:
	default:
		return fmt.Errorf("configuration: STORAGE_BACKEND: must be local or s3, got %q", c.StorageBackend)
	}
	if c.StorageBackend == StorageLocal {
		return nil
	}
	if c.R2AccessKeyID == "" || c.R2SecretKey == "" {
		return errors.New("configuration: CLOUDFLARE_R2_ACCESS_KEY_ID and CLOUDFLARE_R2_SECRET_ACCESS_KEY: both required for S3 storage")
	}
	if c.R2Bucket == "" {
		return errors.New("configuration: CLOUDFLARE_R2_BUCKET: required for S3 storage")
	}
	if c.S3Endpoint == "" {
		if c.R2AccountID == "" {
			return errors.New("configuration: CLOUDFLARE_ACCOUNT_ID (or S3_ENDPOINT): required for S3 storage")
		}
		c.S3Endpoint = storage.R2Endpoint(c.R2AccountID)
	}
	return checkURL("S3_ENDPOINT", c.S3Endpoint)
}

// runpod validates the RunPod settings when RUNPOD_API_KEY selects RunPod.
func (c *Config) runpod() error {
	if c.RunPodAPIKey == "" {
		return nil
	}
	switch {
	case c.RunPodEndpointID == "":
		return errors.New("configuration: RUNPOD_ENDPOINT_ID: required with RUNPOD_API_KEY")
	case c.RunPodPollInterval < 100*time.Millisecond:
		return fmt.Errorf("configuration: RUNPOD_POLL_INTERVAL: must be at least 100ms, got %s", c.RunPodPollInterval)
	case c.RunPodExecutionTimeout < 5*time.Second || c.RunPodExecutionTimeout > 7*24*time.Hour:
		return fmt.Errorf("configuration: RUNPOD_EXECUTION_TIMEOUT: must be between 5s and 168h, got %s", c.RunPodExecutionTimeout)
	case c.RunPodTTL < 10*time.Second || c.RunPodTTL > 7*24*time.Hour:
		return fmt.Errorf("configuration: RUNPOD_TTL: must be between 10s and 168h, got %s", c.RunPodTTL)
	}
	return checkURL("RUNPOD_BASE_URL", c.RunPodBaseURL)
}

// remotion validates the Remotion Lambda settings; REMOTION_SERVE_URL
// selects Lambda rendering.
func (c *Config) remotion() error {
	if c.RenderRetention < time.Hour {
		return fmt.Errorf("configuration: RENDER_RETENTION: must be at least 1h, got %s", c.RenderRetention)
	}
	if c.RemotionServeURL == "" {
		return nil
	}
	if err := checkURL("REMOTION_SERVE_URL", c.RemotionServeURL); err != nil {
		return err
	}
	if c.RemotionAccessKeyID == "" || c.RemotionSecretKey == "" {
		return errors.New("configuration: REMOTION_AWS_ACCESS_KEY_ID and REMOTION_AWS_SECRET_ACCESS_KEY: required with REMOTION_SERVE_URL")
	}
	if c.RemotionFunctionName == "" {
		c.RemotionFunctionName = remotion.FunctionName(3008, 2048, 600) // the original deployment's size
	}
	if c.RemotionPollInterval < 100*time.Millisecond {
		return fmt.Errorf("configuration: REMOTION_POLL_INTERVAL: must be at least 100ms, got %s", c.RemotionPollInterval)
	}
	if c.RemotionEndpoint != "" {
		return checkURL("REMOTION_LAMBDA_ENDPOINT", c.RemotionEndpoint)
	}
	return nil
}

// S3 returns the S3 backend's configuration.
func (c *Config) S3() storage.S3Config {
	return storage.S3Config{Endpoint: c.S3Endpoint, Region: c.S3Region, Bucket: c.R2Bucket,
		AccessKeyID: c.R2AccessKeyID, SecretAccessKey: c.R2SecretKey}
}

func checkURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("configuration: %s: must be an http(s) URL, got %q", name, raw)
	}
	return nil
}

// Development reports whether the process runs with development defaults.
func (c *Config) Development() bool { return c.Env == Development }

// DevSecretInUse reports whether the built-in development secret signs tokens.
func (c *Config) DevSecretInUse() bool { return c.JWTSecret == devSecret }

// FileLimits returns the per-kind upload size limits.
func (c *Config) FileLimits() filetype.Limits {
	return filetype.Limits{MIDI: c.MaxMIDIFileSize, Audio: c.MaxAudioFileSize, Video: c.MaxVideoFileSize, Image: c.MaxImageFileSize}
}
