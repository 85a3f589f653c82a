package runpod

import (
	"context"
	"net/http"
	"net/url"
)

// Cancel asks RunPod to cancel job id. Cancelling a job that has already
// ended is not an error; RunPod leaves it as it was.
func (c *Client) Cancel(ctx context.Context, id string) error {
	return c.do(ctx, "cancel of job "+id, http.MethodPost, "/cancel/"+url.PathEscape(id), nil, nil)
}
