package openapitest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
)

// Check validates one exchange the test made against the contract, failing
// t when they differ. It reads res.Body and puts an identical reader back,
// and reads req's body through GetBody (as http.NewRequest sets it for
// in-memory bodies).
func Check(t testing.TB, req *http.Request, res *http.Response) {
	t.Helper()
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	v.Check(t, req, res)
}

// Check is the package-level Check with this validator.
func (v *Validator) Check(t testing.TB, req *http.Request, res *http.Response) {
	t.Helper()
	reqBody, err := requestBody(req)
	if err != nil {
		t.Errorf("openapi: read request body of %s %s: %v", req.Method, req.URL.Path, err)
		return
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		t.Errorf("openapi: read response body of %s %s: %v", req.Method, req.URL.Path, err)
		return
	}
	x := Exchange{Request: req, RequestBody: reqBody, Status: res.StatusCode, Header: res.Header, Body: body}
	if err := v.Validate(req.Context(), x); err != nil {
		t.Errorf("openapi: %v", err)
	}
}

// errNoReplay is a request body that was sent and cannot be read again.
var errNoReplay = errors.New("the request body cannot be read again: build the request with an in-memory body (http.NewRequest sets GetBody)")

func requestBody(req *http.Request) ([]byte, error) {
	if req.GetBody == nil {
		if req.Body != nil && req.Body != http.NoBody {
			return nil, errNoReplay
		}
		return nil, nil
	}
	rc, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// Transport returns an http.RoundTripper that sends through base
// (http.DefaultTransport when nil) and checks every exchange with the API at
// apiURL with Check; requests to other hosts (presigned S3 URLs) pass
// unchecked.
func Transport(t testing.TB, apiURL string, base http.RoundTripper) http.RoundTripper {
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return v.Transport(t, apiURL, base)
}

// Transport is the package-level Transport with this validator.
func (v *Validator) Transport(t testing.TB, apiURL string, base http.RoundTripper) http.RoundTripper {
	api, err := url.Parse(apiURL)
	if err != nil || api.Host == "" {
		t.Fatalf("openapi: API URL %q: want scheme://host[:port]", apiURL)
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		if req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
			// Keep a copy of a streamed body to check it after sending.
			raw, err := io.ReadAll(req.Body)
			req.Body.Close()
			if err != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = io.NopCloser(bytes.NewReader(raw))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
		}
		reqBody, err := requestBody(req)
		if err != nil {
			return nil, err
		}
		res, err := base.RoundTrip(req)
		if err != nil || req.URL.Host != api.Host {
			return res, err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return nil, err
		}
		res.Body = io.NopCloser(bytes.NewReader(body))
		x := Exchange{Request: req, RequestBody: reqBody, Status: res.StatusCode, Header: res.Header, Body: body}
		if err := v.Validate(req.Context(), x); err != nil {
			t.Errorf("openapi: %v", err)
		}
		return res, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
