package storage

import (
	"context"
	"log/slog"
	"net/http"
)

// RefuseWrites makes Handler refuse every signed PUT to a key for which
// closed answers true — an upload whose row has left `uploading` — however
// long its URL still runs. The application wires closed to its rows (the
// storage layer knows no rows); without it every validly signed PUT is
// accepted. Call it before serving.
func (l *Local) RefuseWrites(closed func(ctx context.Context, key string) (bool, error)) {
	l.closed = closed
}

// errUploadClosed refuses a PUT to an upload that is complete (or failed).
var errUploadClosed = errAccessDenied("This upload is closed: its file was completed or rejected, so the object can no longer be written.")

// checkWritable refuses a PUT to a closed upload (see RefuseWrites).
func (l *Local) checkWritable(r *http.Request, key string) *s3Error {
	if l.closed == nil {
		return nil
	}
	closed, err := l.closed(r.Context(), key)
	if err != nil {
		slog.ErrorContext(r.Context(), "storage: write check", "key", key, "error", err)
		return errInternal
	}
	if closed {
		return errUploadClosed
	}
	return nil
}
