// Package store is the database: every SQL statement of the application
// (pgx v5), rows in, domain types out. It is named for what it keeps, the
// rows; the objects themselves (audio, stems, videos) are blobs and live in
// package storage. Every query that touches user data takes the caller's id
// and filters on it, so another user's row is simply not found.
//
// The lifecycle of user-facing jobs (start, progress, finish, the dispatch
// mark of external work) is written once, in job_rows.go, for every job
// table; the other files hold each table's own statements.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"phonoglyph"
)

// DBTX is what queries run on: the pool or a transaction.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Queries runs the application's statements on one DBTX.
type Queries struct {
	db DBTX
}

// Store is the database: queries on the pool plus transactions.
type Store struct {
	*Queries
	Pool *pgxpool.Pool
}

// New returns a Store over pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{Queries: &Queries{db: pool}, Pool: pool}
}

// Tx is one transaction: the application's queries, and the raw pgx
// transaction that River inserts and completes jobs in, so a row and its
// River job commit together.
type Tx struct {
	*Queries
	tx pgx.Tx
}

// PGX is the underlying pgx transaction, for River's InsertTx,
// JobCancelTx and JobCompleteTx.
func (t *Tx) PGX() pgx.Tx { return t.tx }

// InTx runs fn in one transaction, committing when fn returns nil and
// rolling back otherwise. A transaction Postgres aborted as a deadlock
// victim or a serialization failure (SQLSTATE 40P01, 40001) is run again,
// a few times: fn must do nothing outside the transaction that a second
// run would repeat wrongly.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
			return fn(&Tx{Queries: &Queries{db: tx}, tx: tx})
		})
		if !retryable(err) || attempt == maxTxAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt*attempt) * 10 * time.Millisecond):
		}
	}
}

// maxTxAttempts bounds the runs of one InTx.
const maxTxAttempts = 5

// retryable reports a transaction Postgres aborted so that running it again
// may succeed: a deadlock victim or a serialization failure.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.Pool.Ping(ctx)
}

// notFound turns pgx.ErrNoRows into an application ENOTFOUND error.
func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return phonoglyph.Errorf(phonoglyph.ENOTFOUND, "%s not found.", what)
	}
	return err
}
