package remotion

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"phonoglyph"
)

// defaultRegion is the region of the original deployment.
const defaultRegion = "us-east-1"

// Config of the render function a [Client] invokes.
type Config struct {
	// Region of the function; "us-east-1", the original's, when empty.
	Region string
	// FunctionName is the render function's name or ARN, such as
	// FunctionName(3008, 2048, 600). A Remotion name of another version than
	// [Version] is refused, since the function would refuse every payload.
	FunctionName string
	// ServeURL is the deployed Remotion site (the bundle) to render.
	ServeURL string
	// Endpoint overrides the Lambda endpoint; tests point it at a
	// lambdatest.Server. Empty means AWS's endpoint for Region.
	Endpoint string
	// AccessKeyID and SecretAccessKey are static AWS credentials allowed to
	// invoke the function.
	AccessKeyID, SecretAccessKey string
	// MaxAttempts is how many times the SDK sends each invocation, 1 when
	// zero: retries belong to the job queue, which backs off by snoozing.
	MaxAttempts int
	// HTTPClient sends the requests; the SDK's default client when nil.
	HTTPClient *http.Client
}

// Client invokes one Remotion render function. It is safe for concurrent
// use.
type Client struct {
	lambda       *lambda.Client
	functionName string
	serveURL     string
}

// New returns a client for cfg, or an EINVALID error naming what is wrong.
// It makes no request.
func New(cfg Config) (*Client, error) {
	switch {
	case strings.TrimSpace(cfg.FunctionName) == "":
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "The Remotion function name is empty.")
	case strings.TrimSpace(cfg.ServeURL) == "":
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "The Remotion serve URL is empty.")
	case cfg.AccessKeyID == "" || cfg.SecretAccessKey == "":
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "The AWS access key ID or secret access key for Remotion Lambda is empty.")
	case cfg.MaxAttempts < 0:
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "The Remotion Lambda max attempts is negative.")
	}
	if version, _, _, _, err := ParseFunctionName(cfg.FunctionName); err == nil && version != versionInName(Version) {
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID,
			"The Remotion function %s runs another version than %s: deploy %s.", cfg.FunctionName, Version, FunctionName(0, 0, 0))
	}
	opts := lambda.Options{
		Region:           cfg.Region,
		Credentials:      credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
		RetryMaxAttempts: cfg.MaxAttempts,
	}
	if opts.Region == "" {
		opts.Region = defaultRegion
	}
	if opts.RetryMaxAttempts == 0 {
		opts.RetryMaxAttempts = 1
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = &cfg.Endpoint
	}
	if cfg.HTTPClient != nil {
		opts.HTTPClient = cfg.HTTPClient
	}
	return &Client{lambda: lambda.New(opts), functionName: cfg.FunctionName, serveURL: cfg.ServeURL}, nil
}

// errorBody is the part of an answer that tells a handler error
// ({"type":"error","message","stack"}) from a result.
type errorBody struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// unhandledBody is the runtime's answer when the function failed outside its
// handler (X-Amz-Function-Error: Unhandled).
type unhandledBody struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

// invoke sends payload to the function synchronously and decodes its answer
// into out. op names the routine in errors. Both ways the function reports
// failure become a *FunctionError, and throttling wraps ErrThrottled.
func (c *Client) invoke(ctx context.Context, op string, payload, out any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("remotion: %s: encode payload: %w", op, err)
	}
	res, err := c.lambda.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   &c.functionName,
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        body,
	})
	if err != nil {
		if throttledAPIError(err) {
			return fmt.Errorf("%w: %s: %w", ErrThrottled, op, err)
		}
		return fmt.Errorf("remotion: %s: %w", op, err)
	}
	if res.FunctionError != nil {
		var u unhandledBody
		if json.Unmarshal(res.Payload, &u) != nil || u.ErrorMessage == "" {
			u.ErrorMessage = string(res.Payload)
		}
		if u.ErrorType == "" {
			u.ErrorType = *res.FunctionError
		}
		return fmt.Errorf("remotion: %s: %w", op, &FunctionError{Type: u.ErrorType, Message: u.ErrorMessage})
	}
	var e errorBody
	if err := json.Unmarshal(res.Payload, &e); err != nil {
		return fmt.Errorf("remotion: %s: answer is not a JSON object: %w", op, err)
	}
	if e.Type == "error" {
		return fmt.Errorf("remotion: %s: %w", op, &FunctionError{Type: e.Type, Message: e.Message})
	}
	if err := json.Unmarshal(res.Payload, out); err != nil {
		return fmt.Errorf("remotion: %s: decode answer: %w", op, err)
	}
	return nil
}
