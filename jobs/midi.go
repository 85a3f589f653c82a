package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"phonoglyph"
	"phonoglyph/midi"
	"phonoglyph/store"
)

// midiLimits keep one parse's JSON document far below Postgres's jsonb
// limit: a 5 MiB file of nothing but notes would otherwise hold a million.
var midiLimits = midi.Limits{MaxNotes: 200_000, MaxEvents: 2_000_000}

// MIDIArgs are the River arguments of a MIDI parse; the rest lives in the
// midi_files row.
type MIDIArgs struct {
	MIDIID string `json:"midi_id"`
	UserID string `json:"user_id"`
	FileID string `json:"file_id"`
}

// Kind implements river.JobArgs.
func (MIDIArgs) Kind() string { return phonoglyph.KindMIDIParse }

// RequestMIDIParse records a parse of an uploaded MIDI file and enqueues it
// in tx on the client's MIDI queue. A file already recorded returns its row.
func (c *Client) RequestMIDIParse(ctx context.Context, tx pgx.Tx, f *phonoglyph.File) (*phonoglyph.Job, error) {
	q := store.WithTx(tx)
	m, created, err := q.CreateMIDIFile(ctx, uuid.NewString(), f)
	if err != nil {
		return nil, fmt.Errorf("create midi row: %w", err)
	}
	if created {
		res, err := c.River.InsertTx(ctx, tx, MIDIArgs{MIDIID: m.ID, UserID: f.UserID, FileID: f.ID},
			&river.InsertOpts{Queue: c.MIDIQueue, MaxAttempts: 5})
		if err != nil {
			return nil, fmt.Errorf("enqueue midi parse: %w", err)
		}
		if err := q.SetMIDIRiverID(ctx, m.ID, res.Job.ID); err != nil {
			return nil, err
		}
	}
	return &phonoglyph.Job{ID: m.ID, Kind: phonoglyph.KindMIDIParse, Status: m.ParsingStatus, FileID: &m.FileID,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}, nil
}

// MIDIWorker parses uploaded MIDI files into the original product's shape.
type MIDIWorker struct {
	river.WorkerDefaults[MIDIArgs]
	deps Deps
}

// Timeout bounds one parse; the parser's own limits keep it far shorter.
func (w *MIDIWorker) Timeout(*river.Job[MIDIArgs]) time.Duration { return 2 * time.Minute }

// Work parses one file.
func (w *MIDIWorker) Work(ctx context.Context, job *river.Job[MIDIArgs]) error {
	a := job.Args
	db := w.deps.Store
	if err := db.StartMIDIParse(ctx, a.MIDIID); errors.Is(err, store.ErrJobFinished) {
		return nil
	} else if err != nil {
		return err
	}
	m, err := db.MIDIFile(ctx, a.UserID, a.FileID)
	if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
		return river.JobCancel(errors.New("file was deleted"))
	} else if err != nil {
		return err
	}
	rc, _, err := w.deps.Blobs.Open(ctx, m.FileKey)
	if err != nil {
		return w.retry(ctx, job, err)
	}
	defer rc.Close()
	data, err := midi.Parse(rc, m.OriginalFilename, midiLimits)
	if errors.Is(err, midi.ErrInvalid) {
		msg := fmt.Sprintf("The MIDI file could not be read: %v.", err)
		if ferr := db.FailMIDIParse(ctx, a.MIDIID, msg); ferr != nil && !errors.Is(ferr, store.ErrJobFinished) {
			return ferr
		}
		return river.JobCancel(errors.New(msg))
	} else if err != nil {
		return w.retry(ctx, job, err)
	}
	doc, err := json.Marshal(data)
	if err != nil {
		return err
	}
	sum := &store.MIDISummary{
		DurationSeconds: data.File.Duration, TrackCount: len(data.Tracks), NoteCount: data.NoteCount(),
		TimeSignature: fmt.Sprintf("%d/%d", data.File.TimeSignature[0], data.File.TimeSignature[1]),
		KeySignature:  data.File.KeySignature, TempoBPM: data.FirstTempo(), ParsedData: doc,
	}
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := store.WithTx(tx).CompleteMIDIParse(ctx, a.MIDIID, sum); errors.Is(err, store.ErrJobFinished) {
			return nil
		} else if err != nil {
			return err
		}
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
}

func (w *MIDIWorker) retry(ctx context.Context, job *river.Job[MIDIArgs], err error) error {
	return retryOrFail(job.Attempt, job.MaxAttempts, err, func(msg string) error {
		return w.deps.Store.FailMIDIParse(ctx, job.Args.MIDIID, msg)
	})
}
