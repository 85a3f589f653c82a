package storage

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"phonoglyph"
)

// SignPut presigns a PutObject of key (SigV4 in the query) with the
// Content-Type and Content-Length headers signed: the client must send
// exactly contentType and a body of exactly size bytes, or the service
// refuses the signature (403); a negative size signs no length. SigV4 signs
// no zero Content-Length, so size
// must be positive. See Blobs.
func (s *S3) SignPut(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (SignedURL, error) {
	if err := checkKey(key); err != nil {
		return SignedURL{}, err
	}
	contentType, err := checkContentType(contentType)
	if err != nil {
		return SignedURL{}, err
	}
	if size == 0 {
		return SignedURL{}, phonoglyph.Errorf(phonoglyph.EINVALID, "Upload size 0 cannot be signed.")
	}
	if err := checkS3TTL(ttl); err != nil {
		return SignedURL{}, err
	}
	in := &s3.PutObjectInput{Bucket: &s.bucket, Key: &key, ContentType: &contentType}
	if size > 0 {
		in.ContentLength = &size
	}
	req, err := s.presign.PresignPutObject(ctx, in, s3.WithPresignExpires(ttl))
	if err != nil {
		return SignedURL{}, fmt.Errorf("storage: sign put %s: %w", key, err)
	}
	return signedURL(req)
}

// SignGet presigns a GetObject of key whose response is an attachment named
// downloadName (response-content-disposition, quoted as by Local). See Blobs.
func (s *S3) SignGet(ctx context.Context, key, downloadName string, ttl time.Duration) (SignedURL, error) {
	if err := checkKey(key); err != nil {
		return SignedURL{}, err
	}
	if err := checkS3TTL(ttl); err != nil {
		return SignedURL{}, err
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key,
		ResponseContentDisposition: new(contentDisposition(downloadName))}, s3.WithPresignExpires(ttl))
	if err != nil {
		return SignedURL{}, fmt.Errorf("storage: sign get %s: %w", key, err)
	}
	return signedURL(req)
}

// checkS3TTL is checkTTL plus SigV4's granularity: X-Amz-Expires counts
// whole seconds, at least one.
func checkS3TTL(ttl time.Duration) error {
	if ttl > 0 && ttl < time.Second {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Signed URL lifetime %s is shorter than 1s.", ttl)
	}
	return checkTTL(ttl)
}

// signedURL turns a presigned request into a SignedURL: the headers are the
// signed ones the client must send (all but Host, which HTTP clients send
// by themselves), the expiry is X-Amz-Date plus X-Amz-Expires.
func signedURL(req *v4.PresignedHTTPRequest) (SignedURL, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return SignedURL{}, fmt.Errorf("storage: presigned URL: %w", err)
	}
	q := u.Query()
	date, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return SignedURL{}, fmt.Errorf("storage: presigned URL: X-Amz-Date: %w", err)
	}
	secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil {
		return SignedURL{}, fmt.Errorf("storage: presigned URL: X-Amz-Expires: %w", err)
	}
	headers := map[string]string{}
	for name, vals := range req.SignedHeader {
		if name = http.CanonicalHeaderKey(name); name != "Host" && len(vals) > 0 {
			headers[name] = vals[0]
		}
	}
	return SignedURL{URL: req.URL, Method: req.Method, Headers: headers,
		Expires: date.Add(time.Duration(secs) * time.Second)}, nil
}
