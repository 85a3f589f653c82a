// Package api is the HTTP layer: Echo routes, authentication, request
// validation, the answers' types (responses.go) and the one mapping from
// application errors to HTTP statuses. Handlers stay thin: they validate a
// request, read through the store or run a workflow (package workflow), and
// answer JSON. Nothing here talks to River, RunPod or pgx directly.
package api

import (
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"phonoglyph/auth"
	"phonoglyph/console"
	"phonoglyph/events"
	"phonoglyph/filetype"
	"phonoglyph/openapi"
	"phonoglyph/storage"
	"phonoglyph/store"
	"phonoglyph/workflow"
)

// Options are the dependencies and settings of the HTTP server.
type Options struct {
	Log          *slog.Logger
	Environment  string // development | production
	FrontendURLs []string
	// PreviewOrigins matches further origins trusted like FrontendURLs (the
	// frontend's preview deployments); nil trusts none.
	PreviewOrigins *regexp.Regexp
	MaxBodySize    int64
	FileLimits     filetype.Limits
	UploadTTL      time.Duration
	DownloadTTL    time.Duration
	Timeouts       Timeouts
	Limits         Limits // per-user request rate

	Store     *store.Store // reads, and edits of single rows
	Blobs     storage.Blobs
	BlobHTTP  http.Handler      // serves the local backend's signed URLs under /blobs; nil with S3
	Workflows *workflow.Service // every operation that enqueues jobs or spans rows and objects
	Verifier  *auth.Verifier
	Guests    *auth.Guests

	// DevToken mints a bearer token for a user id, for the console's one-click
	// sign-in at POST /api/v1/dev/token in development; nil disables it.
	DevToken func(sub string) (string, error)

	Events         *events.Hub   // job changes for the event streams; nil answers 404 there
	EventHeartbeat time.Duration // between heartbeat comments on a quiet stream; 0 is 15 s
	Ready          []ReadyCheck  // parts /health/ready checks beyond the database and storage

	// Tracing starts a span per request (tracing.Echo); nil traces nothing.
	Tracing echo.MiddlewareFunc

	RiverUI         http.Handler // mounted at /riverui/; nil disables it
	RiverUIUser     string
	RiverUIPassword string
}

// Server holds the handlers' dependencies.
type Server struct {
	opt     Options
	log     *slog.Logger
	limiter *rateLimiter // nil when Limits.Rate is 0
}

// New builds the Echo application with every route and middleware.
func New(opt Options) *echo.Echo {
	s := &Server{opt: opt, log: opt.Log}
	if opt.Limits.Rate > 0 {
		s.limiter = newRateLimiter(opt.Limits)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{
		Skipper: func(c echo.Context) bool { return c.Request().URL.Path == "/riverui/" },
	}))
	e.Use(requestID)
	if opt.Tracing != nil {
		e.Use(opt.Tracing)
	}
	e.Use(observe)
	e.Use(s.requestLogger())
	e.Use(middleware.Recover())
	e.Use(s.deadlines)
	e.Use(s.cors())
	e.Use(checkParams)
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:      "0",
		ContentTypeNosniff: "nosniff",
		XFrameOptions:      "DENY",
		HSTSMaxAge:         s.hstsMaxAge(),
		ReferrerPolicy:     "strict-origin-when-cross-origin",
	}))

	e.GET("/health", s.health)
	e.GET("/health/live", s.live)
	e.GET("/health/ready", s.ready)
	e.GET(openapi.Path, echo.WrapHandler(openapi.Handler()))
	if s.development() {
		e.POST("/test", s.echoTest, middleware.BodyLimit(bodyLimit(opt.MaxBodySize)))
	}
	if opt.BlobHTTP != nil {
		e.Any("/blobs/*", echo.WrapHandler(http.StripPrefix("/blobs", opt.BlobHTTP)))
	}
	s.mountRiverUI(e)
	// The console, the page a newcomer lands on: it reads only this API.
	page := echo.WrapHandler(console.Handler())
	e.GET("/", page)
	e.GET(console.Prefix+"*", page)

	v1 := e.Group("/api/v1", middleware.BodyLimit(bodyLimit(opt.MaxBodySize)), s.authenticate, s.rateLimit)
	if s.development() && opt.DevToken != nil {
		v1.POST(strings.TrimPrefix(console.DevTokenPath, "/api/v1"), echo.WrapHandler(console.DevTokenHandler(opt.DevToken)))
	}
	v1.POST("/guest-sessions", s.createGuestSession)
	v1.GET("/me", s.me)

	user := v1.Group("", s.requireUser)
	user.POST("/files", s.createFile)
	user.GET("/files", s.listFiles)
	user.GET("/files/:id", s.getFile)
	user.POST("/files/:id/complete", s.completeFile)
	user.GET("/files/:id/download", s.downloadFile)
	user.GET("/files/:id/thumbnail", s.thumbnail)
	user.DELETE("/files/:id", s.deleteFile)
	user.POST("/files/:id/analysis", s.requestAnalysis)
	user.GET("/files/:id/analysis", s.getAnalysis)
	user.GET("/jobs/:id", s.getJob)
	user.GET("/jobs/:id/events", s.jobEvents)
	user.GET("/events", s.allEvents)

	user.POST("/stem-jobs", s.createStemJob)
	user.GET("/stem-jobs", s.listStemJobs)
	user.GET("/stem-jobs/:id", s.getStemJob)
	user.POST("/stem-jobs/:id/cancel", s.cancelStemJob)

	user.POST("/renders", s.createRender)
	user.GET("/renders", s.listRenders)
	user.GET("/renders/:id", s.getRender)
	user.GET("/renders/:id/download", s.downloadRender)
	user.POST("/renders/:id/cancel", s.cancelRender)

	user.GET("/midi", s.listMIDI)
	user.GET("/midi/:file_id", s.getMIDI)
	user.GET("/midi/:file_id/settings", s.getMIDISettings)
	user.PUT("/midi/:file_id/settings", s.putMIDISettings)

	user.POST("/projects", s.createProject)
	user.GET("/projects", s.listProjects)
	user.GET("/projects/:id", s.getProject)
	user.PATCH("/projects/:id", s.updateProject)
	user.DELETE("/projects/:id", s.deleteProject)
	user.POST("/projects/:id/duplicate", s.duplicateProject)
	user.GET("/projects/:id/files", s.listProjectFiles)
	user.POST("/projects/:id/states", s.saveState)
	user.GET("/projects/:id/states", s.listStates)
	user.GET("/projects/:id/states/current", s.currentState)
	user.POST("/projects/:id/states/:sid/restore", s.restoreState)
	user.DELETE("/projects/:id/states/:sid", s.deleteStates)
	user.DELETE("/projects/:id/states", s.deleteStates)
	return e
}

func (s *Server) development() bool { return s.opt.Environment != "production" }

func (s *Server) hstsMaxAge() int {
	if s.development() {
		return 0
	}
	return 31536000
}

// bodyLimit renders a byte count in the form Echo's BodyLimit expects.
func bodyLimit(n int64) string {
	return formatInt(n) + "B"
}
