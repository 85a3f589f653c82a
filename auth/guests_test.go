package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestGuestsIssueVerify(t *testing.T) {
	g := NewGuests(testSecret, 0)
	now := time.Date(2026, 4, 25, 12, 0, 0, 0, time.UTC)
	token, id, expires := g.Issue(now)
	if want := now.Add(7 * 24 * time.Hour); !expires.Equal(want) {
		t.Errorf("expires = %v, want %v (default ttl 7 days)", expires, want)
	}
	if id == "" || strings.ContainsAny(id, "._") {
		t.Errorf("id = %q", id)
	}
	if !strings.HasPrefix(token, id+".") {
		t.Errorf("token %q does not start with the id", token)
	}
	if strings.Trim(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") != "" {
		t.Errorf("token %q is not URL-safe", token)
	}
	for _, at := range []time.Time{now, expires.Add(-time.Second)} {
		got, err := g.Verify(token, at)
		if err != nil {
			t.Fatalf("verify at %v: %v", at, err)
		}
		if want := (Identity{UserID: "guest_" + id, Guest: true, Role: "guest"}); got != want {
			t.Errorf("identity = %+v, want %+v", got, want)
		}
	}
	if other, otherID, _ := g.Issue(now); other == token || otherID == id {
		t.Error("two sessions share a token or id")
	}
}

func TestGuestsTTL(t *testing.T) {
	now := time.Now()
	_, _, expires := NewGuests(testSecret, time.Hour).Issue(now)
	if d := expires.Sub(now); d <= time.Hour-time.Second || d > time.Hour {
		t.Errorf("expires in %v, want 1h", d)
	}
}

func TestGuestsReject(t *testing.T) {
	g := NewGuests(testSecret, time.Hour)
	now := time.Now()
	token, id, expires := g.Issue(now)
	parts := strings.Split(token, ".")
	other, _, _ := NewGuests([]byte("some other secret that is long enough"), time.Hour).Issue(now)

	// Re-signing the payload with the raw secret, as an HS256 JWT would be,
	// must not work: the guest key is derived with a label.
	payload := id + "." + parts[1]
	mac := hmac.New(sha256.New, testSecret)
	mac.Write([]byte(payload))
	rawSecretSig := payload + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))

	extended := id + "." + strconv.FormatInt(now.Add(365*24*time.Hour).Unix(), 10) + "." + parts[2]
	cases := []struct {
		name, token string
		at          time.Time
		msg         string
	}{
		{"expired", token, expires, "guest session expired"},
		{"long expired", token, expires.Add(30 * 24 * time.Hour), "guest session expired"},
		{"signed by another secret", other, now, "invalid guest session"},
		{"signed with the raw secret", rawSecretSig, now, "invalid guest session"},
		{"expiry extended", extended, now, "invalid guest session"},
		{"id changed", flipChar(token[0]) + token[1:], now, "invalid guest session"},
		{"signature changed", token[:len(token)-2] + flipChar(token[len(token)-2]) + token[len(token)-1:], now, "invalid guest session"},
		{"signature truncated", token[:len(token)-1], now, "invalid guest session"},
		{"signature padded", token + "=", now, "invalid guest session"},
		{"no signature", payload, now, "invalid guest session"},
		{"extra part", token + ".x", now, "invalid guest session"},
		{"original format", "1732000000000_abcdefghi", now, "invalid guest session"},
		{"empty", "", now, "invalid guest session"},
		{"oversized", strings.Repeat("a", 10_000), now, "invalid guest session"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, err := g.Verify(c.token, c.at)
			wantRejected(t, id, err, c.msg)
		})
	}
}

// flipChar replaces a base64url character with a different one.
func flipChar(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestNewGuestsEmptySecretPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewGuests with an empty secret did not panic")
		}
	}()
	NewGuests(nil, 0)
}
