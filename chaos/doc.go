// Package chaos is the system's chaos suite: a test (build tag chaos) that
// runs two API and three worker processes on a Postgres cluster and an S3
// server of its own, with the RunPod and Lambda stand-ins, while simulated
// users upload, analyse, separate, render, cancel and delete; it kills
// workers with SIGKILL at random and restarts Postgres once. When the users
// stop it checks that every job ended exactly once and visibly, nothing was
// submitted outside twice, no object is orphaned, no 5xx came outside the
// database restart, no process or temp file outlived its worker, and the
// users' files add up with the rows.
//
// The short form runs in CI (scripts/test); the long form is
//
//	go test -tags chaos -count=1 -timeout 60m ./chaos -args -chaos.duration 20m -chaos.users 12
//
// Everything it starts listens on 127.0.0.1, and it stops only the processes
// it started.
package chaos
