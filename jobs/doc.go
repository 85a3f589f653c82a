// Package jobs is the background work of Phonoglyph on River: the job kinds
// (audio analysis, MIDI parse, stem separation, render, and the maintenance
// jobs that delete objects), the helpers that enqueue them inside a caller's
// transaction, and the Client both processes run — the API inserts with it,
// workers work with it, and both start and stop it the same way.
//
// # One lifecycle
//
// Every user-facing job has a row in a job table (store.JobTable) that a
// person polls, and a River job that carries only the row's id. What
// happens to the row is written once, in lifecycle.go, for every kind:
//
//   - begin: the row moves to processing; a row that already ended (its
//     owner cancelled it) ends the River job quietly;
//   - progress: Run.Progress, never backwards, 100 only on completion;
//   - fail and free: a kind returns Fail(message) and the row fails with the
//     message while the objects the job owns (Run.Owns) are freed by a
//     cleanup job, in one transaction; River does not retry;
//   - retry: any other error is retried by River, and the last attempt's
//     failure is recorded on the row the same way, so no job looks stuck;
//   - complete: Run.Complete marks the row completed, stores the kind's
//     results and completes the River job in one transaction.
//
// Work sent to an external service (RunPod, Remotion Lambda) goes through
// one exactly-once dispatch (Run.Dispatch): a mark is committed before the
// request, the service's id after it, and a job that finds the mark without
// an id fails rather than risk sending twice. Polling is a River snooze.
//
// # Every job ends
//
// A panic in a kind's work is recovered into an error and settled like one.
// What River ends without the lifecycle (a job discarded because its worker
// died during the last attempt, one an operator cancelled or deleted) is
// ended on its row by the reaper (store.EndAbandonedJobs): failed with a
// sentence, or cancelled. A failure message is one short line for people
// (humanMessage); the whole error goes to the log.
//
// # Crash recovery
//
// River's rescuer has one delay for every kind and ignores a job while it
// is inside its worker's timeout, so on its own a job of a killed worker
// waits an hour. Instead every attempt beats (heartbeat.go): a River
// middleware records each attempt in job_attempts with its worker process,
// the process beats all its attempts in one UPDATE every BeatInterval (20 s)
// and a reaper, on one worker at a time (advisory lock), hands back every
// running River job whose attempt has not been beaten for StaleAfter (90 s):
// available at once, discarded without attempts left, cancelled if its
// owner cancelled it (store.RescueStale). A killed worker's job runs again
// within StaleAfter + BeatInterval + River's fetch interval, about two
// minutes, whatever its kind's timeout.
//
// A live attempt is never taken over: it keeps beating; a beat that finds
// the attempt held by another worker cancels it, a process that cannot beat
// for two thirds of StaleAfter cancels its own attempts before any reaper
// may act, and Run.Complete commits only while the process still holds the
// attempt (store.Tx.FinishHeld, locked in the completing transaction).
// River's own rescuer remains the fallback, after the longest kind timeout
// plus rescueMargin, so it never takes an attempt inside its timeout.
//
// Child processes (ffmpeg) start through package childproc and die with
// their worker; each worker process keeps its temp files in its own
// directory (OwnTempDir), removes those of dead processes at start and has
// a temp budget (TempDir.Reserve).
//
// # Adding a job kind
//
// A fifth kind is its work, not its bookkeeping: a table with the lifecycle
// columns (a migration), its store.JobTable, River args naming the row
// (Args), and a Kind whose Work does the job and ends with Run.Complete or
// Fail. Enqueue inserts the River job in the transaction that inserts the
// row. Example (Example_newKind) shows one end to end.
package jobs
