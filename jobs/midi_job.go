package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

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
func (MIDIArgs) Kind() string { return string(phonoglyph.KindMIDIParse) }

// RowID implements Args.
func (a MIDIArgs) RowID() string { return a.MIDIID }

// RequestMIDIParse records a parse of an uploaded MIDI file and enqueues it
// in tx on the client's MIDI queue. A file already recorded returns its row.
func (c *Client) RequestMIDIParse(ctx context.Context, tx *store.Tx, f *phonoglyph.File) (*phonoglyph.Job, error) {
	m, created, err := tx.CreateMIDIFile(ctx, uuid.NewString(), f)
	if err != nil {
		return nil, fmt.Errorf("create midi row: %w", err)
	}
	if created {
		err = c.Enqueue(ctx, tx, store.MIDIParses, MIDIArgs{MIDIID: m.ID, UserID: f.UserID, FileID: f.ID},
			&river.InsertOpts{Queue: c.midiQueue, MaxAttempts: 5})
	}
	return &phonoglyph.Job{ID: m.ID, Kind: phonoglyph.KindMIDIParse, Status: m.ParsingStatus, FileID: &m.FileID,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}, err
}

// midiKind parses uploaded MIDI files into the original product's shape.
func midiKind(c *Client) Kind[MIDIArgs] {
	w := &midiWork{deps: &c.deps}
	// The parser's own limits keep one parse far shorter than the timeout.
	return Kind[MIDIArgs]{Table: store.MIDIParses, Timeout: 2 * time.Minute, Work: w.work}
}

type midiWork struct{ deps *Deps }

func (w *midiWork) work(ctx context.Context, run *Run, a MIDIArgs) error {
	m, err := w.deps.Store.MIDIFile(ctx, a.UserID, a.FileID)
	if err != nil {
		return err
	}
	rc, _, err := w.deps.openInput(ctx, m.FileKey)
	if err != nil {
		return err
	}
	defer rc.Close()
	data, err := midi.Parse(rc, m.OriginalFilename, midiLimits)
	if errors.Is(err, midi.ErrInvalid) {
		return Failf("The MIDI file could not be read: %v.", err)
	} else if err != nil {
		return err
	}
	doc, err := json.Marshal(data)
	if err != nil {
		return err
	}
	parse := &phonoglyph.MIDIParse{
		DurationSeconds: data.File.Duration, TrackCount: len(data.Tracks), NoteCount: data.NoteCount(),
		TimeSignature: fmt.Sprintf("%d/%d", data.File.TimeSignature[0], data.File.TimeSignature[1]),
		KeySignature:  data.File.KeySignature, TempoBPM: data.FirstTempo(), ParsedData: doc,
	}
	return run.Complete(ctx, func(tx *store.Tx) error { return tx.SetMIDIParse(ctx, run.ID(), parse) })
}
