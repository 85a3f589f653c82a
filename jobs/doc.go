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
// # Adding a job kind
//
// A fifth kind is its work, not its bookkeeping: a table with the lifecycle
// columns (a migration), its store.JobTable, River args naming the row
// (Args), and a Kind whose Work does the job and ends with Run.Complete or
// Fail. Enqueue inserts the River job in the transaction that inserts the
// row. Example (Example_newKind) shows one end to end.
package jobs
