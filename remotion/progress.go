package remotion

import (
	"context"
	"encoding/json"
	"strings"
)

// Progress is a render's state as the function reports it.
type Progress struct {
	// Overall is the render's progress from 0 to 1.
	Overall float64
	// Done is true once the output is complete in the bucket.
	Done bool
	// OutputFile is the output's URL, set when Done; a public output can be
	// fetched from it with a plain GET.
	OutputFile string
	// OutKey and OutBucket locate the output in S3, set when Done.
	OutKey, OutBucket string
	// OutputSizeInBytes is the output's size when known.
	OutputSizeInBytes int64
	// Fatal is true when the render failed and will not finish
	// (fatalErrorEncountered); FatalMessage says why.
	Fatal bool
	// Errors are the errors met so far, fatal or retried.
	Errors []RenderError
	// CostsAccrued is the render's estimated cost so far, in Currency.
	CostsAccrued float64
	Currency     string
}

// FatalMessage returns the messages of the fatal errors, or of every error
// when none is marked fatal, joined by "; ", or a generic message when the
// function reported no error.
func (p *Progress) FatalMessage() string {
	var fatal, all []string
	for _, e := range p.Errors {
		if e.Message == "" {
			continue
		}
		all = append(all, e.Message)
		if e.IsFatal {
			fatal = append(fatal, e.Message)
		}
	}
	switch {
	case len(fatal) > 0:
		return strings.Join(fatal, "; ")
	case len(all) > 0:
		return strings.Join(all, "; ")
	}
	return "The render failed without an error message."
}

// statusPayload asks for a render's progress.
type statusPayload struct {
	Type             string `json:"type"` // "status"
	Version          string `json:"version"`
	BucketName       string `json:"bucketName"`
	RenderID         string `json:"renderId"`
	LogLevel         string `json:"logLevel"`
	ForcePathStyle   bool   `json:"forcePathStyle"`
	S3OutputProvider any    `json:"s3OutputProvider"` // null: the output is in the Remotion bucket
}

// progressBody is the part of the function's progress answer Progress
// reads. Errors is decoded apart so that an unexpected shape is ignored
// rather than failing the whole answer.
type progressBody struct {
	OverallProgress       float64         `json:"overallProgress"`
	Done                  bool            `json:"done"`
	OutputFile            *string         `json:"outputFile"`
	OutKey                *string         `json:"outKey"`
	OutBucket             *string         `json:"outBucket"`
	OutputSizeInBytes     *float64        `json:"outputSizeInBytes"`
	FatalErrorEncountered bool            `json:"fatalErrorEncountered"`
	Errors                json.RawMessage `json:"errors"`
	Costs                 *struct {
		AccruedSoFar float64 `json:"accruedSoFar"`
		Currency     string  `json:"currency"`
	} `json:"costs"`
}

// Progress returns the progress of the render renderID in bucketName.
func (c *Client) Progress(ctx context.Context, renderID, bucketName string) (*Progress, error) {
	var b progressBody
	err := c.invoke(ctx, "status", statusPayload{
		Type:       "status",
		Version:    Version,
		BucketName: bucketName,
		RenderID:   renderID,
		LogLevel:   "info",
	}, &b)
	if err != nil {
		return nil, err
	}
	p := &Progress{
		Overall:    b.OverallProgress,
		Done:       b.Done,
		OutputFile: deref(b.OutputFile),
		OutKey:     deref(b.OutKey),
		OutBucket:  deref(b.OutBucket),
		Fatal:      b.FatalErrorEncountered,
	}
	if b.OutputSizeInBytes != nil {
		p.OutputSizeInBytes = int64(*b.OutputSizeInBytes)
	}
	if b.Costs != nil {
		p.CostsAccrued, p.Currency = b.Costs.AccruedSoFar, b.Costs.Currency
	}
	// Anything but an array of errors is ignored: Errors is informative.
	_ = json.Unmarshal(b.Errors, &p.Errors)
	return p, nil
}

// deref returns *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
