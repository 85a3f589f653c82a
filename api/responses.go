package api

import (
	"encoding/json"
	"time"

	"phonoglyph"
	"phonoglyph/storage"
)

// The answers of the API, one type per shape. They are the HTTP contract:
// field names and null-ness are what clients read.

// Health is GET /health.
type Health struct {
	Status      string    `json:"status"` // ok | error
	Timestamp   time.Time `json:"timestamp"`
	Environment string    `json:"environment"`
	Database    string    `json:"database"` // ok | unreachable
}

// Echo is POST /test: the body it received.
type Echo struct {
	Received  any       `json:"received"`
	Timestamp time.Time `json:"timestamp"`
}

// GuestLimits tells a guest what a guest session allows.
type GuestLimits struct {
	MaxProjects   int      `json:"maxProjects"`
	DataRetention string   `json:"dataRetention"`
	Features      []string `json:"features"`
	ReadOnly      bool     `json:"readOnly"`
}

// GuestSession is a new signed guest session.
type GuestSession struct {
	Token     string      `json:"token"`
	GuestID   string      `json:"guest_id"`
	UserID    string      `json:"user_id"`
	ExpiresAt time.Time   `json:"expires_at"`
	Header    string      `json:"header"` // the header to send the token in
	Limits    GuestLimits `json:"limits"`
}

// Me is who the caller is; Limits only for guests.
type Me struct {
	UserID string       `json:"user_id"`
	Guest  bool         `json:"guest"`
	Role   string       `json:"role"`
	Email  string       `json:"email"`
	Limits *GuestLimits `json:"limits,omitempty"`
}

// FileBody carries one file.
type FileBody struct {
	File *phonoglyph.File `json:"file"`
}

// DeclaredUpload is a new upload: its file row and where to PUT the bytes.
type DeclaredUpload struct {
	File   *phonoglyph.File  `json:"file"`
	Upload storage.SignedURL `json:"upload"`
}

// FileList is one page of files.
type FileList struct {
	Files      []*phonoglyph.File `json:"files"`
	NextCursor *string            `json:"next_cursor"`
}

// JobRef names a job a request queued.
type JobRef struct {
	ID     string            `json:"id"`
	Kind   phonoglyph.Kind   `json:"kind"`
	Status phonoglyph.Status `json:"status"`
}

// CompletedUpload is a completed file and the jobs processing it.
type CompletedUpload struct {
	File *phonoglyph.File `json:"file"`
	Jobs []JobRef         `json:"jobs"`
}

// JobBody carries one job.
type JobBody struct {
	Job *phonoglyph.Job `json:"job"`
}

// ProjectBody carries one project.
type ProjectBody struct {
	Project *phonoglyph.Project `json:"project"`
}

// ProjectList is one page of projects.
type ProjectList struct {
	Projects   []*phonoglyph.Project `json:"projects"`
	Total      int                   `json:"total"`
	NextOffset *int                  `json:"next_offset"`
}

// DuplicatedProject is a project's copy, its files and the jobs queued for
// them.
type DuplicatedProject struct {
	Project *phonoglyph.Project `json:"project"`
	Files   []*phonoglyph.File  `json:"files"`
	Jobs    []*phonoglyph.Job   `json:"jobs"`
}

// StateBody carries one saved editor state.
type StateBody struct {
	State *phonoglyph.EditState `json:"state"`
}

// StateList lists saved editor states (without their data).
type StateList struct {
	States []*phonoglyph.EditState `json:"states"`
}

// MIDIList lists MIDI files with their parsing status.
type MIDIList struct {
	MIDIFiles []*phonoglyph.MIDIFile `json:"midi_files"`
}

// MIDIBody is a MIDI file's settings and, on GET /midi/{id}, the file with
// its parsed data.
type MIDIBody struct {
	MIDIFile *phonoglyph.MIDIFile             `json:"midi_file,omitempty"`
	Settings phonoglyph.VisualizationSettings `json:"settings"`
}

// Download names a stored output and where to fetch it.
type Download struct {
	FileID      string `json:"file_id"`
	DownloadURL string `json:"download_url"`
}

// StemJob is a stem separation as the frontend reads it: results.stems maps
// each stem to its new file and its download path.
type StemJob struct {
	ID        string                `json:"id"`
	Kind      phonoglyph.Kind       `json:"kind"`
	Status    phonoglyph.Status     `json:"status"`
	Progress  int                   `json:"progress"`
	Error     *string               `json:"error"`
	FileID    *string               `json:"file_id"`
	Config    phonoglyph.StemConfig `json:"config"`
	Results   *StemResults          `json:"results"`
	CreatedAt time.Time             `json:"created_at"`
	UpdatedAt time.Time             `json:"updated_at"`
}

// StemResults are a finished separation's stems.
type StemResults struct {
	Stems map[phonoglyph.StemType]Download `json:"stems"`
}

// StemJobBody carries one stem job.
type StemJobBody struct {
	Job StemJob `json:"job"`
}

// StemJobList is one page of stem jobs.
type StemJobList struct {
	Jobs       []StemJob `json:"jobs"`
	NextCursor *string   `json:"next_cursor"`
}

// Render is a render as the frontend reads it, with the download of a
// finished one.
type Render struct {
	ID          string                   `json:"id"`
	Status      phonoglyph.Status        `json:"status"`
	Progress    int                      `json:"progress"`
	Error       *string                  `json:"error"`
	ProjectID   *string                  `json:"project_id"`
	ProjectName *string                  `json:"project_name"`
	Costs       json.RawMessage          `json:"costs"`
	ExpiresAt   *time.Time               `json:"expires_at"`
	Output      *Download                `json:"output"`
	Request     phonoglyph.RenderRequest `json:"request"`
	CreatedAt   time.Time                `json:"created_at"`
	UpdatedAt   time.Time                `json:"updated_at"`
}

// RenderBody carries one render.
type RenderBody struct {
	Render Render `json:"render"`
}

// RenderList is one page of renders.
type RenderList struct {
	Renders    []Render `json:"renders"`
	NextCursor *string  `json:"next_cursor"`
}

// ErrorBody is every error: {"error":{"code","message"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is an application error code and a message safe to show.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// stemJobView is a stem job in the frontend's shape.
func stemJobView(j *phonoglyph.StemJob) StemJob {
	v := StemJob{ID: j.ID, Kind: j.Kind, Status: j.Status, Progress: j.Progress, Error: j.Error, FileID: j.FileID,
		Config: j.Config, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt}
	if j.Results != nil {
		v.Results = &StemResults{Stems: map[phonoglyph.StemType]Download{}}
		for name, fileID := range j.Results.Stems {
			v.Results.Stems[name] = Download{FileID: fileID, DownloadURL: "/api/v1/files/" + fileID + "/download"}
		}
	}
	return v
}

// renderExpired is the status a completed render reads once its output is
// gone: removed after RENDER_RETENTION, or with its project.
const renderExpired phonoglyph.Status = "expired"

// renderView is a render in the frontend's shape.
func renderView(r *phonoglyph.Render) Render {
	v := Render{ID: r.ID, Status: r.Status, Progress: r.Progress, Error: r.Error, ProjectID: r.ProjectID,
		ProjectName: r.ProjectName, Costs: r.Costs, ExpiresAt: r.ExpiresAt, Request: r.Request,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.OutputFileID != nil {
		v.Output = &Download{FileID: *r.OutputFileID, DownloadURL: "/api/v1/renders/" + r.ID + "/download"}
	} else if r.Status == phonoglyph.StatusCompleted {
		v.Status = renderExpired
	}
	return v
}
