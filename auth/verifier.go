package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"phonoglyph"
)

// JWKS tuning: Supabase caches its key set for up to 20 minutes, so a
// rotated key is picked up by the periodic refresh or, sooner, by a rate
// limited refetch when a token names an unknown kid.
const (
	jwksRefresh     = 10 * time.Minute
	jwksUnknownKID  = time.Minute      // at most one refetch per interval
	jwksHTTPTimeout = 10 * time.Second // bounds the start-up fetch too
	jwksRefetchWait = 5 * time.Second  // longest a request waits on a refetch
)

// Supabase Auth endpoints relative to the project URL.
const (
	jwksPath   = "/auth/v1/.well-known/jwks.json"
	issuerPath = "/auth/v1"
)

const (
	defaultLeeway = 30 * time.Second
	headerKeyID   = "kid"
	algHS256      = "HS256"
	algES256      = "ES256"
	algRS256      = "RS256"
)

// The only things a caller learns about a rejected token.
const (
	msgInvalidToken = "invalid token"
	msgExpiredToken = "token expired"
)

// Config configures token verification.
type Config struct {
	JWTSecret   []byte        // HS256 secret (Supabase legacy JWT secret); empty disables HS256
	SupabaseURL string        // e.g. https://abc.supabase.co; enables ES256/RS256 via its JWKS and pins iss to SupabaseURL+"/auth/v1"
	HTTPClient  *http.Client  // optional, for JWKS
	Leeway      time.Duration // clock skew allowed on exp, default 30s
}

// Verifier checks Supabase access tokens. It is safe for concurrent use.
type Verifier struct {
	secret []byte
	jwks   keyfunc.Keyfunc // nil without a Supabase URL
	parser *jwt.Parser
}

// NewVerifier prepares verification. With SupabaseURL set it fetches the
// project's JWKS, waiting at most 10 s; a failure is logged through
// slog.Default, not returned, so a briefly unreachable Supabase does not stop
// start-up. A goroutine that ends with ctx refreshes the set every 10
// minutes, and a token naming an unknown kid triggers a refetch at most once
// a minute.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	v := &Verifier{}
	var methods []string
	if len(cfg.JWTSecret) > 0 {
		v.secret = slices.Clone(cfg.JWTSecret)
		methods = append(methods, algHS256)
	}
	opts := []jwt.ParserOption{jwt.WithAudience(audience), jwt.WithExpirationRequired()}
	if cfg.SupabaseURL != "" {
		base := strings.TrimRight(cfg.SupabaseURL, "/")
		noErrorOnFirstFetch := true
		k, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{base + jwksPath}, keyfunc.Override{
			Client:                    cfg.HTTPClient,
			HTTPTimeout:               jwksHTTPTimeout,
			NoErrorReturnFirstHTTPReq: &noErrorOnFirstFetch,
			RateLimitWaitMax:          jwksRefetchWait,
			RefreshInterval:           jwksRefresh,
			RefreshUnknownKID:         rate.NewLimiter(rate.Every(jwksUnknownKID), 1),
		})
		if err != nil {
			return nil, fmt.Errorf("auth: JWKS for %s: %w", base, err)
		}
		v.jwks = k
		methods = append(methods, algES256, algRS256)
		opts = append(opts, jwt.WithIssuer(base+issuerPath))
	}
	if len(methods) == 0 {
		return nil, errors.New("auth: neither a JWT secret nor a Supabase URL is configured")
	}
	leeway := cfg.Leeway
	if leeway <= 0 {
		leeway = defaultLeeway
	}
	opts = append(opts, jwt.WithValidMethods(methods), jwt.WithLeeway(leeway))
	v.parser = jwt.NewParser(opts...)
	return v, nil
}

// Verify checks a bearer token and returns the user it was issued to. The
// algorithm is pinned to its key source (HS256 only against the secret,
// ES256/RS256 only against the JWKS); exp is required, aud must contain
// "authenticated", iss must match when a Supabase URL is configured and sub
// must be a UUID. Every failure is an EUNAUTHORIZED error whose message says
// only "token expired" or "invalid token".
func (v *Verifier) Verify(ctx context.Context, token string) (Identity, error) {
	var c claims
	_, err := v.parser.ParseWithClaims(token, &c, v.keyfunc(ctx))
	if errors.Is(err, jwt.ErrTokenExpired) {
		return Identity{}, phonoglyph.Errorf(phonoglyph.EUNAUTHORIZED, msgExpiredToken)
	} else if err != nil {
		return Identity{}, phonoglyph.Errorf(phonoglyph.EUNAUTHORIZED, msgInvalidToken)
	}
	// uuid.Parse also takes braced, URN and unhyphenated forms; Supabase
	// always sends the canonical 36-character one.
	sub, err := uuid.Parse(c.Subject)
	if err != nil || len(c.Subject) != 36 {
		return Identity{}, phonoglyph.Errorf(phonoglyph.EUNAUTHORIZED, msgInvalidToken)
	}
	return Identity{UserID: sub.String(), Email: c.Email, Role: c.Role}, nil
}

// keyfunc picks the key for a token from the source its algorithm is bound
// to, so no token can choose its own kind of key.
func (v *Verifier) keyfunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		switch alg := t.Method.Alg(); {
		case alg == algHS256 && v.secret != nil:
			return v.secret, nil
		case (alg == algES256 || alg == algRS256) && v.jwks != nil:
			if _, ok := t.Header[headerKeyID].(string); !ok {
				return nil, errors.New("asymmetric token without kid")
			}
			return v.jwks.KeyfuncCtx(ctx)(t)
		default:
			return nil, fmt.Errorf("no key for alg %q", alg)
		}
	}
}
