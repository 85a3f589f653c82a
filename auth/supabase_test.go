package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// supabase stands in for Supabase Auth: it serves a JWKS at the real path.
type supabase struct {
	srv  *httptest.Server
	hits atomic.Int32

	mu   sync.Mutex
	keys []map[string]any
	down bool // answer 503, as during an outage
}

func newSupabase(t *testing.T, keys ...map[string]any) *supabase {
	t.Helper()
	s := &supabase{keys: keys}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth/v1/.well-known/jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.down {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": s.keys})
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// publish replaces the served key set.
func (s *supabase) publish(keys ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

func (s *supabase) setDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

func (s *supabase) issuer() string { return s.srv.URL + "/auth/v1" }

// verifier is a Verifier for this project, with secret enabling HS256 too.
func (s *supabase) verifier(t *testing.T, secret []byte) *Verifier {
	t.Helper()
	v, err := NewVerifier(t.Context(), Config{JWTSecret: secret, SupabaseURL: s.srv.URL, HTTPClient: s.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func newECKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var b64 = base64.RawURLEncoding.EncodeToString

// ecJWK is the public JWK Supabase publishes for a P-256 signing key.
func ecJWK(t *testing.T, kid string, k *ecdsa.PrivateKey) map[string]any {
	t.Helper()
	point, err := k.PublicKey.Bytes() // 0x04 || X (32 bytes) || Y (32 bytes)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "key_ops": []string{"verify"}, "kid": kid,
		"x": b64(point[1:33]), "y": b64(point[33:65]),
	}
}

func rsaJWK(kid string, k *rsa.PrivateKey) map[string]any {
	return map[string]any{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes()),
	}
}

// userClaims are the claims of a Supabase access token for a signed-in user.
func userClaims(iss string) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{
		"sub": uuid.NewString(), "aud": "authenticated", "role": "authenticated", "email": "ada@example.com",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "session_id": uuid.NewString(), "is_anonymous": false,
	}
	if iss != "" {
		c["iss"] = iss
	}
	return c
}

// sign makes a token with any method, header kid (when not "") and key.
func sign(t *testing.T, m jwt.SigningMethod, kid string, key any, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newP384Key(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
