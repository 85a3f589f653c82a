package lambdatest

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// The stand-in's price of a frame, in USD, and the frames of each chunk.
const (
	costPerFrame   = 0.00002
	framesPerChunk = 20
)

// render is one started render.
type render struct {
	id, bucket, outName, codec string
	started                    time.Time
	props                      json.RawMessage
	private                    bool   // privacy "private": the output is not public
	download                   string // attachment file name; "" plays in the browser
	output                     []byte
	errors                     []map[string]any
	fatal                      bool    // a fatal error stopped it
	stoppedAt                  float64 // its progress when it stopped
}

// outKey is where the output is in the bucket.
func (r *render) outKey() string {
	return "renders/" + r.id + "/" + r.outName
}

// progress returns the render's progress at now and whether it is done.
func (r *render) progress(now time.Time, opt Options) (float64, bool) {
	if r.fatal {
		return r.stoppedAt, false
	}
	if opt.RenderTime <= 0 {
		return 1, true
	}
	p := math.Min(1, float64(now.Sub(r.started))/float64(opt.RenderTime))
	return p, p >= 1
}

// fail records an error at now, as the renderer would write it.
func (r *render) fail(now time.Time, opt Options, msg string, fatal bool) {
	p, _ := r.progress(now, opt)
	attempt := 1
	if fatal {
		attempt = 2 // maxRetries 1: the retry failed too
		r.fatal, r.stoppedAt = true, p
	}
	r.errors = append(r.errors, map[string]any{
		"type": "renderer", "message": msg, "name": "Error", "stack": "Error: " + msg + "\n    at lambdatest",
		"chunk": int(p * float64(opt.Frames) / framesPerChunk), "frame": nil, "isFatal": fatal, "attempt": attempt,
		"willRetry": !fatal, "totalAttempts": 2, "tmpDir": nil, "s3Location": "", "explanation": nil,
	})
}

// statusPayload is the part of a status payload the stand-in reads.
type statusPayload struct {
	RenderID   string `json:"renderId"`
	BucketName string `json:"bucketName"`
}

// status runs the status routine: the progress of a render as
// GenericRenderProgress describes it.
func (s *Server) status(payload map[string]json.RawMessage) (any, error) {
	if err := s.checkVersion(payload, "getRenderProgress()"); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(payload)
	var p statusPayload
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("lambdatest: invalid status payload: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.renders[p.RenderID]
	if r == nil || r.bucket != p.BucketName {
		//lint:ignore ST1005 Remotion's own message, verbatim: clients match on it
		return nil, fmt.Errorf("No render with ID %q found in bucket %s and region us-east-1", p.RenderID, p.BucketName)
	}
	now := time.Now()
	progress, done := r.progress(now, s.opt)
	frames := int(progress * float64(s.opt.Frames))
	cost := float64(frames) * costPerFrame
	res := map[string]any{
		"type":                  "success",
		"renderId":              r.id,
		"bucket":                r.bucket,
		"overallProgress":       progress,
		"done":                  done,
		"framesRendered":        frames,
		"chunks":                int(math.Ceil(float64(frames) / framesPerChunk)),
		"errors":                append([]map[string]any{}, r.errors...),
		"fatalErrorEncountered": r.fatal,
		"currentTime":           now.UnixMilli(),
		"costs": map[string]any{
			"accruedSoFar": cost,
			"displayCost":  fmt.Sprintf("$%.4f", cost),
			"currency":     "USD",
			"disclaimer":   "Estimated cost by the lambdatest stand-in.",
		},
		"outputFile":        nil,
		"outKey":            nil,
		"outBucket":         nil,
		"outputSizeInBytes": nil,
		"timeToFinish":      nil,
	}
	if done {
		res["outputFile"] = s.URL + "/" + r.bucket + "/" + r.outKey()
		res["outKey"] = r.outKey()
		res["outBucket"] = r.bucket
		res["outputSizeInBytes"] = len(r.output)
		res["timeToFinish"] = now.Sub(r.started).Milliseconds()
	}
	return res, nil
}
