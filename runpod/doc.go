// Package runpod dispatches stem separations to a RunPod serverless endpoint
// running Spleeter and follows them to the end.
//
// # Using the client
//
// A worker calls [Client.Run] once, commits the returned job id, and then
// polls [Client.Status] (by snoozing, not sleeping) until the job is
// terminal. IN_QUEUE and IN_PROGRESS mean "ask again"; while IN_PROGRESS,
// [Status.Progress] holds the latest progress the GPU worker reported.
// [Status.Failed] says whether a terminal job failed, with a message: this
// covers FAILED, TIMED_OUT, CANCELLED and also a COMPLETED job whose output
// carries an error, which callers must treat as a failure. A COMPLETED job
// that did not fail lists its stems in [Status.Output]; callers check that
// every stem they asked for is there.
//
// Errors say what to do next: [IsRetryable] reports 429, 5xx and network
// failures, with RunPod's Retry-After hint; [ErrUnauthorized] is a
// configuration problem (RUNPOD_API_KEY) that retrying cannot fix;
// [ErrNotFound] from Status means RunPod no longer knows the job, because its
// ttl passed (even mid-run) or its result outlived the 30-minute retention;
// a 400 is an application error with code EINVALID.
//
// # The GPU worker contract
//
// The endpoint's image, built from runpod/worker, implements this contract;
// TestGPUWorker runs its handler behind the stand-in. No audio travels in the
// payload and the worker holds no storage credentials: it reads and writes
// through presigned URLs, which must stay valid for the job's whole ttl.
//
// The job input ([Input]) is
//
//	{"audio_url":   "<presigned GET of the source>",
//	 "model":       "spleeter",
//	 "variant":     "2stems" | "4stems" | "5stems",
//	 "stems":       ["vocals", ...],  // a subset of the variant's stems
//	 "sample_rate": 44100 | 48000,
//	 "format":      "wav" | "mp3",
//	 "outputs":     {"vocals": "<presigned PUT>", ...}}  // one per stem
//
// The variants' stems are vocals and accompaniment (2stems); vocals, drums,
// bass and other (4stems); and those with piano (5stems). The worker
// downloads audio_url, separates it, writes each requested stem at
// sample_rate in format, and uploads it with one PUT of the whole file to
// outputs[stem], sending Content-Length (no chunked encoding) and exactly the
// Content-Type [ContentType] gives for the format, which the URL is signed
// for.
//
// While it works it reports progress with
// runpod.serverless.progress_update(job, {"stage": "downloading" |
// "separating" | "uploading", "pct": 0..100}); RunPod shows the latest value
// as the output of an IN_PROGRESS job ([Progress]).
//
// When every stem is uploaded it returns {"stems": {"vocals": {"bytes":
// 123}, ...}} ([Output]), one entry per requested stem (a "key" in an entry
// is allowed and ignored: the caller presigned the URLs and knows the keys).
// On failure it raises, which RunPod reports as FAILED with the exception
// as a JSON string whose error_message [Status] extracts, or it returns
// {"error": "message"}, which RunPod reports as FAILED or, depending on the
// SDK version, as COMPLETED with that output.
package runpod
