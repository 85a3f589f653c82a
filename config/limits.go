package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Limits protect one machine from one user: the request rate, the quotas
// of stored bytes, files and live jobs, and the HTTP timeouts. The defaults
// are the original product's free tier (100 MB, 10 files per project; the
// 50 MB per file is MAX_AUDIO_FILE_SIZE).
type Limits struct {
	RateLimitRPS   float64 `env:"RATE_LIMIT_RPS" envDefault:"20"`
	RateLimitBurst int     `env:"RATE_LIMIT_BURST" envDefault:"60"`

	QuotaStorageBytes    int64 `env:"QUOTA_STORAGE_BYTES" envDefault:"104857600"`
	QuotaFilesPerProject int   `env:"QUOTA_FILES_PER_PROJECT" envDefault:"10"`
	QuotaLiveAnalyses    int   `env:"QUOTA_LIVE_ANALYSES" envDefault:"20"`
	QuotaLiveStemJobs    int   `env:"QUOTA_LIVE_STEM_JOBS" envDefault:"3"`
	QuotaLiveRenders     int   `env:"QUOTA_LIVE_RENDERS" envDefault:"2"`

	HTTPReadHeaderTimeout time.Duration `env:"HTTP_READ_HEADER_TIMEOUT" envDefault:"10s"`
	HTTPReadTimeout       time.Duration `env:"HTTP_READ_TIMEOUT" envDefault:"30s"`
	HTTPWriteTimeout      time.Duration `env:"HTTP_WRITE_TIMEOUT" envDefault:"2m"`
	HTTPIdleTimeout       time.Duration `env:"HTTP_IDLE_TIMEOUT" envDefault:"2m"`
	BlobTransferTimeout   time.Duration `env:"BLOB_TRANSFER_TIMEOUT" envDefault:"1h"`
}

func (l *Limits) check() error {
	switch {
	case l.RateLimitRPS < 0:
		return fmt.Errorf("configuration: RATE_LIMIT_RPS: must be 0 (off) or positive, got %v", l.RateLimitRPS)
	case l.RateLimitBurst < 1:
		return fmt.Errorf("configuration: RATE_LIMIT_BURST: must be at least 1, got %d", l.RateLimitBurst)
	case l.QuotaStorageBytes < 1:
		return fmt.Errorf("configuration: QUOTA_STORAGE_BYTES: must be positive, got %d", l.QuotaStorageBytes)
	}
	for name, v := range map[string]int{"QUOTA_FILES_PER_PROJECT": l.QuotaFilesPerProject, "QUOTA_LIVE_ANALYSES": l.QuotaLiveAnalyses,
		"QUOTA_LIVE_STEM_JOBS": l.QuotaLiveStemJobs, "QUOTA_LIVE_RENDERS": l.QuotaLiveRenders} {
		if v < 1 {
			return fmt.Errorf("configuration: %s: must be at least 1, got %d", name, v)
		}
	}
	for name, v := range map[string]time.Duration{"HTTP_READ_HEADER_TIMEOUT": l.HTTPReadHeaderTimeout, "HTTP_READ_TIMEOUT": l.HTTPReadTimeout,
		"HTTP_WRITE_TIMEOUT": l.HTTPWriteTimeout, "HTTP_IDLE_TIMEOUT": l.HTTPIdleTimeout, "BLOB_TRANSFER_TIMEOUT": l.BlobTransferTimeout} {
		if v < time.Second {
			return fmt.Errorf("configuration: %s: must be at least 1s, got %s", name, v)
		}
	}
	return nil
}

// defaultPreviewOrigins are the frontend's Vercel previews, trusted in
// development when CORS_PREVIEW_ORIGINS is unset.
const defaultPreviewOrigins = "https://phonoglyph-*.vercel.app"

// previewOrigins checks CORS_PREVIEW_ORIGINS and applies its default.
func (c *Config) previewOrigins() error {
	if c.PreviewOrigins == "" && c.Development() {
		c.PreviewOrigins = defaultPreviewOrigins
	}
	if c.PreviewOrigins == "" {
		return nil
	}
	if _, err := OriginPattern(c.PreviewOrigins); err != nil {
		return fmt.Errorf("configuration: CORS_PREVIEW_ORIGINS: %v", err)
	}
	return nil
}

// PreviewOriginPattern is the compiled CORS_PREVIEW_ORIGINS, nil when no
// preview origin is trusted.
func (c *Config) PreviewOriginPattern() *regexp.Regexp {
	if c.PreviewOrigins == "" {
		return nil
	}
	re, _ := OriginPattern(c.PreviewOrigins) // checked at load
	return re
}

// OriginPattern compiles an origin pattern such as
// "https://phonoglyph-*.vercel.app": an https origin whose * stands for one
// or more of a-z, 0-9 and - (never a dot, so it cannot reach another
// domain).
func OriginPattern(p string) (*regexp.Regexp, error) {
	host, ok := strings.CutPrefix(p, "https://")
	if !ok || host == "" || strings.ContainsAny(host, "/?#@ \\") {
		return nil, fmt.Errorf("must be an https origin such as %s, got %q", defaultPreviewOrigins, p)
	}
	parts := strings.Split(p, "*")
	for i, part := range parts {
		parts[i] = regexp.QuoteMeta(part)
	}
	return regexp.Compile("^" + strings.Join(parts, "[a-z0-9-]+") + "$")
}
