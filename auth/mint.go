package auth

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Mint signs an HS256 access token shaped like Supabase's: sub, aud
// "authenticated", role "authenticated", iat, exp = now+ttl, and iss when
// issuer is not empty. A negative ttl gives an already expired token.
func Mint(secret []byte, issuer, sub string, ttl time.Duration) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("auth: mint: no JWT secret configured")
	}
	now := time.Now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   sub,
			Audience:  jwt.ClaimStrings{audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Role: "authenticated",
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
}
