package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

const projectColumns = `id, user_id::text, name, description, genre, privacy_setting, render_configuration,
	thumbnail_url, primary_midi_file_id::text, created_at, updated_at`

func scanProject(row pgx.Row) (*phonoglyph.Project, error) {
	var p phonoglyph.Project
	err := row.Scan(&p.ID, &p.UserID, &p.Name, &p.Description, &p.Genre, &p.PrivacySetting, &p.RenderConfiguration,
		&p.ThumbnailURL, &p.PrimaryMIDIFileID, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return nil, notFound(err, "Project")
	}
	return &p, nil
}

// CreateProject inserts a project and fills its timestamps.
func (q *Queries) CreateProject(ctx context.Context, p *phonoglyph.Project) error {
	return q.db.QueryRow(ctx, `
		INSERT INTO projects (id, user_id, name, description, genre, privacy_setting, render_configuration,
			thumbnail_url, primary_midi_file_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING created_at, updated_at`,
		p.ID, p.UserID, p.Name, p.Description, p.Genre, p.PrivacySetting, p.RenderConfiguration,
		p.ThumbnailURL, p.PrimaryMIDIFileID,
	).Scan(&p.CreatedAt, &p.UpdatedAt)
}

// Project returns the caller's project.
func (q *Queries) Project(ctx context.Context, userID, id string) (*phonoglyph.Project, error) {
	return scanProject(q.db.QueryRow(ctx, `SELECT `+projectColumns+` FROM projects WHERE id = $1 AND user_id = $2`, id, userID))
}

// ProjectForUpdate returns the caller's project and locks it until the
// transaction ends; writers of a project's dependent rows serialise on it.
func (q *Queries) ProjectForUpdate(ctx context.Context, userID, id string) (*phonoglyph.Project, error) {
	return scanProject(q.db.QueryRow(ctx, `SELECT `+projectColumns+` FROM projects WHERE id = $1 AND user_id = $2 FOR UPDATE`, id, userID))
}

// UpdateProject writes every mutable field of p.
func (q *Queries) UpdateProject(ctx context.Context, p *phonoglyph.Project) error {
	err := q.db.QueryRow(ctx, `
		UPDATE projects SET name = $3, description = $4, genre = $5, privacy_setting = $6, render_configuration = $7,
			thumbnail_url = $8, primary_midi_file_id = $9
		WHERE id = $1 AND user_id = $2 RETURNING updated_at`,
		p.ID, p.UserID, p.Name, p.Description, p.Genre, p.PrivacySetting, p.RenderConfiguration,
		p.ThumbnailURL, p.PrimaryMIDIFileID,
	).Scan(&p.UpdatedAt)
	return notFound(err, "Project")
}

// projectSorts whitelists ORDER BY columns; the id breaks ties so pages are
// stable.
var projectSorts = map[string]string{"created_at": "created_at", "updated_at": "updated_at", "name": "lower(name)"}

// Projects lists the caller's projects and the total matching the search.
func (q *Queries) Projects(ctx context.Context, userID string, pq phonoglyph.ProjectQuery) ([]*phonoglyph.Project, int, error) {
	col, ok := projectSorts[pq.Sort]
	if !ok {
		return nil, 0, fmt.Errorf("unknown sort %q", pq.Sort)
	}
	dir := "ASC"
	if pq.Desc {
		dir = "DESC"
	}
	rows, err := q.db.Query(ctx, `SELECT `+projectColumns+`, count(*) OVER () FROM projects
		WHERE user_id = $1 AND ($2 = '' OR name ILIKE '%' || $2 || '%')
		ORDER BY `+col+` `+dir+`, id `+dir+` LIMIT $3 OFFSET $4`,
		userID, escapeLike(pq.Search), pq.Limit, pq.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var (
		out   []*phonoglyph.Project
		total int
	)
	for rows.Next() {
		var p phonoglyph.Project
		if err := rows.Scan(&p.ID, &p.UserID, &p.Name, &p.Description, &p.Genre, &p.PrivacySetting, &p.RenderConfiguration,
			&p.ThumbnailURL, &p.PrimaryMIDIFileID, &p.CreatedAt, &p.UpdatedAt, &total); err != nil {
			return nil, 0, err
		}
		out = append(out, &p)
	}
	return out, total, rows.Err()
}

// escapeLike makes a user's search text match literally inside ILIKE.
func escapeLike(s string) string {
	r := make([]rune, 0, len(s))
	for _, c := range s {
		if c == '%' || c == '_' || c == '\\' {
			r = append(r, '\\')
		}
		r = append(r, c)
	}
	return string(r)
}

// DeleteProject removes the caller's project with its files (and, by
// cascade, everything derived from them) and returns the storage keys that
// no longer belong to any row.
func (q *Queries) DeleteProject(ctx context.Context, userID, id string) ([]string, error) {
	if _, err := q.ProjectForUpdate(ctx, userID, id); err != nil {
		return nil, err
	}
	keys, err := q.deleteFiles(ctx, `SELECT id FROM file_metadata WHERE project_id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return nil, err
	}
	_, err = q.db.Exec(ctx, `DELETE FROM projects WHERE id = $1 AND user_id = $2`, id, userID)
	return keys, err
}

// ProjectSourceFiles returns the completed files of a project that are not
// derived from another file (the ones a duplicate copies), oldest first.
func (q *Queries) ProjectSourceFiles(ctx context.Context, userID, projectID string, limit int) ([]*phonoglyph.File, error) {
	rows, err := q.db.Query(ctx, `SELECT `+fileColumns+` FROM file_metadata
		WHERE user_id = $1 AND project_id = $2 AND parent_file_id IS NULL AND upload_status = 'completed'
		ORDER BY created_at, id LIMIT $3`, userID, projectID, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*phonoglyph.File, error) { return scanFile(r) })
}
