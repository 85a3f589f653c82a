package phonoglyph

import (
	"encoding/json"
	"time"
)

// Job kinds shown to users; each is also the River job kind and queue name.
const (
	KindAudioAnalysis  = "audio_analysis"
	KindStemSeparation = "stem_separation"
	KindRender         = "render"
)

// Internal job kinds, and queues beyond the one per user-facing kind.
const (
	KindBlobCleanup  = "blob_cleanup"
	KindUploadSweep  = "upload_sweep"
	KindRenderExpiry = "render_expiry"
	QueueMaintenance = "maintenance"
	QueueMIDI        = "midi"
)

// Queues lists the standard queues a worker can be given in WORKER_QUEUES.
var Queues = []string{KindAudioAnalysis, KindStemSeparation, KindRender, QueueMIDI, QueueMaintenance}

// The one status vocabulary of user-facing jobs. River's internal states are
// never shown; workers move a job's row through these.
const (
	StatusQueued     = "queued"
	StatusProcessing = "processing"
	StatusCompleted  = "completed"
	StatusFailed     = "failed"
	StatusCancelled  = "cancelled"
)

// Job is the user-facing view of any kind of job.
type Job struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"`
	Status    string          `json:"status"`
	Progress  int             `json:"progress"`
	Error     *string         `json:"error"`
	Result    json.RawMessage `json:"result"`
	FileID    *string         `json:"file_id"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// Finished reports whether the job reached a terminal status.
func (j *Job) Finished() bool {
	switch j.Status {
	case StatusCompleted, StatusFailed, StatusCancelled:
		return true
	}
	return false
}
