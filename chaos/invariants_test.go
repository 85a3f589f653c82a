//go:build chaos

package chaos

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"phonoglyph/auth"
	"phonoglyph/objectkey"
	"phonoglyph/storage"
	"phonoglyph/store"
)

// userKinds are the River job kinds that carry a user's work, and
// blob_cleanup, which must have freed everything by the end.
var userKinds = []string{"audio_analysis", "midi_parse", "stem_separation", "render", "blob_cleanup"}

// waitSettled waits until no user-facing job row and no River job of a user
// kind is still live.
func waitSettled(pool *pgxpool.Pool, within time.Duration) error {
	deadline := time.Now().Add(within)
	var last string
	for time.Now().Before(deadline) {
		live, err := liveWork(pool)
		if err == nil && live == "" {
			return nil
		}
		if err != nil {
			last = err.Error()
		} else {
			last = live
		}
		time.Sleep(time.Second)
	}
	return fmt.Errorf("work still live %s after the users stopped: %s", within, last)
}

func liveWork(pool *pgxpool.Pool) (string, error) {
	ctx := context.Background()
	var parts []string
	rows, err := pool.Query(ctx, `SELECT kind, status, count(*) FROM user_jobs
		WHERE status NOT IN ('completed', 'failed', 'cancelled') GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var kind, status string
		var n int
		if err := rows.Scan(&kind, &status, &n); err != nil {
			return "", err
		}
		parts = append(parts, fmt.Sprintf("%d %s rows %s", n, kind, status))
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	rows, err = pool.Query(ctx, `SELECT kind, state::text, count(*) FROM river_job
		WHERE finalized_at IS NULL AND kind = ANY($1) GROUP BY 1, 2 ORDER BY 1, 2`, userKinds)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var kind, state string
		var n int
		if err := rows.Scan(&kind, &state, &n); err != nil {
			return "", err
		}
		parts = append(parts, fmt.Sprintf("%d River %s jobs %s", n, kind, state))
	}
	return strings.Join(parts, ", "), rows.Err()
}

// finalReads reads every job the users followed once more through the API
// after the system settled, so each has a last status as a user sees it.
func finalReads(t *testing.T, led *ledger, bases []string, secret string) {
	t.Helper()
	led.mu.Lock()
	jobs := make([]*jobSeen, 0, len(led.jobs))
	for _, j := range led.jobs {
		jobs = append(jobs, j)
	}
	led.mu.Unlock()
	readers := map[string]*simUser{}
	for _, j := range jobs {
		u := readers[j.user]
		if u == nil {
			token, err := auth.Mint([]byte(secret), "", j.user, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			u = &simUser{id: j.user, token: token, apis: bases, rnd: mrand.New(mrand.NewPCG(1, 1)), ledger: led,
				client: &http.Client{Timeout: 10 * time.Second}}
			readers[j.user] = u
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		u.read(ctx, j)
		cancel()
	}
}

// report checks the invariants and prints the run's numbers.
type report struct {
	ledger *ledger
	pool   *pgxpool.Pool
	s3     storage.S3Config
	runpod map[string]int // RunPod submissions per stem job
	lambda map[string]int // Lambda starts per render
	chaos  *chaosLog
	marker string // in the environment of every process we started
	tmp    string // the workers' TMPDIR
}

func (r *report) check(t *testing.T) {
	t.Helper()
	r.jobsEndOnce(t)
	r.noDuplicates(t)
	r.noOrphans(t)
	r.no5xxOutsideRestart(t)
	r.nothingLeftBehind(t)
	r.balance(t)
}

// jobsEndOnce: every job a user followed ended visibly, exactly once (no
// terminal status was ever followed by another), or is gone because its user
// deleted its file.
func (r *report) jobsEndOnce(t *testing.T) {
	led := r.ledger
	led.mu.Lock()
	defer led.mu.Unlock()
	for _, j := range led.jobs {
		if j.gone {
			if f := led.files[j.file]; f == nil || !f.deleted {
				t.Errorf("job %s (%s) vanished (404) though its file %s was not deleted", j.id, j.kind, j.file)
			}
			continue
		}
		end := -1
		for i, s := range j.statuses {
			if terminal(s) && end < 0 {
				end = i
			}
		}
		switch {
		case end < 0:
			t.Errorf("job %s (%s) never ended: statuses %v", j.id, j.kind, j.statuses)
		case end != len(j.statuses)-1:
			t.Errorf("job %s (%s) changed after it ended: statuses %v", j.id, j.kind, j.statuses)
		}
		if n := len(j.statuses); n > 0 && j.statuses[n-1] == statusFailed && j.err == "" {
			t.Errorf("job %s (%s) failed without a message", j.id, j.kind)
		}
	}
	rows, err := r.pool.Query(context.Background(), `SELECT kind, id::text, status FROM user_jobs
		WHERE status NOT IN ('completed', 'failed', 'cancelled')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, id, status string
		if err := rows.Scan(&kind, &id, &status); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s job %s is still %s", kind, id, status)
	}
}

// noDuplicates: no stem job or render was submitted outside more than
// once, and every completed stem job has exactly its requested stems while a
// failed or cancelled one has none.
func (r *report) noDuplicates(t *testing.T) {
	for id, n := range r.runpod {
		if n > 1 {
			t.Errorf("stem job %s was submitted to RunPod %d times", id, n)
		}
	}
	for id, n := range r.lambda {
		if n > 1 {
			t.Errorf("render %s was started on Lambda %d times", id, n)
		}
	}
	rows, err := r.pool.Query(context.Background(), `
		SELECT j.id::text, j.status,
		       (SELECT count(*) FROM jsonb_each(j.config->'stems') s WHERE s.value = 'true'::jsonb),
		       (SELECT count(*) FROM file_metadata f WHERE f.s3_key LIKE 'stems/' || j.user_id || '/' || j.id || '/%')
		  FROM stem_separation_jobs j`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, status string
		var wanted, have int
		if err := rows.Scan(&id, &status, &wanted, &have); err != nil {
			t.Fatal(err)
		}
		switch {
		case status == statusCompleted && have != wanted:
			t.Errorf("completed stem job %s has %d stem files for %d requested stems", id, have, wanted)
		case status != statusCompleted && have != 0:
			t.Errorf("%s stem job %s left %d stem files", status, id, have)
		}
	}
}

// noOrphans: every object in the bucket belongs to a row.
func (r *report) noOrphans(t *testing.T) {
	ctx := context.Background()
	referenced := map[string]bool{}
	rows, err := r.pool.Query(ctx, `
		SELECT s3_key FROM file_metadata
		UNION ALL SELECT thumbnail_key FROM file_metadata WHERE thumbnail_key IS NOT NULL
		UNION ALL SELECT data_key FROM audio_analysis_cache WHERE data_key IS NOT NULL
		UNION ALL SELECT 'renders/' || user_id || '/' || id || '.mp4' FROM renders WHERE status = 'completed'
		UNION ALL SELECT 'analysis/' || user_id || '/renders/' || id || '.json' FROM renders`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		referenced[k] = true
	}
	rows.Close()
	blobs, err := storage.NewS3(ctx, r.s3)
	if err != nil {
		t.Fatal(err)
	}
	var orphans []string
	total := 0
	for _, prefix := range append(objectkey.UploadPrefixes(), objectkey.DerivedPrefixes()...) {
		err := blobs.ListOlder(ctx, prefix, time.Now().Add(time.Hour), func(i storage.Info) error {
			total++
			if !referenced[i.Key] {
				orphans = append(orphans, i.Key)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("list %s: %v", prefix, err)
		}
	}
	sort.Strings(orphans)
	// What a killed attempt wrote for a row deleted meanwhile may only be
	// known to the sweep, which frees derived objects nothing refers to once
	// they are older than the upload grace: such objects must be ones the
	// sweep frees. Anything else is an orphan.
	writers := make([]string, len(orphans))
	for i, k := range orphans {
		writers[i], _ = objectkey.Writer(k)
	}
	swept, err := store.New(r.pool).UnreferencedDerived(ctx, orphans, writers)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range orphans {
		if !slices.Contains(swept, k) {
			t.Errorf("orphaned object %s (no row refers to it, and the sweep would not free it)", k)
		}
	}
	t.Logf("storage: %d objects, %d referenced by rows, %d unreferenced, all left for the sweep to free: %v",
		total, total-len(orphans), len(orphans), swept)
}

// no5xxOutsideRestart: the API answered no 5xx except while Postgres was
// down and shortly after (pools reconnect).
func (r *report) no5xxOutsideRestart(t *testing.T) {
	from, to := r.chaos.pgDown.Add(-time.Second), r.chaos.pgUp.Add(15*time.Second)
	led := r.ledger
	led.mu.Lock()
	defer led.mu.Unlock()
	during := 0
	for _, c := range led.calls {
		if c.status < 500 {
			continue
		}
		if !c.at.Before(from) && !c.at.After(to) {
			during++
			continue
		}
		t.Errorf("%s %s answered %d at %s, outside the database restart", c.method, c.route, c.status, c.at.Format(time.StampMilli))
	}
	t.Logf("5xx during the database restart window: %d", during)
}

// nothingLeftBehind: no process outlived the stopped system (ffmpeg
// children of killed workers included), and the workers' temp directory
// holds nothing once they have restarted and stopped.
func (r *report) nothingLeftBehind(t *testing.T) {
	time.Sleep(500 * time.Millisecond)
	for _, pid := range marked(r.marker) {
		if pid == os.Getpid() {
			continue
		}
		cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		t.Errorf("process %d (%s) outlived the system", pid, strings.ReplaceAll(string(cmd), "\x00", " "))
	}
	entries, _ := os.ReadDir(r.tmp)
	for _, e := range entries {
		t.Errorf("temp entry %s left behind by a worker", e.Name())
	}
}

// balance prints the run's numbers and checks that what users saw adds up
// with the rows: each file a user kept exists, each deleted one is gone.
func (r *report) balance(t *testing.T) {
	led := r.ledger
	led.mu.Lock()
	defer led.mu.Unlock()
	byKind := map[string]map[string]int{}
	for _, j := range led.jobs {
		final := "gone"
		if n := len(j.statuses); !j.gone && n > 0 {
			final = j.statuses[n-1]
		}
		if byKind[j.kind] == nil {
			byKind[j.kind] = map[string]int{}
		}
		byKind[j.kind][final]++
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var b strings.Builder
	fmt.Fprintf(&b, "calls %d, files %d, worker kills %d\n", len(led.calls), len(led.files), r.chaos.kills)
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %-16s %v\n", k, byKind[k])
	}
	t.Log("\n" + b.String())
	ctx := context.Background()
	for _, f := range led.files {
		var n int
		if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM file_metadata WHERE id = $1`, f.id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if f.deleted && n != 0 {
			t.Errorf("file %s was deleted but its row remains", f.id)
		}
		if !f.deleted && n != 1 {
			t.Errorf("file %s was not deleted but has no row", f.id)
		}
	}
}
