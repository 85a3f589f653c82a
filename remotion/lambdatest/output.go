package lambdatest

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"mime"
	"net/http"
	"time"
)

// contentTypes are the outputs' media types by codec.
var contentTypes = map[string]string{
	"h264": "video/mp4", "h265": "video/mp4", "vp8": "video/webm", "vp9": "video/webm", "mp3": "audio/mpeg",
	"aac": "audio/aac", "wav": "audio/wav", "gif": "image/gif", "prores": "video/quicktime",
}

// output serves a finished render's output at its outputFile URL, as a
// public S3 object would be.
func (s *Server) output(w http.ResponseWriter, req *http.Request) {
	key := "renders/" + req.PathValue("id") + "/" + req.PathValue("file")
	s.mu.Lock()
	r := s.renders[req.PathValue("id")]
	var done bool
	if r != nil && r.bucket == req.PathValue("bucket") && r.outKey() == key {
		_, done = r.progress(time.Now(), s.opt)
	}
	s.mu.Unlock()
	switch {
	case !done:
		s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	case r.private:
		s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	w.Header().Set("Content-Type", contentTypes[r.codec])
	if r.download != "" {
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": r.download}))
	}
	http.ServeContent(w, req, "", r.started, bytes.NewReader(r.output))
}

// s3Error writes an S3 error document.
func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName xml.Name `xml:"Error"`
		Code    string
		Message string
	}{Code: code, Message: msg})
}

// defaultOutput is a tiny MP4 (an ftyp box and an mdat box) naming the
// render, so that its magic bytes are those of a real MP4.
func defaultOutput(renderID string) []byte {
	data := []byte("phonoglyph lambdatest render " + renderID)
	var b bytes.Buffer
	b.Write([]byte{0, 0, 0, 24})
	b.WriteString("ftypisom\x00\x00\x02\x00isomiso2")
	_ = binary.Write(&b, binary.BigEndian, uint32(8+len(data)))
	b.WriteString("mdat")
	b.Write(data)
	return b.Bytes()
}
