package store

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

const midiColumns = `id::text, file_metadata_id::text, user_id::text, file_key, original_filename, file_size, duration_seconds,
	track_count, note_count, time_signature, key_signature, tempo_bpm, parsing_status, error_message, created_at, updated_at`

func scanMIDI(row pgx.Row, withData bool) (*phonoglyph.MIDIFile, error) {
	var m phonoglyph.MIDIFile
	dest := []any{&m.ID, &m.FileID, &m.UserID, &m.FileKey, &m.OriginalFilename, &m.FileSize, &m.DurationSeconds,
		&m.TrackCount, &m.NoteCount, &m.TimeSignature, &m.KeySignature, &m.TempoBPM, &m.ParsingStatus, &m.Error,
		&m.CreatedAt, &m.UpdatedAt}
	if withData {
		dest = append(dest, &m.ParsedData)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, notFound(err, "MIDI file")
	}
	return &m, nil
}

// CreateMIDIFile records a queued parse of an uploaded MIDI file; a second
// call for the same file returns the existing row (created false).
func (q *Queries) CreateMIDIFile(ctx context.Context, id string, f *phonoglyph.File) (m *phonoglyph.MIDIFile, created bool, err error) {
	m, err = scanMIDI(q.db.QueryRow(ctx, `
		INSERT INTO midi_files (id, user_id, file_metadata_id, file_key, original_filename, file_size)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (file_metadata_id) DO NOTHING RETURNING `+midiColumns,
		id, f.UserID, f.ID, f.Key, f.FileName, f.FileSize), false)
	if err == nil {
		return m, true, nil
	}
	if phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
		return nil, false, err
	}
	m, err = q.MIDIFile(ctx, f.UserID, f.ID)
	return m, false, err
}

// SetMIDIRiverID links a MIDI row to its River job.
func (q *Queries) SetMIDIRiverID(ctx context.Context, id string, riverID int64) error {
	_, err := q.db.Exec(ctx, `UPDATE midi_files SET river_job_id = $2 WHERE id = $1`, id, riverID)
	return err
}

// MIDIFile returns the caller's parsed MIDI data by file id, with the
// parsed document.
func (q *Queries) MIDIFile(ctx context.Context, userID, fileID string) (*phonoglyph.MIDIFile, error) {
	return scanMIDI(q.db.QueryRow(ctx, `SELECT `+midiColumns+`, parsed_data FROM midi_files
		WHERE file_metadata_id = $1 AND user_id = $2`, fileID, userID), true)
}

// MIDIFiles lists the caller's MIDI files newest first, without their
// parsed documents.
func (q *Queries) MIDIFiles(ctx context.Context, userID string, limit, offset int) ([]*phonoglyph.MIDIFile, error) {
	rows, err := q.db.Query(ctx, `SELECT `+midiColumns+` FROM midi_files WHERE user_id = $1
		ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`, userID, limit, offset)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*phonoglyph.MIDIFile, error) { return scanMIDI(r, false) })
}

// StartMIDIParse moves a queued parse to processing; ErrJobFinished when it
// already ended.
func (q *Queries) StartMIDIParse(ctx context.Context, id string) error {
	return q.move(ctx, `UPDATE midi_files SET parsing_status = 'processing', error_message = NULL
		WHERE id = $1 AND parsing_status IN ('queued', 'processing')`, id)
}

// MIDISummary is what a finished parse stores next to the parsed document.
type MIDISummary struct {
	DurationSeconds float64
	TrackCount      int
	NoteCount       int
	TimeSignature   string
	KeySignature    string
	TempoBPM        float64
	ParsedData      json.RawMessage
}

// CompleteMIDIParse stores a parse result.
func (q *Queries) CompleteMIDIParse(ctx context.Context, id string, s *MIDISummary) error {
	return q.move(ctx, `UPDATE midi_files SET parsing_status = 'completed', duration_seconds = $2, track_count = $3,
		note_count = $4, time_signature = $5, key_signature = $6, tempo_bpm = $7, parsed_data = $8
		WHERE id = $1 AND parsing_status IN ('queued', 'processing')`,
		id, s.DurationSeconds, s.TrackCount, s.NoteCount, s.TimeSignature, s.KeySignature, s.TempoBPM, s.ParsedData)
}

// FailMIDIParse records why a parse failed.
func (q *Queries) FailMIDIParse(ctx context.Context, id, msg string) error {
	return q.move(ctx, `UPDATE midi_files SET parsing_status = 'failed', error_message = $2
		WHERE id = $1 AND parsing_status IN ('queued', 'processing')`, id, msg)
}

// VisualizationSettings returns the caller's settings for a MIDI file, or
// the defaults when none were saved.
func (q *Queries) VisualizationSettings(ctx context.Context, userID, midiID string) (phonoglyph.VisualizationSettings, error) {
	s := phonoglyph.DefaultVisualizationSettings()
	err := q.db.QueryRow(ctx, `SELECT color_scheme, pixels_per_second, show_track_labels, show_velocity, min_key, max_key
		FROM visualization_settings WHERE midi_file_id = $1 AND user_id = $2`, midiID, userID,
	).Scan(&s.ColorScheme, &s.PixelsPerSecond, &s.ShowTrackLabels, &s.ShowVelocity, &s.MinKey, &s.MaxKey)
	if err == pgx.ErrNoRows {
		return phonoglyph.DefaultVisualizationSettings(), nil
	}
	return s, err
}

// PutVisualizationSettings saves the caller's settings for a MIDI file.
func (q *Queries) PutVisualizationSettings(ctx context.Context, userID, midiID, id string, s phonoglyph.VisualizationSettings) error {
	_, err := q.db.Exec(ctx, `
		INSERT INTO visualization_settings (id, user_id, midi_file_id, color_scheme, pixels_per_second, show_track_labels,
			show_velocity, min_key, max_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (user_id, midi_file_id) DO UPDATE SET color_scheme = EXCLUDED.color_scheme,
			pixels_per_second = EXCLUDED.pixels_per_second, show_track_labels = EXCLUDED.show_track_labels,
			show_velocity = EXCLUDED.show_velocity, min_key = EXCLUDED.min_key, max_key = EXCLUDED.max_key`,
		id, userID, midiID, s.ColorScheme, s.PixelsPerSecond, s.ShowTrackLabels, s.ShowVelocity, s.MinKey, s.MaxKey)
	return err
}
