package auth_test

import (
	"context"
	"fmt"
	"time"

	"phonoglyph/auth"
)

func ExampleMint() {
	secret := []byte("super-secret-jwt-token-with-at-least-32-characters-long")
	token, err := auth.Mint(secret, "", "8f14e45f-ceea-467f-a0e6-5c8d1f1a2b3c", time.Hour)
	if err != nil {
		panic(err)
	}

	v, err := auth.NewVerifier(context.Background(), auth.Config{JWTSecret: secret})
	if err != nil {
		panic(err)
	}
	id, err := v.Verify(context.Background(), token)
	if err != nil {
		panic(err)
	}
	fmt.Println(id.UserID, id.Role, id.Guest)
	// Output: 8f14e45f-ceea-467f-a0e6-5c8d1f1a2b3c authenticated false
}
