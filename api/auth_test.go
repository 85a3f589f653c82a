package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"phonoglyph/auth"
)

// hs256 signs arbitrary claims, for tokens Mint would never make.
func hs256(t *testing.T, secret []byte, header, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(raw)
	}
	signing := enc(header) + "." + enc(claims)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// unsigned is an "alg": "none" token.
func unsigned(t *testing.T, claims map[string]any) string {
	tok := hs256(t, nil, map[string]any{"alg": "none", "typ": "JWT"}, claims)
	return tok[:strings.LastIndex(tok, ".")+1]
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	claims := func(exp time.Time) map[string]any {
		return map[string]any{"sub": uuid.NewString(), "aud": "authenticated", "role": "authenticated", "exp": exp.Unix(), "iat": now.Unix()}
	}
	hsHeader := map[string]any{"alg": "HS256", "typ": "JWT"}
	expired, err := auth.Mint(testSecret, "", uuid.NewString(), -time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		header [2]string
		want   int
	}{
		{"no credentials", [2]string{}, http.StatusUnauthorized},
		{"valid HS256", [2]string{"Authorization", "Bearer " + e.user()}, http.StatusOK},
		{"expired", [2]string{"Authorization", "Bearer " + expired}, http.StatusUnauthorized},
		{"wrong secret", [2]string{"Authorization", "Bearer " + hs256(t, []byte("another-secret-another-secret-12"), hsHeader, claims(now.Add(time.Hour)))}, http.StatusUnauthorized},
		{"alg none", [2]string{"Authorization", "Bearer " + unsigned(t, claims(now.Add(time.Hour)))}, http.StatusUnauthorized},
		{"wrong audience", [2]string{"Authorization", "Bearer " + hs256(t, testSecret, hsHeader, map[string]any{"sub": uuid.NewString(), "aud": "other", "exp": now.Add(time.Hour).Unix()})}, http.StatusUnauthorized},
		{"no exp", [2]string{"Authorization", "Bearer " + hs256(t, testSecret, hsHeader, map[string]any{"sub": uuid.NewString(), "aud": "authenticated"})}, http.StatusUnauthorized},
		{"not bearer", [2]string{"Authorization", "Basic Zm9vOmJhcg=="}, http.StatusUnauthorized},
		{"garbage", [2]string{"Authorization", "Bearer not.a.jwt"}, http.StatusUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var res *response
			if c.header[0] == "" {
				res = e.do("GET", "/api/v1/files", "", nil)
			} else {
				res = e.do("GET", "/api/v1/files", "", nil, c.header[0], c.header[1])
			}
			if res.Status != c.want {
				t.Fatalf("status %d, want %d: %s", res.Status, c.want, res.Body)
			}
			if c.want == http.StatusUnauthorized && res.ErrorCode(t) != "unauthorized" {
				t.Errorf("code = %s", res.Body)
			}
		})
	}
}

func TestGuestSessions(t *testing.T) {
	e := newEnv(t)
	res := e.do("POST", "/api/v1/guest-sessions", "", nil)
	if res.Status != http.StatusCreated {
		t.Fatalf("create guest: %d %s", res.Status, res.Body)
	}
	var g struct {
		Token  string `json:"token"`
		UserID string `json:"user_id"`
	}
	res.JSON(t, &g)
	if !strings.HasPrefix(g.UserID, "guest_") || g.Token == "" {
		t.Fatalf("guest session = %s", res.Body)
	}

	res = e.do("GET", "/api/v1/me", "", nil, "X-Guest-Session", g.Token)
	var me struct {
		UserID string `json:"user_id"`
		Guest  bool   `json:"guest"`
	}
	res.JSON(t, &me)
	if res.Status != http.StatusOK || me.UserID != g.UserID || !me.Guest {
		t.Fatalf("me as guest: %d %s", res.Status, res.Body)
	}

	// Guests are read-only: user data answers 403 with a reason.
	res = e.do("POST", "/api/v1/files", "", map[string]any{"file_name": "a.wav", "file_size": 10, "mime_type": "audio/wav"}, "X-Guest-Session", g.Token)
	if res.Status != http.StatusForbidden || res.ErrorCode(t) != "forbidden" {
		t.Errorf("guest upload: %d %s", res.Status, res.Body)
	}

	otherGuest, _, _ := auth.NewGuests([]byte("some other secret that is long enough"), 0).Issue(time.Now())
	// The original accepted any "<ms>_<random>" id; forged or altered tokens fail here.
	forged := []string{
		"1732000000000_abcdefghi",
		g.Token[:len(g.Token)-2] + flip(g.Token[len(g.Token)-2:]),
		otherGuest,
	}
	for _, f := range forged {
		if res := e.do("GET", "/api/v1/me", "", nil, "X-Guest-Session", f); res.Status != http.StatusUnauthorized {
			t.Errorf("forged guest token %q: %d %s", f, res.Status, res.Body)
		}
	}
}

func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
