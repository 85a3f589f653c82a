package jobs

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxMessage bounds a job's error message, in bytes.
const maxMessage = 240

var (
	// pathLike is an absolute file path (a temp file, a spool).
	pathLike = regexp.MustCompile(`(?:/[\w.+\-]+){2,}/?`)
	// addressLike is a heap address or a hex dump an external tool prints.
	addressLike = regexp.MustCompile(`\b0x[0-9a-fA-F]+\b|\[[a-z0-9_]+ @ 0x[0-9a-fA-F]+\]`)
)

// humanMessage is the failure message a job's owner reads: its first line,
// without file paths or addresses (an external tool's stderr quoted in an
// error), and short. The whole message goes to the log.
func humanMessage(msg string) string {
	if i := strings.IndexAny(msg, "\r\n"); i >= 0 {
		msg = msg[:i]
	}
	msg = addressLike.ReplaceAllString(msg, "")
	msg = pathLike.ReplaceAllString(msg, "the file")
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = strings.TrimRight(msg[:cut], " ,;:") + "…"
	}
	if msg == "" {
		return "The job failed."
	}
	return msg
}
