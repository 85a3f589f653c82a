package phonoglyph

import (
	"encoding/json"
	"errors"
	"time"
)

// Kind names a kind of job. A user-facing kind is also the River job kind
// and, but for MIDI parses, the name of its queue.
type Kind string

// Job kinds shown to users.
const (
	KindAudioAnalysis  Kind = "audio_analysis"
	KindStemSeparation Kind = "stem_separation"
	KindRender         Kind = "render"
	KindMIDIParse      Kind = "midi_parse"
)

// Internal job kinds, which have no row a person sees.
const (
	KindBlobCleanup  Kind = "blob_cleanup"
	KindUploadSweep  Kind = "upload_sweep"
	KindRenderExpiry Kind = "render_expiry"
)

// Queues beyond the one per user-facing kind.
const (
	QueueMaintenance = "maintenance"
	QueueMIDI        = "midi"
)

// Queues lists the standard queues a worker can be given in WORKER_QUEUES.
var Queues = []string{string(KindAudioAnalysis), string(KindStemSeparation), string(KindRender), QueueMIDI, QueueMaintenance}

// Status is where a user-facing job stands. Every job kind moves through
// the same vocabulary: queued → processing → completed | failed | cancelled.
// River's internal states are never shown.
type Status string

// The statuses of user-facing jobs.
const (
	StatusQueued     Status = "queued"
	StatusProcessing Status = "processing"
	StatusCompleted  Status = "completed"
	StatusFailed     Status = "failed"
	StatusCancelled  Status = "cancelled"
)

// Finished reports whether s is terminal: nothing moves a job on from it.
func (s Status) Finished() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled
}

// ErrJobFinished is returned when something tries to move a job that
// already reached a terminal status (for example one its owner cancelled
// while a worker was running it).
var ErrJobFinished = errors.New("job already finished")

// Job is the user-facing view of any kind of job.
type Job struct {
	ID        string          `json:"id"`
	Kind      Kind            `json:"kind"`
	Status    Status          `json:"status"`
	Progress  int             `json:"progress"`
	Error     *string         `json:"error"`
	Result    json.RawMessage `json:"result"`
	FileID    *string         `json:"file_id"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// Finished reports whether the job reached a terminal status.
func (j *Job) Finished() bool { return j.Status.Finished() }
