// Package dbtest gives each test its own migrated Postgres database, cloned
// from a template that is built once per schema version (pgtestdb), and
// runnable examples one of their own (Open). The server comes from
// TEST_DATABASE_URL (default: the local trust-auth server). A missing server
// fails the test: it is never skipped.
package dbtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver pgtestdb uses
	"github.com/peterldowns/pgtestdb"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"phonoglyph/migrations"
)

const defaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// URL creates a fresh migrated database for t and returns its URL. The
// database is dropped when t passes.
func URL(t testing.TB) string {
	t.Helper()
	u, err := serverURL()
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	conf := pgtestdb.Config{
		DriverName: "pgx", Host: u.Hostname(), Port: u.Port(), User: u.User.Username(), Password: pass,
		Database: u.Path[1:], Options: u.RawQuery, ForceTerminateConnections: true,
	}
	return pgtestdb.Custom(t, conf, migrator{}).URL()
}

// serverURL is the server tests create databases on: TEST_DATABASE_URL,
// or the local trust-auth server.
func serverURL() (*url.URL, error) {
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		raw = defaultURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("TEST_DATABASE_URL: %w", err)
	}
	return u, nil
}

// URLOn creates a migrated database on another server than
// TEST_DATABASE_URL's (a private cluster, pgcluster), of which server is
// the URL of a database, and returns its URL. The server is the test's
// own and goes with it, so nothing is dropped.
func URLOn(t testing.TB, server string) string {
	t.Helper()
	ctx := context.Background()
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	pool, _, err := create(ctx, u)
	if err != nil {
		t.Fatalf("database on %s: %v", u.Redacted(), err)
	}
	defer pool.Close()
	return pool.Config().ConnString()
}

// Pool returns a pool on a fresh migrated database, closed when t ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), URL(t))
	if err != nil {
		t.Fatalf("connect test database: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// migrator builds template databases with the application's migrations.
type migrator struct{}

// Hash identifies the schema: the application's migration files and River's
// migration versions.
func (migrator) Hash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.SQL(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := migrations.SQL().Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s\n", path)
		_, err = io.Copy(h, f)
		return err
	})
	if err != nil {
		return "", err
	}
	rm, err := rivermigrate.New(riverpgxv5.New(nil), nil)
	if err != nil {
		return "", err
	}
	for _, v := range rm.AllVersions() {
		fmt.Fprintf(h, "river %d %s\n", v.Version, v.SQLUp)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Migrate applies every migration to a new template database.
func (migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	pool, err := pgxpool.New(ctx, conf.URL())
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrations.Up(ctx, pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// Open creates a fresh migrated database for code that has no testing.TB
// (runnable examples) and returns a pool on it and a function that closes
// the pool and drops the database.
func Open(ctx context.Context) (*pgxpool.Pool, func(), error) {
	server, err := serverURL()
	if err != nil {
		return nil, nil, err
	}
	pool, drop, err := create(ctx, server)
	if err != nil {
		return nil, nil, err
	}
	return pool, func() { pool.Close(); drop() }, nil
}

// create creates and migrates a new database on server and returns a pool
// on it and a function that drops it.
func create(ctx context.Context, server *url.URL) (*pgxpool.Pool, func(), error) {
	admin, err := pgx.Connect(ctx, server.String())
	if err != nil {
		return nil, nil, fmt.Errorf("connect test database server: %w", err)
	}
	defer admin.Close(ctx)
	name := fmt.Sprintf("dbtest_open_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, nil, err
	}
	drop := func() {
		ctx := context.Background()
		if admin, err := pgx.Connect(ctx, server.String()); err == nil {
			_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			admin.Close(ctx)
		}
	}
	db := *server
	db.Path = "/" + name
	pool, err := pgxpool.New(ctx, db.String())
	if err == nil {
		err = migrations.Up(ctx, pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		drop()
		return nil, nil, err
	}
	return pool, drop, nil
}
