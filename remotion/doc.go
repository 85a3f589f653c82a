// Package remotion starts video renders on Remotion Lambda and follows them
// to the end, by invoking the deployed render function directly through the
// AWS Lambda Invoke API (aws-sdk-go-v2) with the JSON payloads that
// @remotion/lambda 4.0.390 sends.
//
// # Using the client
//
// A worker calls [Client.Start] once and commits the returned render id and
// bucket before anything else, so that a rescued job resumes polling instead
// of starting a second render. It then calls [Client.Progress] (snoozing
// between calls, not sleeping) until [Progress.Done], which carries the
// output's URL, bucket and key, or [Progress.Fatal], which ends the render
// failed with [Progress.FatalMessage]. [Progress.Overall] is the render's
// progress from 0 to 1.
//
// Input props travel inline in the start payload and must stay small: pass
// large data, such as the audio analysis, by reference (a presigned URL in
// the props). Props that would not fit inline are refused before anything
// is invoked, because the official client would otherwise upload them to
// the render bucket, which this client does not do.
//
// # Errors
//
// Errors say what to do next. [IsThrottled] reports Lambda's throttling (429
// TooManyRequestsException, "Rate Exceeded", concurrency limits), whether it
// comes from the Invoke API or from inside the function: back off and try
// again. A [*FunctionError] is the function failing: either its handler
// answered {"type":"error","message":...} with HTTP 200 (a version mismatch
// between [Version] and the deployed function is one of these), or the
// runtime failed (crash, timeout, out of memory), which Lambda reports with
// the X-Amz-Function-Error header and {"errorType","errorMessage"}. Other
// errors (network failures, unknown function, refused requests) are returned
// wrapped, so that errors.As finds the SDK's smithy.APIError. Invalid
// requests are application errors with code EINVALID.
//
// The package lambdatest runs a stand-in for the function that speaks the
// same protocol over HTTP, for tests that exercise the real SDK end to end.
package remotion
