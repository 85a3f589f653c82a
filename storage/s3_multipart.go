package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"phonoglyph"
)

// uploadConcurrency is how many parts of one Put are sent at once; a Put
// holds up to uploadConcurrency+1 parts in memory. abortTimeout bounds the
// abort of a failed multipart upload, which runs even once the caller's
// context has ended.
const (
	uploadConcurrency = 4
	abortTimeout      = 30 * time.Second
)

// newUploader returns the transfer manager Put uses: one PutObject for
// bodies of up to partSize bytes, otherwise a multipart upload whose parts
// all have partSize bytes but the last (R2 requires equal parts). Every part
// is read into memory first, so non-seekable bodies work over plain HTTP,
// where the SDK must hash the payload before sending it. Request checksums
// are off unless required: the uploader has its own setting, which
// overrides the client's.
func newUploader(client *s3.Client, partSize int64) *transfermanager.Client {
	return transfermanager.New(client, func(o *transfermanager.Options) {
		o.PartSizeBytes = partSize
		o.MultipartUploadThreshold = partSize + 1
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.Concurrency = uploadConcurrency
		o.FailTimeout = abortTimeout
	})
}

// Put streams r to the object, in parts when it is longer than the part
// size or of unknown size; see Blobs. A body whose length differs from a
// non-negative size stores nothing: the upload fails, and a multipart upload
// is aborted, before it completes.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	contentType, err := checkContentType(contentType)
	if err != nil {
		return err
	}
	body := &sizeReader{r: ctxReader{ctx, r}, want: size}
	_, err = s.uploader.UploadObject(ctx, &transfermanager.UploadObjectInput{
		Bucket: &s.bucket, Key: &key, Body: body, ContentType: &contentType})
	switch {
	case err != nil && body.mismatch && body.n > size:
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Object %s has more than the declared %d bytes.", key, size)
	case err != nil && body.mismatch:
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Object %s has %d bytes, not the declared %d.", key, body.n, size)
	case err != nil:
		return fmt.Errorf("storage: put %s: %w", key, err)
	}
	return nil
}

// errSizeMismatch is the read error of a body longer or shorter than
// declared.
var errSizeMismatch = errors.New("body length differs from the declared size")

// sizeReader fails, when want is not negative, the read that goes past want
// bytes or reaches the end before.
type sizeReader struct {
	r        io.Reader
	want     int64
	n        int64 // bytes read so far
	mismatch bool  // a read failed with errSizeMismatch
}

func (s *sizeReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += int64(n)
	if s.want >= 0 && (s.n > s.want || (err == io.EOF && s.n != s.want)) {
		s.mismatch = true
		return n, errSizeMismatch
	}
	return n, err
}
