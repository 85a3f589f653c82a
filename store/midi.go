package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

const midiColumns = `id::text, file_metadata_id::text, user_id::text, file_key, original_filename, file_size, duration_seconds,
	track_count, note_count, time_signature, key_signature, tempo_bpm, status, error, created_at, updated_at`

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
		ORDER BY midi_files.created_at DESC, midi_files.id DESC LIMIT $2 OFFSET $3`, userID, limit, offset)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*phonoglyph.MIDIFile, error) { return scanMIDI(r, false) })
}

// SetMIDIParse stores a parse result next to the row, in the transaction
// that completes the parse.
func (q *Queries) SetMIDIParse(ctx context.Context, id string, p *phonoglyph.MIDIParse) error {
	_, err := q.db.Exec(ctx, `UPDATE midi_files SET duration_seconds = $2, track_count = $3, note_count = $4,
		time_signature = $5, key_signature = $6, tempo_bpm = $7, parsed_data = $8 WHERE id = $1`,
		id, p.DurationSeconds, p.TrackCount, p.NoteCount, p.TimeSignature, p.KeySignature, p.TempoBPM, p.ParsedData)
	return err
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
