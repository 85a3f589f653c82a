// Package auth verifies who is calling: Supabase access tokens (legacy HS256
// or ES256/RS256 through the project's JWKS) and signed guest sessions.
package auth

// Identity is the authenticated caller.
type Identity struct {
	UserID string // Supabase user UUID (JWT sub), or "guest_<id>" for guests
	Guest  bool
	Email  string // from the token when present
	Role   string // JWT role claim, "guest" for guests
}
