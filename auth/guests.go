package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"phonoglyph"
)

// guestKeyLabel separates the guest-session key from the secret it is derived
// from, so a guest signature is never a valid HS256 JWT signature even when
// both share one configured secret.
const guestKeyLabel = "phonoglyph/auth guest session v1"

// defaultGuestTTL is how long a guest session lasts unless told otherwise.
const defaultGuestTTL = 7 * 24 * time.Hour

// maxGuestToken bounds the work spent on a header value; issued tokens are
// 81 characters.
const maxGuestToken = 256

// Guests issues and checks signed guest sessions. The original accepted any
// "<ms>_<rand>" string; these tokens are "<id>.<expUnix>.<sig>" with an
// HMAC-SHA256 signature, so they cannot be forged or extended. It is safe for
// concurrent use.
type Guests struct {
	key []byte
	ttl time.Duration
}

// NewGuests derives the signing key from secret. A ttl of zero or less means
// 7 days. It panics on an empty secret, which would make sessions forgeable.
func NewGuests(secret []byte, ttl time.Duration) *Guests {
	if len(secret) == 0 {
		panic("auth: NewGuests: empty secret")
	}
	if ttl <= 0 {
		ttl = defaultGuestTTL
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(guestKeyLabel))
	return &Guests{key: mac.Sum(nil), ttl: ttl}
}

// Issue returns a new URL-safe token for the X-Guest-Session header, the guest
// id (the user id is "guest_"+id) and when the session expires.
func (g *Guests) Issue(now time.Time) (token, id string, expires time.Time) {
	id = rand.Text()
	expires = time.Unix(now.Add(g.ttl).Unix(), 0).UTC()
	payload := id + "." + strconv.FormatInt(expires.Unix(), 10)
	return payload + "." + g.sign(payload), id, expires
}

// Verify checks a token from Issue and returns the guest's identity. Forged,
// malformed and expired tokens are EUNAUTHORIZED.
func (g *Guests) Verify(token string, now time.Time) (Identity, error) {
	invalid := phonoglyph.Errorf(phonoglyph.EUNAUTHORIZED, "invalid guest session")
	if len(token) > maxGuestToken {
		return Identity{}, invalid
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" {
		return Identity{}, invalid
	}
	payload := parts[0] + "." + parts[1]
	if !hmac.Equal([]byte(g.sign(payload)), []byte(parts[2])) {
		return Identity{}, invalid
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return Identity{}, invalid
	}
	if !now.Before(time.Unix(exp, 0)) {
		return Identity{}, phonoglyph.Errorf(phonoglyph.EUNAUTHORIZED, "guest session expired")
	}
	return Identity{UserID: "guest_" + parts[0], Guest: true, Role: "guest"}, nil
}

// sign is the base64url HMAC of payload under the guest key. Comparing its
// canonical encoding (not decoded bytes) leaves no second spelling of a
// valid signature.
func (g *Guests) sign(payload string) string {
	mac := hmac.New(sha256.New, g.key)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
