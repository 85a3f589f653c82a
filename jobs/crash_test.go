package jobs_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"phonoglyph/dbtest"
	"phonoglyph/eventually"
	"phonoglyph/jobs"
	"phonoglyph/store"
)

// The heartbeat of these tests: in production 20 s and 90 s, here short so
// the test waits seconds, not minutes.
const (
	testBeat  = 200 * time.Millisecond
	testStale = 2 * time.Second
)

// crashArgs name a row of crash_jobs; hold is how long the work takes.
type crashArgs struct {
	JobID string        `json:"job_id"`
	Hold  time.Duration `json:"hold"`
}

func (crashArgs) Kind() string    { return "crash_test" }
func (a crashArgs) RowID() string { return a.JobID }
func (crashArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "crash", MaxAttempts: 3}
}

// crashWorker is a worker of crash jobs: each attempt appends its process
// to the row's attempts, holds for the job's hold (in the child worker
// process: until it is killed) and completes with its process as the one
// that finished.
func crashWorker(t testing.TB, pool *pgxpool.Pool, table store.JobTable) *jobs.Client {
	child := os.Getenv("CRASH_TEST_DB") != ""
	kind := jobs.Kind[crashArgs]{Table: table, Timeout: time.Minute,
		Work: func(ctx context.Context, run *jobs.Run, a crashArgs) error {
			pid := strconv.Itoa(os.Getpid())
			if _, err := pool.Exec(ctx, `UPDATE crash_jobs SET attempts = array_append(attempts, $2) WHERE id = $1`, run.ID(), pid); err != nil {
				return err
			}
			hold := a.Hold
			if child {
				hold = time.Hour
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(hold):
			}
			return run.Complete(ctx, func(tx *store.Tx) error {
				_, err := tx.PGX().Exec(ctx, `UPDATE crash_jobs SET finished_by = $2 WHERE id = $1`, run.ID(), pid)
				return err
			})
		}}
	c, err := jobs.New(pool, discard(), jobs.Deps{Store: store.New(pool)},
		jobs.Config{Queues: map[string]int{"crash": 2}, Kinds: []jobs.AnyKind{kind}, BeatInterval: testBeat, StaleAfter: testStale})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCrashWorkerProcess is the worker process the crash test starts and
// kills; it does nothing in a normal run.
func TestCrashWorkerProcess(t *testing.T) {
	url := os.Getenv("CRASH_TEST_DB")
	if url == "" {
		return // not a helper run
	}
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	c := crashWorker(t, pool, store.JobTable{Name: "crash_jobs"})
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Hour) // until killed
}

// A worker process killed with SIGKILL in the middle of a job: another
// worker runs the job again as soon as the dead one's heartbeat is stale
// (2 s here, 90 s in production), whatever the kind — not after River's
// hour. A job that runs longer than the stale delay on a live worker is
// never taken over: its attempt keeps beating.
func TestJobOfAKilledWorkerRunsAgainElsewhere(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	table, err := createJobTable(ctx, pool, "crash_jobs", ", attempts TEXT[] NOT NULL DEFAULT '{}', finished_by TEXT")
	if err != nil {
		t.Fatal(err)
	}
	enqueue := func(c *jobs.Client, hold time.Duration) string {
		id := uuid.NewString()
		err := store.New(pool).InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.PGX().Exec(ctx, `INSERT INTO crash_jobs (id, user_id) VALUES ($1, $2)`, id, uuid.NewString()); err != nil {
				return err
			}
			return c.Enqueue(ctx, tx, table, crashArgs{JobID: id, Hold: hold}, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	here := crashWorker(t, pool, table)
	crashed := enqueue(here, 0)

	child := exec.Command(os.Args[0], "-test.run=^TestCrashWorkerProcess$")
	child.Env = append(os.Environ(), "CRASH_TEST_DB="+pool.Config().ConnString())
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	childPID := strconv.Itoa(child.Process.Pid)
	eventually.True(t, time.Minute, "the child worker took the job", func() bool {
		var attempts []string
		err := pool.QueryRow(ctx, `SELECT attempts FROM crash_jobs WHERE id = $1`, crashed).Scan(&attempts)
		return err == nil && len(attempts) == 1 && attempts[0] == childPID
	})
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	killed := time.Now()

	if err := here.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer here.Stop(ctx, 5*time.Second)
	long := enqueue(here, 3*testStale) // runs past the stale delay on a live worker

	finished := func(id string) (status string, attempts []string, by string) {
		var fin *string
		err := pool.QueryRow(ctx, `SELECT status, attempts, finished_by FROM crash_jobs WHERE id = $1`, id).Scan(&status, &attempts, &fin)
		if err != nil {
			t.Fatal(err)
		}
		if fin != nil {
			by = *fin
		}
		return status, attempts, by
	}
	// The bound of the issue: within 5 minutes.
	eventually.True(t, 5*time.Minute, "the killed worker's job completed elsewhere", func() bool {
		status, _, _ := finished(crashed)
		return status == "completed"
	})
	t.Logf("the killed worker's job completed %s after the kill (stale delay %s)", time.Since(killed).Round(100*time.Millisecond), testStale)
	me := strconv.Itoa(os.Getpid())
	if _, attempts, by := finished(crashed); len(attempts) != 2 || attempts[0] != childPID || attempts[1] != me || by != me {
		t.Errorf("crashed job: attempts %v, finished by %s; want the child then this process", attempts, by)
	}
	eventually.True(t, time.Minute, "the long job completed", func() bool {
		status, _, _ := finished(long)
		return status == "completed"
	})
	if _, attempts, by := finished(long); len(attempts) != 1 || by != me {
		t.Errorf("long job on a live worker: attempts %v, finished by %s; want one attempt, never taken over", attempts, by)
	}
}
