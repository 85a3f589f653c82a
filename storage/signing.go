package storage

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// signingLabel separates these signatures from anything else signed with the
// same secret.
const signingLabel = "phonoglyph/storage.Local signed URL v1"

// Query parameters of a signed URL.
const (
	paramExpires     = "X-Expires"
	paramMethod      = "X-Method"
	paramMaxSize     = "X-Max-Size"
	paramContentType = "X-Content-Type"
	paramFilename    = "X-Filename"
	paramSignature   = "X-Signature"
)

// signedFields are the signed values of a URL, as they appear in it; the
// ones a method does not use are empty.
type signedFields struct {
	method      string // GET (also allowing HEAD) or PUT
	key         string
	expires     string // Unix seconds
	maxSize     string // PUT: the largest body accepted, in bytes
	contentType string // PUT: the Content-Type the client must send
	filename    string // GET: the attachment's file name
}

// signature is the HMAC-SHA256 of the label and the fields, each prefixed by
// its length so no two field lists encode alike.
func (l *Local) signature(f signedFields) []byte {
	mac := hmac.New(sha256.New, l.secret)
	for _, s := range []string{signingLabel, f.method, f.key, f.expires, f.maxSize, f.contentType, f.filename} {
		mac.Write(binary.AppendUvarint(nil, uint64(len(s))))
		mac.Write([]byte(s))
	}
	return mac.Sum(nil)
}

// SignPut returns a URL, served by Handler, that uploads at most size bytes
// with exactly contentType to key until ttl has passed.
func (l *Local) SignPut(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (SignedURL, error) {
	if err := checkLocalKey(key); err != nil {
		return SignedURL{}, err
	}
	contentType, err := checkContentType(contentType)
	if err != nil {
		return SignedURL{}, err
	}
	size = max(size, -1) // any negative size: length left open
	if err := checkTTL(ttl); err != nil {
		return SignedURL{}, err
	}
	exp := l.expiry(ttl)
	f := signedFields{method: http.MethodPut, key: key, expires: strconv.FormatInt(exp.Unix(), 10),
		maxSize: strconv.FormatInt(size, 10), contentType: contentType}
	return SignedURL{URL: l.url(f), Method: http.MethodPut, Headers: map[string]string{"Content-Type": contentType}, Expires: exp}, nil
}

// SignGet returns a URL, served by Handler, that downloads key until ttl has
// passed, as an attachment named downloadName when that is not empty.
func (l *Local) SignGet(ctx context.Context, key, downloadName string, ttl time.Duration) (SignedURL, error) {
	if err := checkLocalKey(key); err != nil {
		return SignedURL{}, err
	}
	if err := checkTTL(ttl); err != nil {
		return SignedURL{}, err
	}
	exp := l.expiry(ttl)
	f := signedFields{method: http.MethodGet, key: key, expires: strconv.FormatInt(exp.Unix(), 10), filename: downloadName}
	return SignedURL{URL: l.url(f), Method: http.MethodGet, Headers: map[string]string{}, Expires: exp}, nil
}

// expiry is the end of a URL's lifetime, in whole seconds.
func (l *Local) expiry(ttl time.Duration) time.Time {
	return time.Unix(l.now().Add(ttl).Unix(), 0).UTC()
}

// url builds the signed URL of f: the escaped key under the base URL and the
// fields (the non-empty ones) and signature as query parameters.
func (l *Local) url(f signedFields) string {
	segs := strings.Split(f.key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	q := []string{paramExpires + "=" + f.expires, paramMethod + "=" + f.method}
	for _, p := range [][2]string{{paramMaxSize, f.maxSize}, {paramContentType, f.contentType}, {paramFilename, f.filename}} {
		if p[1] != "" {
			q = append(q, p[0]+"="+url.QueryEscape(p[1]))
		}
	}
	q = append(q, paramSignature+"="+hex.EncodeToString(l.signature(f)))
	return l.baseURL + "/" + strings.Join(segs, "/") + "?" + strings.Join(q, "&")
}

// verify checks the signature of a request against its path (the key, once
// the mount prefix is stripped), its query and its method, then the expiry,
// and returns the signed fields.
func (l *Local) verify(r *http.Request) (signedFields, *s3Error) {
	q := r.URL.Query()
	for _, p := range []string{paramExpires, paramMethod, paramMaxSize, paramContentType, paramFilename, paramSignature} {
		if len(q[p]) > 1 {
			return signedFields{}, errAccessDenied("Query parameter " + p + " is repeated.")
		}
	}
	if q.Get(paramSignature) == "" || q.Get(paramExpires) == "" || q.Get(paramMethod) == "" {
		return signedFields{}, errAccessDenied("Query-string authentication requires the " +
			paramSignature + ", " + paramExpires + " and " + paramMethod + " parameters.")
	}
	f := signedFields{method: q.Get(paramMethod), key: strings.TrimPrefix(r.URL.Path, "/"), expires: q.Get(paramExpires),
		maxSize: q.Get(paramMaxSize), contentType: q.Get(paramContentType), filename: q.Get(paramFilename)}
	sig, err := hex.DecodeString(q.Get(paramSignature))
	if err != nil || !hmac.Equal(sig, l.signature(f)) {
		return signedFields{}, errSignature("The request signature we calculated does not match the signature you provided.")
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	if f.method != method {
		return signedFields{}, errAccessDenied("This URL is signed for " + f.method + " requests only.")
	}
	exp, err := strconv.ParseInt(f.expires, 10, 64)
	if err != nil || l.now().After(time.Unix(exp, 0)) {
		return signedFields{}, errAccessDenied("Request has expired")
	}
	return f, nil
}
