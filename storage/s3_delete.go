package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// Delete removes the object (DeleteObject, which succeeds for a missing
// key); see Blobs.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key}); err != nil {
		return s3Fail("delete", key, err)
	}
	return nil
}

// DeletePrefix deletes the objects under prefix/ a listing page (up to 1000
// keys) at a time, with one DeleteObjects request per page; see Blobs.
//
// The SDK sends DeleteObjects with a CRC32 checksum header, not the
// Content-MD5 some S3-compatible servers require. Once a server refuses it
// for that reason, this S3 deletes one key per DeleteObject request instead.
func (s *S3) DeletePrefix(ctx context.Context, prefix string) error {
	prefix = strings.TrimSuffix(prefix, "/")
	if err := checkKey(prefix); err != nil {
		return err
	}
	err := s.listPages(ctx, prefix+"/", func(objs []types.Object) error {
		if len(objs) == 0 {
			return nil
		}
		if !s.singleDeletes.Load() {
			err := s.deleteBatch(ctx, objs)
			if !refusedForContentMD5(err) {
				return err
			}
			s.singleDeletes.Store(true)
		}
		for _, o := range objs {
			if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: o.Key}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: delete prefix %s: %w", prefix, err)
	}
	return nil
}

// deleteBatch deletes objs with one DeleteObjects request.
func (s *S3) deleteBatch(ctx context.Context, objs []types.Object) error {
	ids := make([]types.ObjectIdentifier, len(objs))
	for i, o := range objs {
		ids[i] = types.ObjectIdentifier{Key: o.Key}
	}
	out, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &s.bucket,
		Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
	if err != nil {
		return err
	}
	if len(out.Errors) > 0 {
		e := out.Errors[0]
		return fmt.Errorf("%d keys not deleted, first %s: %s: %s", len(out.Errors),
			aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
	}
	return nil
}

// refusedForContentMD5 reports a request refused for want of a Content-MD5
// header (400 InvalidRequest "Missing required header for this request:
// Content-MD5", or MissingContentMD5).
func refusedForContentMD5(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "MissingContentMD5" ||
		ae.ErrorCode() == "InvalidRequest" && strings.Contains(strings.ToLower(ae.ErrorMessage()), "content-md5"))
}
