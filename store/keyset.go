package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

// Keyset pages (files, renders, stem jobs) walk a (user_id, created_at DESC,
// id DESC) index from the cursor and stop after the page, so a page costs the
// same at 10 rows per user as at 100,000. Their ORDER BY names the table's
// columns (file_metadata.id), not the select list's id::text, which would
// sort every row of the user by text.
//
// The first page's cursor lies after every row, so every page is one keyset
// condition the index answers: a "no cursor" branch (cursor IS NULL OR …)
// makes Postgres's generic plan filter every row before the page (68 ms at
// 90,000 rows). And bitmap scans are off for these statements: when the
// table's statistics say a user has few rows (a user who just uploaded
// thousands, or one far above the average), the planner would otherwise
// fetch all of them and sort (25–40 ms at 5,000 rows) instead of reading 20
// in index order.
var (
	firstPageTime = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	firstPageID   = "ffffffff-ffff-ffff-ffff-ffffffffffff"
)

func cursorTime(p phonoglyph.Page) time.Time {
	if p.Before == nil {
		return firstPageTime
	}
	return p.Before.CreatedAt
}

func cursorID(p phonoglyph.Page) string {
	if p.Before == nil {
		return firstPageID
	}
	return p.Before.ID
}

// batcher is the pool or a transaction.
type batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// keysetPage runs one page query in index order and scans its rows, in one
// round trip: the setting, the query and the transaction around them go as
// one pipelined batch (four round trips each took a quarter of a page's
// time). On a transaction already open, the setting is put back after the
// page instead.
func keysetPage[T any](ctx context.Context, q *Queries, sql string, args []any, scan func(pgx.Row) (T, error)) ([]T, error) {
	db, ok := q.db.(batcher)
	if !ok {
		return nil, errors.New("store: keyset page on a connection that cannot send a batch")
	}
	_, inTx := q.db.(pgx.Tx)
	b := &pgx.Batch{}
	if !inTx {
		b.Queue("BEGIN")
	}
	b.Queue("SET LOCAL enable_bitmapscan = off")
	b.Queue(sql, args...)
	if inTx {
		b.Queue("SET LOCAL enable_bitmapscan TO DEFAULT")
	} else {
		b.Queue("COMMIT")
	}
	br := db.SendBatch(ctx, b)
	defer br.Close()
	for range b.Len() - 2 { // BEGIN (outside a transaction) and the setting
		if _, err := br.Exec(); err != nil {
			return nil, err
		}
	}
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	page, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if err != nil {
		return nil, err
	}
	if _, err := br.Exec(); err != nil {
		return nil, err
	}
	return page, br.Close()
}
