package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"net/url"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// maxCopySize is the largest object one CopyObject request copies; a
// larger one is streamed through this process.
const maxCopySize = 5 << 30

// Copy links the object's file under dst (a hard link: objects are only
// ever replaced by renames, never written in place, so the link keeps the
// version it was made from), copying the bytes where the file system has no
// hard links; see Blobs.
func (l *Local) Copy(ctx context.Context, src, dst string) error {
	if err := checkLocalKey(dst); err != nil {
		return err
	}
	f, info, m, err := l.open(ctx, src)
	if err != nil {
		return err
	}
	defer f.Close()
	link := path.Join(tmpDir, rand.Text())
	if err := l.root.Link(path.Join(objectsDir, src), link); err != nil {
		return l.Put(ctx, dst, f, info.Size, info.ContentType) // no hard links here
	}
	defer l.root.Remove(link) // fails harmlessly once renamed
	b, _ := json.Marshal(m)   // cannot fail: two strings
	side, _, err := l.writeTemp(bytes.NewReader(b))
	if err != nil {
		return fail("copy", dst, err)
	}
	defer l.root.Remove(side)
	return l.place(dst, side, link)
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

// Seal copies the object under src to dst, a key no URL was ever signed for,
// and describes what dst then holds: the one consistent version that every
// later read sees, whatever is written to src afterwards. Uploads and
// RunPod's stems are sealed so before anything reads them.
func Seal(ctx context.Context, b Blobs, src, dst string) (Info, error) {
	if err := b.Copy(ctx, src, dst); err != nil {
		return Info{}, err
	}
	return b.Head(ctx, dst)
}
