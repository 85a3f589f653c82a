package storage

import (
	"mime"
	"strings"
	"time"

	"phonoglyph"
)

// Limits shared by every backend (S3 allows keys up to 1024 bytes and
// presigned URLs for up to 7 days).
const (
	maxKeyLen          = 1024
	maxTTL             = 7 * 24 * time.Hour
	defaultContentType = "application/octet-stream"
)

// checkKey reports whether key is a clean relative path: non-empty, at most
// 1024 bytes, no leading slash, backslash or NUL, and no empty, "." or ".."
// segment (so no two keys name the same file and none leaves the root).
func checkKey(key string) error {
	switch {
	case key == "":
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Storage key is empty.")
	case len(key) > maxKeyLen:
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Storage key is longer than %d bytes.", maxKeyLen)
	case strings.ContainsAny(key, "\\\x00"):
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Storage key %q contains a backslash or NUL.", key)
	case strings.HasPrefix(key, "/"):
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Storage key %q is absolute.", key)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "Storage key %q has an empty, \".\" or \"..\" segment.", key)
		}
	}
	return nil
}

// checkContentType validates a media type, defaulting an empty one.
func checkContentType(ct string) (string, error) {
	if ct == "" {
		return defaultContentType, nil
	}
	if _, _, err := mime.ParseMediaType(ct); err != nil {
		return "", phonoglyph.Errorf(phonoglyph.EINVALID, "Content type %q is not a valid media type.", ct)
	}
	return ct, nil
}

// checkTTL validates the lifetime of a signed URL.
func checkTTL(ttl time.Duration) error {
	if ttl <= 0 || ttl > maxTTL {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Signed URL lifetime %s is outside (0, %s].", ttl, maxTTL)
	}
	return nil
}
