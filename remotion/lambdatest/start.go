package lambdatest

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// startKeys are the keys every start payload must have: those the function
// reads without a default. Missing ones fail the start, so that a client
// that drops one is caught here rather than in production.
var startKeys = []string{
	"type", "version", "serveUrl", "composition", "inputProps", "codec", "imageFormat", "privacy", "maxRetries",
	"logLevel", "timeoutInMilliseconds", "chromiumOptions", "scale", "everyNthFrame", "concurrencyPerLambda",
	"downloadBehavior", "muted", "overwrite",
}

// outExtensions are the output file extensions of the codecs Remotion
// Lambda renders.
var outExtensions = map[string]string{
	"h264": "mp4", "h265": "mp4", "vp8": "webm", "vp9": "webm", "mp3": "mp3",
	"aac": "aac", "wav": "wav", "gif": "gif", "prores": "mov",
}

// startPayload is the part of a start payload the stand-in reads.
type startPayload struct {
	ServeURL    string `json:"serveUrl"`
	Composition string `json:"composition"`
	InputProps  struct {
		Type    string  `json:"type"`
		Payload *string `json:"payload"`
	} `json:"inputProps"`
	Codec            string   `json:"codec"`
	Privacy          string   `json:"privacy"`
	FramesPerLambda  *float64 `json:"framesPerLambda"`
	OutName          *string  `json:"outName"`
	BucketName       *string  `json:"bucketName"`
	DownloadBehavior struct {
		Type     string  `json:"type"`
		FileName *string `json:"fileName"`
	} `json:"downloadBehavior"`
}

// start runs the start routine: it checks the payload as the function
// would and starts a render.
func (s *Server) start(payload map[string]json.RawMessage) (any, error) {
	if err := s.checkVersion(payload, "renderMediaOnLambda()"); err != nil {
		return nil, err
	}
	for _, k := range startKeys {
		if _, ok := payload[k]; !ok {
			return nil, fmt.Errorf("lambdatest: the start payload has no %q", k)
		}
	}
	raw, _ := json.Marshal(payload)
	var p startPayload
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("lambdatest: invalid start payload: %w", err)
	}
	r, err := s.newRender(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.renders[r.id] = r
	s.starts++
	return map[string]string{"type": "success", "renderId": r.id, "bucketName": r.bucket}, nil
}

// newRender validates p and returns the render it starts now.
func (s *Server) newRender(p startPayload) (*render, error) {
	ext, ok := outExtensions[p.Codec]
	switch {
	case p.ServeURL == "" || p.Composition == "":
		return nil, errors.New("lambdatest: serveUrl and composition must not be empty")
	case !ok:
		return nil, fmt.Errorf("lambdatest: codec %q is not one Lambda renders", p.Codec)
	case !slices.Contains([]string{"public", "private", "no-acl"}, p.Privacy):
		return nil, fmt.Errorf("lambdatest: privacy %q is not public, private or no-acl", p.Privacy)
	case p.FramesPerLambda != nil && *p.FramesPerLambda < 4:
		//lint:ignore ST1005 Remotion's own message, verbatim: clients match on it
		return nil, fmt.Errorf("The framesPerLambda needs to be at least 4, but is %v", *p.FramesPerLambda)
	case p.InputProps.Type != "payload" || p.InputProps.Payload == nil:
		return nil, fmt.Errorf("lambdatest: inputProps must be {\"type\":\"payload\",\"payload\":\"<json>\"}, got type %q", p.InputProps.Type)
	}
	var props map[string]any
	if err := json.Unmarshal([]byte(*p.InputProps.Payload), &props); err != nil || props == nil {
		return nil, fmt.Errorf("lambdatest: inputProps.payload is not a JSON object")
	}
	r := &render{
		id:      strings.ToLower(rand.Text()[:10]),
		bucket:  s.Bucket,
		outName: "out." + ext,
		codec:   p.Codec,
		started: time.Now(),
		props:   json.RawMessage(*p.InputProps.Payload),
		private: p.Privacy == "private",
	}
	switch p.DownloadBehavior.Type {
	case "play-in-browser":
	case "download":
		if p.DownloadBehavior.FileName == nil || *p.DownloadBehavior.FileName == "" {
			return nil, errors.New("lambdatest: downloadBehavior download needs a fileName")
		}
		r.download = *p.DownloadBehavior.FileName
	default:
		return nil, fmt.Errorf("lambdatest: downloadBehavior type %q is not play-in-browser or download", p.DownloadBehavior.Type)
	}
	if p.BucketName != nil {
		r.bucket = *p.BucketName
	}
	if p.OutName != nil {
		r.outName = *p.OutName
	}
	r.output = s.opt.Output(r.id)
	return r, nil
}

// checkVersion answers a payload of another version than the deployed one
// as Remotion does, apiName being the client call it names.
func (s *Server) checkVersion(payload map[string]json.RawMessage, apiName string) error {
	var v string
	_ = json.Unmarshal(payload["version"], &v)
	switch {
	case v == s.opt.Version:
		return nil
	case v == "":
		//lint:ignore ST1005 Remotion's own message, verbatim: clients match on it
		return fmt.Errorf("Version mismatch: When calling %s, you called the function %s which has the version %s but the @remotion/lambda package is an older version. Deploy a new function and use it to call %s. See: https://www.remotion.dev/docs/lambda/upgrading",
			apiName, s.opt.FunctionName, s.opt.Version, apiName)
	}
	//lint:ignore ST1005 Remotion's own message, verbatim: clients match on it
	return fmt.Errorf("Version mismatch: When calling %s, you passed %s as the function, which has the version %s, but the @remotion/lambda package you used to invoke the function has version %s. Deploy a new function and use it to call getRenderProgress(). See: https://www.remotion.dev/docs/lambda/upgrading",
		apiName, s.opt.FunctionName, s.opt.Version, v)
}
