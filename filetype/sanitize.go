package filetype

import "strings"

// SanitizeName makes a file name safe for a storage key: every character
// outside [A-Za-z0-9.-] becomes '_', runs of '_' collapse to one and leading
// or trailing '_' are trimmed. It never returns "", ".", or "..": a name with
// nothing left becomes "file".
func SanitizeName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	pending := false // an '_' is owed before the next kept character
	for _, r := range name {
		if r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			if pending && b.Len() > 0 {
				b.WriteByte('_')
			}
			pending = false
			b.WriteRune(r)
		} else {
			pending = true
		}
	}
	s := b.String()
	if strings.Trim(s, ".") == "" {
		return "file"
	}
	return s
}
