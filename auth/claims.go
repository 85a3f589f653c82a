package auth

import "github.com/golang-jwt/jwt/v5"

// audience is the aud every Supabase access token for a signed-in user carries.
const audience = "authenticated"

// claims are the parts of a Supabase access token this service reads.
type claims struct {
	jwt.RegisteredClaims
	Email string `json:"email,omitempty"`
	Role  string `json:"role,omitempty"`
}
