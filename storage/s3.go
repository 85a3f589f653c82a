package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"phonoglyph"
)

// Limits of the S3 backend: R2 and S3 take multipart parts of 5 MiB to
// 5 GiB; a request is tried at most s3MaxAttempts times.
const (
	defaultPartSize = 8 << 20
	minPartSize     = 5 << 20
	maxPartSize     = 5 << 30
	s3MaxAttempts   = 3
	s3MaxBackoff    = 2 * time.Second
)

// S3Config configures the S3-compatible backend (Cloudflare R2 in production).
type S3Config struct {
	Endpoint        string       // e.g. https://<account>.r2.cloudflarestorage.com, or http://127.0.0.1:7070
	Region          string       // "auto" for R2, the default when empty
	Bucket          string       // must exist: see Check
	AccessKeyID     string       // static credentials
	SecretAccessKey string       // static credentials
	PartSize        int64        // multipart part size, default 8 MiB (min 5 MiB)
	HTTPClient      *http.Client // optional; the SDK's default client when nil
}

// R2Endpoint returns https://<accountID>.r2.cloudflarestorage.com.
func R2Endpoint(accountID string) string {
	return "https://" + accountID + ".r2.cloudflarestorage.com"
}

// S3 stores objects in a bucket of an S3-compatible service and signs
// presigned URLs clients use directly against it.
type S3 struct {
	client   *s3.Client
	presign  *s3.PresignClient
	uploader *transfermanager.Client
	bucket   string
	endpoint string

	singleDeletes atomic.Bool // the server refused DeleteObjects: see DeletePrefix
}

var (
	_ Blobs  = (*S3)(nil)
	_ Lister = (*S3)(nil)
)

// NewS3 builds the client: path-style, static credentials,
// RequestChecksumCalculation and ResponseChecksumValidation WhenRequired (R2
// rejects the default CRC32 trailers; the multipart uploader gets the same
// setting), bounded retries. The client is built from cfg alone, never from
// the AWS_* environment or shared config files, so every environment runs
// the same settings; ctx is unused and nothing is contacted (see Check).
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("storage: S3 endpoint %q is not an http(s) URL without a query", cfg.Endpoint)
	}
	switch {
	case cfg.Bucket == "":
		return nil, errors.New("storage: S3 bucket is empty")
	case cfg.AccessKeyID == "" || cfg.SecretAccessKey == "":
		return nil, errors.New("storage: S3 access key ID or secret access key is empty")
	case cfg.PartSize == 0:
		cfg.PartSize = defaultPartSize
	case cfg.PartSize < minPartSize || cfg.PartSize > maxPartSize:
		return nil, fmt.Errorf("storage: S3 part size %d is outside [%d, %d]", cfg.PartSize, minPartSize, maxPartSize)
	}
	if cfg.Region == "" {
		cfg.Region = "auto"
	}
	opts := s3.Options{
		Region:                     cfg.Region,
		BaseEndpoint:               aws.String(cfg.Endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = s3MaxAttempts
			o.MaxBackoff = s3MaxBackoff
		}),
	}
	if cfg.HTTPClient != nil {
		opts.HTTPClient = cfg.HTTPClient
	}
	client := s3.New(opts)
	return &S3{
		client:   client,
		presign:  s3.NewPresignClient(client),
		uploader: newUploader(client, cfg.PartSize),
		bucket:   cfg.Bucket,
		endpoint: cfg.Endpoint,
	}, nil
}

// Check verifies at start-up that the bucket exists and the credentials
// work (HeadBucket), with an error that says which does not. A HEAD response
// has no body to tell a missing bucket from an unknown access key (which
// versitygw answers with 404 too), so a 404 is asked about again with a
// one-key ListObjectsV2, whose error code does.
func (s *S3) Check(ctx context.Context) error {
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket})
	if err == nil {
		return nil
	}
	if httpStatus(err) == http.StatusNotFound {
		if _, lerr := s.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &s.bucket, MaxKeys: aws.Int32(1)}); lerr != nil {
			err = lerr
		}
	}
	var send *smithyhttp.RequestSendError
	switch code := errorCode(err); {
	case ctx.Err() != nil:
		return fmt.Errorf("storage: checking bucket %q: %w", s.bucket, ctx.Err())
	case errors.As(err, &send):
		return fmt.Errorf("storage: cannot reach endpoint %s: %w", s.endpoint, err)
	case code == "NoSuchBucket" || code == "NotFound":
		return fmt.Errorf("storage: bucket %q does not exist at %s", s.bucket, s.endpoint)
	case httpStatus(err) == http.StatusUnauthorized || httpStatus(err) == http.StatusForbidden ||
		code == "InvalidAccessKeyId" || code == "XAdminUserNotFound":
		return fmt.Errorf("storage: credentials rejected for bucket %q at %s (check CLOUDFLARE_R2_ACCESS_KEY_ID / "+
			"CLOUDFLARE_R2_SECRET_ACCESS_KEY and the token's access to the bucket): %w", s.bucket, s.endpoint, err)
	default:
		return fmt.Errorf("storage: checking bucket %q at %s: %w", s.bucket, s.endpoint, err)
	}
}

// Open streams the object's GetObject body; see Blobs.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := checkKey(key); err != nil {
		return nil, Info{}, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return nil, Info{}, s3Fail("open", key, err)
	}
	return out.Body, objectInfo(key, out.ContentLength, out.ContentType, out.LastModified), nil
}

// Head describes the object (HeadObject); see Blobs.
func (s *S3) Head(ctx context.Context, key string) (Info, error) {
	if err := checkKey(key); err != nil {
		return Info{}, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return Info{}, s3Fail("head", key, err)
	}
	return objectInfo(key, out.ContentLength, out.ContentType, out.LastModified), nil
}

// objectInfo is the Info of a GetObject or HeadObject response; an object
// stored without a content type is application/octet-stream.
func objectInfo(key string, size *int64, contentType *string, modTime *time.Time) Info {
	info := Info{Key: key, Size: aws.ToInt64(size), ContentType: aws.ToString(contentType), ModTime: aws.ToTime(modTime)}
	if info.ContentType == "" {
		info.ContentType = defaultContentType
	}
	return info
}

// ReadHead returns the first n bytes of the object with a ranged GetObject;
// see Blobs.
func (s *S3) ReadHead(ctx context.Context, key string, n int) ([]byte, error) {
	if n < 0 {
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "Cannot read %d bytes.", n)
	}
	if n == 0 { // no range selects nothing
		if _, err := s.Head(ctx, key); err != nil {
			return nil, err
		}
		return []byte{}, nil
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key,
		Range: aws.String("bytes=0-" + strconv.Itoa(n-1))})
	if httpStatus(err) == http.StatusRequestedRangeNotSatisfiable {
		return []byte{}, nil // only an empty object has no byte 0
	} else if err != nil {
		return nil, s3Fail("read", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, int64(n))) // in case the range was ignored
	if err != nil {
		return nil, s3Fail("read", key, err)
	}
	return b, nil
}

// s3Fail wraps an error of op on key; a missing object is ErrNotFound, a
// missing bucket is not (except from HeadObject, whose 404 has no body to
// tell them apart).
func s3Fail(op, key string, err error) error {
	if code := errorCode(err); code == "NoSuchKey" || code == "NotFound" {
		return fmt.Errorf("storage: %s: %w", key, ErrNotFound)
	}
	return fmt.Errorf("storage: %s %s: %w", op, key, err)
}

// errorCode is the S3 error code of err ("NotFound" and the like for an error
// response without a body), or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// httpStatus is the status of the response err came with, or 0.
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
