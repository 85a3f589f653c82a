package remotion

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"phonoglyph"
)

// MaxInlineProps is the most bytes the JSON of the input props plus that of
// the environment variables may take in a start payload: Remotion's 200,000
// less its margin of 5,000 + 1,024 for webhook data. Above it the official
// client uploads the props to the render bucket, which Start refuses to do.
const MaxInlineProps = 193_976

// Start defaults: those of the original render.
const (
	defaultCodec   = "h264"
	defaultPrivacy = "public"
	defaultTimeout = 240 * time.Second
)

// codecs are the codecs Remotion Lambda renders.
var codecs = []string{"h264", "h265", "vp8", "vp9", "mp3", "aac", "wav", "gif", "prores"}

// privacies are the ACLs Remotion can give the output.
var privacies = []string{"public", "private", "no-acl"}

// StartRequest describes one render.
type StartRequest struct {
	// Composition is the id of the composition to render, such as
	// "RayboxMain".
	Composition string
	// InputProps is marshalled to JSON (an object) and sent inline; with the
	// environment variables it must stay within MaxInlineProps bytes, so
	// large data goes by URL. Nil sends {}.
	InputProps any
	// Codec of the output, "h264" when empty.
	Codec string
	// OutName names the output in the bucket (renders/<id>/<OutName>); empty
	// lets Remotion choose (out.mp4 for h264).
	OutName string
	// FramesPerLambda is how many frames each renderer function renders, at
	// least 4; zero lets Remotion choose.
	FramesPerLambda int
	// BucketName is the Remotion bucket to render into; empty lets the
	// function find or create its region's bucket.
	BucketName string
	// Privacy of the output object: "public" (the default), "private" or
	// "no-acl". A private output cannot be fetched by URL without AWS
	// credentials.
	Privacy string
	// DownloadName, when set, makes the output download as an attachment of
	// that name; otherwise it plays in the browser.
	DownloadName string
	// Timeout is how long the page may take to load and each delayRender()
	// may wait (timeoutInMilliseconds); 240 s, the original's, when zero.
	Timeout time.Duration
}

// StartResult identifies a started render. Commit both fields before
// polling: they are all that [Client.Progress] needs.
type StartResult struct {
	RenderID   string `json:"renderId"`
	BucketName string `json:"bucketName"`
}

// propsEnvelope carries the serialized input props inline.
type propsEnvelope struct {
	Type    string `json:"type"` // "payload"
	Payload string `json:"payload"`
}

// downloadBehavior sets the output's Content-Disposition.
type downloadBehavior struct {
	Type     string `json:"type"` // "play-in-browser" | "download"
	FileName string `json:"fileName,omitempty"`
}

// startPayload is what @remotion/lambda 4.0.390 sends to start a render. The
// fields this client does not set are sent as null, as the official client
// sends them, so that the function applies its defaults.
type startPayload struct {
	Type                  string            `json:"type"` // "start"
	Version               string            `json:"version"`
	ServeURL              string            `json:"serveUrl"`
	Composition           string            `json:"composition"`
	InputProps            propsEnvelope     `json:"inputProps"`
	Codec                 string            `json:"codec"`
	ImageFormat           string            `json:"imageFormat"`
	JPEGQuality           int               `json:"jpegQuality"`
	Privacy               string            `json:"privacy"`
	MaxRetries            int               `json:"maxRetries"`
	LogLevel              string            `json:"logLevel"`
	TimeoutInMilliseconds int64             `json:"timeoutInMilliseconds"`
	ChromiumOptions       struct{}          `json:"chromiumOptions"`
	Scale                 int               `json:"scale"`
	EveryNthFrame         int               `json:"everyNthFrame"`
	ConcurrencyPerLambda  int               `json:"concurrencyPerLambda"`
	DownloadBehavior      downloadBehavior  `json:"downloadBehavior"`
	Muted                 bool              `json:"muted"`
	Overwrite             bool              `json:"overwrite"`
	EnvVariables          map[string]string `json:"envVariables"`
	PreferLossless        bool              `json:"preferLossless"`
	ForcePathStyle        bool              `json:"forcePathStyle"`
	FramesPerLambda       *int              `json:"framesPerLambda"`
	OutName               *string           `json:"outName"`
	BucketName            *string           `json:"bucketName"`

	Concurrency                    any `json:"concurrency"`
	FrameRange                     any `json:"frameRange"`
	CRF                            any `json:"crf"`
	PixelFormat                    any `json:"pixelFormat"`
	ProResProfile                  any `json:"proResProfile"`
	X264Preset                     any `json:"x264Preset"`
	NumberOfGifLoops               any `json:"numberOfGifLoops"`
	AudioBitrate                   any `json:"audioBitrate"`
	VideoBitrate                   any `json:"videoBitrate"`
	EncodingMaxRate                any `json:"encodingMaxRate"`
	EncodingBufferSize             any `json:"encodingBufferSize"`
	Webhook                        any `json:"webhook"`
	ForceHeight                    any `json:"forceHeight"`
	ForceWidth                     any `json:"forceWidth"`
	RendererFunctionName           any `json:"rendererFunctionName"`
	AudioCodec                     any `json:"audioCodec"`
	OffthreadVideoCacheSizeInBytes any `json:"offthreadVideoCacheSizeInBytes"`
	DeleteAfter                    any `json:"deleteAfter"`
	ColorSpace                     any `json:"colorSpace"`
	Metadata                       any `json:"metadata"`
}

// Start starts a render and returns its id and bucket. Invalid requests,
// including props too large to send inline, are EINVALID errors returned
// before anything is invoked.
func (c *Client) Start(ctx context.Context, r StartRequest) (*StartResult, error) {
	p, err := c.startPayload(r)
	if err != nil {
		return nil, err
	}
	var res StartResult
	if err := c.invoke(ctx, "start", p, &res); err != nil {
		return nil, err
	}
	if res.RenderID == "" || res.BucketName == "" {
		return nil, fmt.Errorf("remotion: start: answer has no renderId or bucketName")
	}
	return &res, nil
}

// startPayload validates r and builds its payload.
func (c *Client) startPayload(r StartRequest) (*startPayload, error) {
	if r.Codec == "" {
		r.Codec = defaultCodec
	}
	if r.Privacy == "" {
		r.Privacy = defaultPrivacy
	}
	if r.Timeout == 0 {
		r.Timeout = defaultTimeout
	}
	switch {
	case r.Composition == "":
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "The composition to render is empty.")
	case !slices.Contains(codecs, r.Codec):
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "Remotion Lambda cannot render codec %q.", r.Codec)
	case !slices.Contains(privacies, r.Privacy):
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "Render privacy %q is not public, private or no-acl.", r.Privacy)
	case r.FramesPerLambda < 0 || (r.FramesPerLambda > 0 && r.FramesPerLambda < 4):
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "Frames per Lambda must be at least 4.")
	case r.Timeout < time.Millisecond:
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "The render timeout must be positive.")
	}
	props, err := inlineProps(r.InputProps)
	if err != nil {
		return nil, err
	}
	p := &startPayload{
		Type:                  "start",
		Version:               Version,
		ServeURL:              c.serveURL,
		Composition:           r.Composition,
		InputProps:            propsEnvelope{Type: "payload", Payload: props},
		Codec:                 r.Codec,
		ImageFormat:           "jpeg",
		JPEGQuality:           80,
		Privacy:               r.Privacy,
		MaxRetries:            1,
		LogLevel:              "info",
		TimeoutInMilliseconds: r.Timeout.Milliseconds(),
		Scale:                 1,
		EveryNthFrame:         1,
		ConcurrencyPerLambda:  1,
		DownloadBehavior:      downloadBehavior{Type: "play-in-browser"},
		EnvVariables:          map[string]string{},
	}
	if r.DownloadName != "" {
		p.DownloadBehavior = downloadBehavior{Type: "download", FileName: r.DownloadName}
	}
	if r.FramesPerLambda > 0 {
		p.FramesPerLambda = &r.FramesPerLambda
	}
	if r.OutName != "" {
		p.OutName = &r.OutName
	}
	if r.BucketName != "" {
		p.BucketName = &r.BucketName
	}
	return p, nil
}

// inlineProps serializes props for the inline envelope, refusing anything
// but a JSON object and props larger than MaxInlineProps (counting the
// empty environment variables' "{}").
func inlineProps(props any) (string, error) {
	if props == nil {
		return "{}", nil
	}
	b, err := json.Marshal(props)
	if err != nil {
		return "", phonoglyph.Errorf(phonoglyph.EINVALID, "The input props cannot be serialized: %v.", err)
	}
	if len(b) == 0 || b[0] != '{' {
		return "", phonoglyph.Errorf(phonoglyph.EINVALID, "The input props must be a JSON object.")
	}
	if n := len(b) + len("{}"); n > MaxInlineProps {
		return "", phonoglyph.Errorf(phonoglyph.EINVALID,
			"Input props too large: %d bytes of JSON, at most %d fit in a Lambda payload; pass large data by URL.", n, MaxInlineProps)
	}
	return string(b), nil
}
