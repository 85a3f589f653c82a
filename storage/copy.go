package storage

import (
	"context"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// maxCopySize is the largest object one CopyObject request copies; a
// larger one is streamed through this process.
const maxCopySize = 5 << 30

// Copy copies the object's file: the open file keeps the version it was
// opened on, whatever renames replace src meanwhile; see Blobs.
func (l *Local) Copy(ctx context.Context, src, dst string) error {
	if err := checkLocalKey(dst); err != nil {
		return err
	}
	f, info, _, err := l.open(ctx, src)
	if err != nil {
		return err
	}
	defer f.Close()
	return l.Put(ctx, dst, f, info.Size, info.ContentType)
}

// Copy copies the object inside the bucket (CopyObject, which reads one
// version of src), streaming objects beyond CopyObject's 5 GiB; see Blobs.
func (s *S3) Copy(ctx context.Context, src, dst string) error {
	if err := checkKey(src); err != nil {
		return err
	}
	if err := checkKey(dst); err != nil {
		return err
	}
	info, err := s.Head(ctx, src)
	if err != nil {
		return err
	}
	if info.Size > maxCopySize {
		rc, info, err := s.Open(ctx, src)
		if err != nil {
			return err
		}
		defer rc.Close()
		return s.Put(ctx, dst, rc, info.Size, info.ContentType)
	}
	segs := strings.Split(src, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	source := s.bucket + "/" + strings.Join(segs, "/")
	_, err = s.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &s.bucket, Key: aws.String(dst),
		CopySource: aws.String(source), MetadataDirective: types.MetadataDirectiveCopy})
	if err != nil {
		return s3Fail("copy", src, err)
	}
	return nil
}
