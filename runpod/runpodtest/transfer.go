package runpodtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// maxAudio bounds a downloaded source.
const maxAudio = 512 << 20

// fetch downloads a presigned GET URL.
func (s *Server) fetch(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, hideURL(err)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return nil, hideURL(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET answered %s", res.Status)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, maxAudio+1))
	if err != nil {
		return nil, hideURL(err)
	}
	if len(data) > maxAudio {
		return nil, fmt.Errorf("the audio is larger than %d bytes", maxAudio)
	}
	return data, nil
}

// upload PUTs data to a presigned URL in one request with a Content-Length.
func (s *Server) upload(ctx context.Context, u, contentType string, data []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(data))
	if err != nil {
		return hideURL(err)
	}
	req.Header.Set("Content-Type", contentType)
	res, err := s.client.Do(req)
	if err != nil {
		return hideURL(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // lets the connection be reused
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("PUT answered %s", res.Status)
	}
	return nil
}

// hideURL drops the URL from a request error: a presigned URL is a
// credential and errors end up in the job's status.
func hideURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
