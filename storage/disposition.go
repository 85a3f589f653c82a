package storage

import (
	"fmt"
	"strings"
)

// contentDisposition is an RFC 6266 attachment header for name: a quoted
// ASCII filename every client understands and, when that had to alter the
// name, the exact name as an RFC 8187 filename* parameter.
func contentDisposition(name string) string {
	if name == "" {
		return "attachment"
	}
	name = strings.ToValidUTF8(name, "\uFFFD")
	fallback := strings.Map(func(r rune) rune {
		// Quotes and backslashes would need quoted-pairs, which clients
		// handle unevenly; '%' may be percent-decoded by some.
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	v := `attachment; filename="` + fallback + `"`
	if fallback != name {
		v += "; filename*=UTF-8''" + encodeExtValue(name)
	}
	return v
}

// encodeExtValue percent-encodes every byte of s outside RFC 8187 attr-char.
func encodeExtValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
