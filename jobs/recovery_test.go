package jobs_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/apitest"
	"phonoglyph/auth"
	"phonoglyph/dbtest"
	"phonoglyph/eventually"
	"phonoglyph/jobs"
	"phonoglyph/storage"
	"phonoglyph/store"
)

// midiNamed is a one-note MIDI file whose track is named name.
func midiNamed(name string) []byte {
	track := append([]byte{0x00, 0xFF, 0x03, byte(len(name))}, name...)
	track = append(track,
		0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20, // tempo 120 bpm
		0x00, 0x90, 0x3C, 0x64, 0x83, 0x60, 0x80, 0x3C, 0x00, // C4 for one quarter
		0x00, 0xFF, 0x2F, 0x00)
	var b bytes.Buffer
	b.WriteString("MThd")
	_ = binary.Write(&b, binary.BigEndian, []uint32{6})
	_ = binary.Write(&b, binary.BigEndian, []uint16{0, 1, 480})
	b.WriteString("MTrk")
	_ = binary.Write(&b, binary.BigEndian, uint32(len(track)))
	b.Write(track)
	return b.Bytes()
}

// storeMIDI stores a completed MIDI upload of a new user and requests its
// parse, as completing the upload does; it returns the user and file ids.
func storeMIDI(t *testing.T, s *apitest.System, data []byte) (userID, fileID string) {
	t.Helper()
	ctx := context.Background()
	f := &phonoglyph.File{ID: uuid.NewString(), UserID: uuid.NewString(), FileName: "tune.mid", FileType: phonoglyph.FileMIDI,
		MimeType: "audio/midi", FileSize: int64(len(data)), UploadStatus: phonoglyph.UploadCompleted}
	f.Key = "midi/" + f.UserID + "/" + f.ID + ".mid"
	if err := s.Blobs.Put(ctx, f.Key, bytes.NewReader(data), f.FileSize, f.MimeType); err != nil {
		t.Fatal(err)
	}
	err := s.Store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateFile(ctx, f); err != nil {
			return err
		}
		_, err := s.Jobs.ProcessFile(ctx, tx, f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f.UserID, f.ID
}

// midiThroughAPI reads a MIDI file's parse as its owner does.
func midiThroughAPI(t *testing.T, s *apitest.System, userID, fileID string) *phonoglyph.MIDIFile {
	t.Helper()
	tok, err := auth.Mint(apitest.Secret, "", userID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", s.URL+"/api/v1/midi/"+fileID, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var got struct {
		MIDI phonoglyph.MIDIFile `json:"midi_file"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(body, &got) != nil {
		t.Fatalf("GET midi: %d %s", res.StatusCode, body)
	}
	return &got.MIDI
}

// A NUL byte inside a track name used to fail every attempt to store the
// parse (SQLSTATE 22P05) until River discarded the job, the file saying
// processing forever; the name is stored without it.
func TestMIDIWithNULInTrackNameIsParsed(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	s.StartWorkers()
	user, file := storeMIDI(t, s, midiNamed("Fl\x00te"))
	var m *phonoglyph.MIDIFile
	eventually.True(t, time.Minute, "the parse ended", func() bool {
		m = midiThroughAPI(t, s, user, file)
		return m.ParsingStatus.Finished()
	})
	if m.ParsingStatus != phonoglyph.StatusCompleted || !strings.Contains(string(m.ParsedData), `"Flte"`) {
		t.Fatalf("parse = %s %v %s", m.ParsingStatus, m.Error, m.ParsedData)
	}
}

// A worker killed during a job's last attempt leaves a running River job
// no process works. The reaper hands it back to River (which discards it:
// no attempt left) and ends its row failed with a sentence, read through
// the API, instead of processing forever.
func TestJobWhoseLastAttemptsWorkerDiedEndsFailed(t *testing.T) {
	s := apitest.Start(t, apitest.Options{})
	user, file := storeMIDI(t, s, midiNamed("Flute"))
	ctx := context.Background()
	// What a worker that took the last attempt and was SIGKILLed leaves.
	tag, err := s.Pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = max_attempts,
		attempted_at = now() - interval '10 minutes', attempted_by = ARRAY['dead-worker']
		WHERE id = (SELECT river_job_id FROM midi_files WHERE file_metadata_id = $1)`, file)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("simulate the dead worker: %v %v", tag, err)
	}
	if _, err := s.Pool.Exec(ctx, `UPDATE midi_files SET status = 'processing' WHERE file_metadata_id = $1`, file); err != nil {
		t.Fatal(err)
	}
	s.StartWorkers()
	var m *phonoglyph.MIDIFile
	eventually.True(t, time.Minute, "the parse ended", func() bool {
		m = midiThroughAPI(t, s, user, file)
		return m.ParsingStatus.Finished()
	})
	if m.ParsingStatus != phonoglyph.StatusFailed || m.Error == nil || *m.Error != store.AttemptsExhausted {
		t.Fatalf("parse = %s %v", m.ParsingStatus, m.Error)
	}
	var state string
	if err := s.Pool.QueryRow(ctx, `SELECT state FROM river_job WHERE id = (SELECT river_job_id FROM midi_files
		WHERE file_metadata_id = $1)`, file).Scan(&state); err != nil || state != "discarded" {
		t.Fatalf("River job: %q %v", state, err)
	}
}

// panicArgs are the arguments of a kind whose work panics on every attempt.
type panicArgs struct {
	JobID string `json:"job_id"`
}

func (panicArgs) Kind() string    { return "always_panics" }
func (a panicArgs) RowID() string { return a.JobID }
func (panicArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "panics", MaxAttempts: 2}
}

// A job that panics on every attempt ends failed with the readable message
// of exhausted attempts, like one that returns an error; River's panic
// handling alone would discard it and leave the row processing.
func TestJobPanickingOnEveryAttemptEndsFailed(t *testing.T) {
	ctx := context.Background()
	pool, drop, err := dbtest.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	table, err := createJobTable(ctx, pool, "panic_jobs", "")
	if err != nil {
		t.Fatal(err)
	}
	attempts := make(chan int, 4)
	kind := jobs.Kind[panicArgs]{Table: table, Timeout: time.Minute,
		Work: func(ctx context.Context, run *jobs.Run, a panicArgs) error {
			attempts <- 1
			var digits []int
			return fmt.Errorf("unreachable %d", digits[len(a.JobID)]) // index out of range: a runtime panic
		}}
	st := store.New(pool)
	client, err := jobs.New(pool, discard(), jobs.Deps{Store: st},
		jobs.Config{Queues: map[string]int{"panics": 1}, Kinds: []jobs.AnyKind{kind}})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	err = st.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.PGX().Exec(ctx, `INSERT INTO panic_jobs (id, user_id) VALUES ($1, $2)`, id, uuid.NewString()); err != nil {
			return err
		}
		// The retry after the first panic comes at once.
		return client.Enqueue(ctx, tx, table, panicArgs{JobID: id}, &river.InsertOpts{ScheduledAt: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE river_job SET attempt = 1 WHERE kind = 'always_panics'`); err != nil {
		t.Fatal(err) // the first attempt already panicked: the next is the last
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer client.Stop(ctx, 5*time.Second)
	var status, msg string
	eventually.True(t, time.Minute, "the job ended", func() bool {
		err := pool.QueryRow(ctx, `SELECT status, coalesce(error, '') FROM panic_jobs WHERE id = $1`, id).Scan(&status, &msg)
		return err == nil && phonoglyph.Status(status).Finished()
	})
	if status != "failed" || msg != store.AttemptsExhausted || len(attempts) != 1 {
		t.Fatalf("job = %s %q after %d attempts", status, msg, len(attempts))
	}
}

// goneArgs name a row of gone_jobs and the object its job writes.
type goneArgs struct {
	JobID string `json:"job_id"`
	Key   string `json:"key"`
}

func (goneArgs) Kind() string                 { return "writes_then_waits" }
func (a goneArgs) RowID() string              { return a.JobID }
func (goneArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: "gone"} }

// Deleting a file during its analysis used to leave the analysis document
// and thumbnail the job had written: a job that finds its row gone frees
// what it wrote.
func TestJobFindingItsRowGoneFreesWhatItWrote(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	st := store.New(pool)
	blobs, err := storage.NewLocal(t.TempDir(), "http://localhost/blobs", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	table, err := createJobTable(ctx, pool, "gone_jobs", "")
	if err != nil {
		t.Fatal(err)
	}
	wrote, proceed := make(chan struct{}), make(chan struct{})
	kind := jobs.Kind[goneArgs]{Table: table, Timeout: time.Minute,
		Work: func(ctx context.Context, run *jobs.Run, a goneArgs) error {
			run.Writes(a.Key)
			if err := blobs.Put(ctx, a.Key, strings.NewReader("{}"), 2, "application/json"); err != nil {
				return err
			}
			close(wrote)
			<-proceed
			return run.Complete(ctx, nil)
		}}
	c, err := jobs.New(pool, discard(), jobs.Deps{Store: st, Blobs: blobs},
		jobs.Config{Queues: map[string]int{"gone": 1, phonoglyph.QueueMaintenance: 1}, Kinds: []jobs.AnyKind{kind}})
	if err != nil {
		t.Fatal(err)
	}
	id, key := uuid.NewString(), "analysis/u/"+uuid.NewString()+"/master-x.json"
	err = st.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.PGX().Exec(ctx, `INSERT INTO gone_jobs (id, user_id) VALUES ($1, $2)`, id, uuid.NewString()); err != nil {
			return err
		}
		return c.Enqueue(ctx, tx, table, goneArgs{JobID: id, Key: key}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Stop(ctx, 5*time.Second)
	<-wrote
	if _, err := pool.Exec(ctx, `DELETE FROM gone_jobs WHERE id = $1`, id); err != nil { // its file deleted: the row goes by cascade
		t.Fatal(err)
	}
	close(proceed)
	eventually.True(t, 30*time.Second, "the object the job wrote is freed", func() bool {
		_, err := blobs.Head(ctx, key)
		return errors.Is(err, storage.ErrNotFound)
	})
}
