package auth

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"phonoglyph"
)

var testSecret = []byte("super-secret-jwt-token-with-at-least-32-characters-long")

// wantRejected asserts a short EUNAUTHORIZED error with message msg.
func wantRejected(t *testing.T, id Identity, err error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted as %+v", id)
	}
	if code := phonoglyph.ErrorCode(err); code != phonoglyph.EUNAUTHORIZED {
		t.Errorf("code = %q (%v)", code, err)
	}
	if got := phonoglyph.ErrorMessage(err); got != msg {
		t.Errorf("message = %q, want %q", got, msg)
	}
	if id != (Identity{}) {
		t.Errorf("identity on failure = %+v", id)
	}
}

func with(c jwt.MapClaims, key string, value any) jwt.MapClaims {
	if value == nil {
		delete(c, key)
	} else {
		c[key] = value
	}
	return c
}

func TestVerifyHS256(t *testing.T) {
	v, err := NewVerifier(t.Context(), Config{JWTSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	hs := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodHS256, "", testSecret, c) }
	sub := uuid.NewString()
	minted, err := Mint(testSecret, "", sub, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	id, err := v.Verify(t.Context(), minted)
	if err != nil {
		t.Fatalf("minted token: %v", err)
	}
	if want := (Identity{UserID: sub, Role: "authenticated"}); id != want {
		t.Errorf("identity = %+v, want %+v", id, want)
	}

	c := userClaims("")
	id, err = v.Verify(t.Context(), hs(c))
	if err != nil {
		t.Fatalf("Supabase-shaped token: %v", err)
	}
	if want := (Identity{UserID: c["sub"].(string), Email: "ada@example.com", Role: "authenticated"}); id != want {
		t.Errorf("identity = %+v, want %+v", id, want)
	}

	accepted := map[string]string{
		"aud array":                    hs(with(userClaims(""), "aud", []string{"other", "authenticated"})),
		"expired within leeway":        hs(with(userClaims(""), "exp", time.Now().Add(-10*time.Second).Unix())),
		"iss ignored without Supabase": hs(userClaims("https://elsewhere.example/auth/v1")),
		"uppercase UUID sub":           hs(with(userClaims(""), "sub", strings.ToUpper(uuid.NewString()))),
	}
	for name, tok := range accepted {
		t.Run(name, func(t *testing.T) {
			if _, err := v.Verify(t.Context(), tok); err != nil {
				t.Fatal(err)
			}
		})
	}

	expired, err := Mint(testSecret, "", uuid.NewString(), -time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	rejected := []struct{ name, token, msg string }{
		{"expired", expired, "token expired"},
		{"wrong secret", sign(t, jwt.SigningMethodHS256, "", []byte("another-secret-another-secret-12"), userClaims("")), "invalid token"},
		{"alg none", sign(t, jwt.SigningMethodNone, "", jwt.UnsafeAllowNoneSignatureType, userClaims("")), "invalid token"},
		{"HS384 with the secret", sign(t, jwt.SigningMethodHS384, "", testSecret, userClaims("")), "invalid token"},
		{"no exp", hs(with(userClaims(""), "exp", nil)), "invalid token"},
		{"wrong aud", hs(with(userClaims(""), "aud", "anon")), "invalid token"},
		{"aud array without authenticated", hs(with(userClaims(""), "aud", []string{"anon", "service"})), "invalid token"},
		{"no aud", hs(with(userClaims(""), "aud", nil)), "invalid token"},
		{"no sub", hs(with(userClaims(""), "sub", nil)), "invalid token"},
		{"non-UUID sub", hs(with(userClaims(""), "sub", "admin")), "invalid token"},
		{"unhyphenated UUID sub", hs(with(userClaims(""), "sub", strings.ReplaceAll(uuid.NewString(), "-", ""))), "invalid token"},
		{"URN UUID sub", hs(with(userClaims(""), "sub", "urn:uuid:"+uuid.NewString())), "invalid token"},
		{"tampered payload", tamper(hs(userClaims(""))), "invalid token"},
		{"garbage", "not.a.jwt", "invalid token"},
		{"empty", "", "invalid token"},
	}
	for _, c := range rejected {
		t.Run(c.name, func(t *testing.T) {
			id, err := v.Verify(t.Context(), c.token)
			wantRejected(t, id, err, c.msg)
		})
	}
}

// tamper swaps a token's claims for other claims, keeping the signature.
func tamper(token string) string {
	parts := strings.Split(token, ".")
	c := userClaims("")
	raw, _ := json.Marshal(c)
	return parts[0] + "." + b64(raw) + "." + parts[2]
}

func TestVerifyLeeway(t *testing.T) {
	v, err := NewVerifier(t.Context(), Config{JWTSecret: testSecret, Leeway: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tok := sign(t, jwt.SigningMethodHS256, "", testSecret, with(userClaims(""), "exp", time.Now().Add(-10*time.Second).Unix()))
	id, err := v.Verify(t.Context(), tok)
	wantRejected(t, id, err, "token expired")
}

func TestVerifyJWKS(t *testing.T) {
	ec, rs, stranger := newECKey(t), newRSAKey(t), newECKey(t)
	sb := newSupabase(t, ecJWK(t, "ec-1", ec), rsaJWK("rsa-1", rs))
	v := sb.verifier(t, nil)
	iss := sb.issuer()

	c := userClaims(iss)
	id, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodES256, "ec-1", ec, c))
	if err != nil {
		t.Fatalf("ES256: %v", err)
	}
	if want := (Identity{UserID: c["sub"].(string), Email: "ada@example.com", Role: "authenticated"}); id != want {
		t.Errorf("identity = %+v, want %+v", id, want)
	}
	if _, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, "rsa-1", rs, userClaims(iss))); err != nil {
		t.Fatalf("RS256: %v", err)
	}

	pubDER, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	jwksJSON, err := json.Marshal(map[string]any{"keys": []any{ecJWK(t, "ec-1", ec)}})
	if err != nil {
		t.Fatal(err)
	}
	expired := with(userClaims(iss), "exp", time.Now().Add(-time.Hour).Unix())
	rejected := []struct{ name, token, msg string }{
		{"expired", sign(t, jwt.SigningMethodES256, "ec-1", ec, expired), "token expired"},
		{"unknown kid", sign(t, jwt.SigningMethodES256, "ec-9", stranger, userClaims(iss)), "invalid token"},
		{"no kid", sign(t, jwt.SigningMethodES256, "", ec, userClaims(iss)), "invalid token"},
		{"other key under a known kid", sign(t, jwt.SigningMethodES256, "ec-1", stranger, userClaims(iss)), "invalid token"},
		{"ES256 naming the RSA kid", sign(t, jwt.SigningMethodES256, "rsa-1", ec, userClaims(iss)), "invalid token"},
		{"RS256 naming the EC kid", sign(t, jwt.SigningMethodRS256, "ec-1", rs, userClaims(iss)), "invalid token"},
		{"ES384 is not pinned", sign(t, jwt.SigningMethodES384, "ec-1", newP384Key(t), userClaims(iss)), "invalid token"},
		{"wrong iss", sign(t, jwt.SigningMethodES256, "ec-1", ec, userClaims("https://evil.supabase.co/auth/v1")), "invalid token"},
		{"no iss", sign(t, jwt.SigningMethodES256, "ec-1", ec, userClaims("")), "invalid token"},
		{"wrong aud", sign(t, jwt.SigningMethodES256, "ec-1", ec, with(userClaims(iss), "aud", "anon")), "invalid token"},
		{"non-UUID sub", sign(t, jwt.SigningMethodES256, "ec-1", ec, with(userClaims(iss), "sub", "service_role")), "invalid token"},
		{"alg none", sign(t, jwt.SigningMethodNone, "ec-1", jwt.UnsafeAllowNoneSignatureType, userClaims(iss)), "invalid token"},
		// Alg confusion: the public key is public, so an HS256 token keyed
		// with any spelling of it must never verify.
		{"HS256 keyed with the public key PEM", sign(t, jwt.SigningMethodHS256, "ec-1", pubPEM, userClaims(iss)), "invalid token"},
		{"HS256 keyed with the public key DER", sign(t, jwt.SigningMethodHS256, "ec-1", pubDER, userClaims(iss)), "invalid token"},
		{"HS256 keyed with the JWKS document", sign(t, jwt.SigningMethodHS256, "ec-1", jwksJSON, userClaims(iss)), "invalid token"},
		{"HS256 without kid keyed with the PEM", sign(t, jwt.SigningMethodHS256, "", pubPEM, userClaims(iss)), "invalid token"},
		{"HS256 when only JWKS is configured", sign(t, jwt.SigningMethodHS256, "", testSecret, userClaims(iss)), "invalid token"},
	}
	for _, c := range rejected {
		t.Run(c.name, func(t *testing.T) {
			id, err := v.Verify(t.Context(), c.token)
			wantRejected(t, id, err, c.msg)
		})
	}
}

func TestVerifySecretAndJWKS(t *testing.T) {
	ec := newECKey(t)
	sb := newSupabase(t, ecJWK(t, "ec-1", ec))
	v := sb.verifier(t, testSecret)
	iss := sb.issuer()

	minted, err := Mint(testSecret, iss, uuid.NewString(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{
		"HS256 from Mint": minted,
		"ES256":           sign(t, jwt.SigningMethodES256, "ec-1", ec, userClaims(iss)),
	} {
		if _, err := v.Verify(t.Context(), tok); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	pubDER, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	noIss, err := Mint(testSecret, "", uuid.NewString(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{
		"HS256 without the Supabase iss":      noIss,
		"HS256 keyed with the public key DER": sign(t, jwt.SigningMethodHS256, "ec-1", pubDER, userClaims(iss)),
	} {
		t.Run(name, func(t *testing.T) {
			id, err := v.Verify(t.Context(), tok)
			wantRejected(t, id, err, "invalid token")
		})
	}
}

func TestVerifyRefetchesOnUnknownKID(t *testing.T) {
	old, next := newECKey(t), newECKey(t)
	sb := newSupabase(t, ecJWK(t, "old", old))
	v := sb.verifier(t, nil)
	fetches := sb.hits.Load()

	// Supabase rotates: the new key appears in the JWKS after start-up.
	sb.publish(ecJWK(t, "old", old), ecJWK(t, "next", next))
	if _, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodES256, "next", next, userClaims(sb.issuer()))); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if got := sb.hits.Load(); got != fetches+1 {
		t.Errorf("JWKS fetched %d times after start-up, want 1", got-fetches)
	}
	// Refetches are rate limited: a flood of unknown kids costs no requests.
	for range 5 {
		id, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodES256, uuid.NewString(), next, userClaims(sb.issuer())))
		wantRejected(t, id, err, "invalid token")
	}
	if got := sb.hits.Load(); got != fetches+1 {
		t.Errorf("JWKS fetched %d times after start-up, want 1", got-fetches)
	}
}

func TestNewVerifierJWKSUnreachable(t *testing.T) {
	ec := newECKey(t)
	sb := newSupabase(t, ecJWK(t, "ec-1", ec))
	sb.setDown(true)
	start := time.Now()
	v := sb.verifier(t, nil) // fails the test on error
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("start-up took %v", d)
	}
	sb.setDown(false)
	if _, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodES256, "ec-1", ec, userClaims(sb.issuer()))); err != nil {
		t.Fatalf("after the JWKS came back: %v", err)
	}
}

func TestNewVerifierConfig(t *testing.T) {
	if _, err := NewVerifier(t.Context(), Config{}); err == nil {
		t.Error("no secret and no Supabase URL: accepted")
	}
	if _, err := NewVerifier(t.Context(), Config{SupabaseURL: "not a url"}); err == nil {
		t.Error("malformed Supabase URL: accepted")
	}
}

func TestMintNeedsSecret(t *testing.T) {
	if _, err := Mint(nil, "", uuid.NewString(), time.Hour); err == nil {
		t.Error("Mint with no secret succeeded")
	}
}
