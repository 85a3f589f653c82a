// Package store owns every SQL statement of the application (pgx v5): rows in,
// domain types out. Every query that touches user data takes the caller's id
// and filters on it, so another user's row is simply not found.
package store

import (
	"context"
	"errors"

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

// InTx runs fn in one transaction, committing when fn returns nil. fn gets
// the raw transaction too, so River can insert or complete jobs in it.
func (s *Store) InTx(ctx context.Context, fn func(tx pgx.Tx, q *Queries) error) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		return fn(tx, &Queries{db: tx})
	})
}

// WithTx returns Queries that run inside tx.
func WithTx(tx pgx.Tx) *Queries { return &Queries{db: tx} }

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
