package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// listPages calls fn with each page (up to 1000 objects) of the objects
// whose keys start with prefix.
func (s *S3) listPages(ctx context.Context, prefix string, fn func([]types.Object) error) error {
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &prefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		if err := fn(page.Contents); err != nil {
			return err
		}
	}
	return nil
}

// ListOlder lists the objects under prefix (ListObjectsV2, paginated) in key
// order; see Lister.
func (s *S3) ListOlder(ctx context.Context, prefix string, before time.Time, fn func(Info) error) error {
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix != "" {
		if err := checkKey(prefix); err != nil {
			return err
		}
		prefix += "/"
	}
	var fnErr error
	err := s.listPages(ctx, prefix, func(objs []types.Object) error {
		for _, o := range objs {
			info := Info{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), ModTime: aws.ToTime(o.LastModified)}
			if !info.ModTime.Before(before) {
				continue
			}
			if fnErr = fn(info); fnErr != nil {
				return fnErr
			}
		}
		return nil
	})
	if fnErr != nil {
		return fnErr
	} else if err != nil {
		return fmt.Errorf("storage: list %s: %w", prefix, err)
	}
	return nil
}
