package store

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"phonoglyph/dbtest"
)

// Keyset pages read the page in index order, with no sort of the user's
// rows, even when the statistics were taken while the user had few rows and
// Postgres plans the statement generically (as it does for pgx's cached
// statements after five runs).
func TestKeysetPagesReadTheIndexInOrder(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	heavy, light := uuid.NewString(), uuid.NewString()
	insert := `INSERT INTO file_metadata (id, user_id, file_name, file_type, mime_type, file_size, s3_key, upload_status, created_at)
		SELECT gen_random_uuid(), $1::uuid, 'f.wav', 'audio', 'audio/wav', 1, $2::text || g, 'completed', now() - g * interval '1 s'
		  FROM generate_series(1, $3::int) g`
	// The statistics are taken while both users have 5 files; then one
	// user uploads 20,000 more.
	for _, u := range []string{light, heavy} {
		if _, err := pool.Exec(ctx, insert, u, u+"/", 5); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `ANALYZE file_metadata`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, insert, heavy, heavy+"/more/", 20000); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		sql  string
		args string
	}{
		"files":     {filesPage, `'` + heavy + `', '', '9999-01-01', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 21`},
		"renders":   {rendersPage, `'` + heavy + `', '9999-01-01', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 21`},
		"stem jobs": {stemJobsPage, `'` + heavy + `', '9999-01-01', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 21`},
	}
	for name, c := range cases {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			for _, s := range []string{"SET LOCAL enable_bitmapscan = off", "SET LOCAL plan_cache_mode = force_generic_plan",
				"PREPARE page AS " + c.sql} {
				if _, err := tx.Exec(ctx, s); err != nil {
					return err
				}
			}
			rows, err := tx.Query(ctx, "EXPLAIN EXECUTE page("+c.args+")")
			if err != nil {
				return err
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "DEALLOCATE page"); err != nil { // prepared statements outlive the transaction
				return err
			}
			plan := strings.Join(lines, "\n")
			if strings.Contains(plan, "Sort") || !strings.Contains(plan, "Index Scan") {
				t.Errorf("%s: the page is not read in index order:\n%s", name, plan)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
