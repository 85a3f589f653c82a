package console

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/google/uuid"

	"phonoglyph"
)

// DevTokenPath is where the API mounts DevTokenHandler, in development only.
const DevTokenPath = "/api/v1/dev/token"

// maxDevTokenBody bounds the request body: it holds at most a UUID.
const maxDevTokenBody = 1 << 10

// DevTokenHandler answers POST {"sub"?: uuid} with a bearer token for that
// user, minted by mint (the API passes auth.Mint with JWT_SECRET): 200
// {"token","sub","token_type":"bearer"}. Without sub it picks a new user id,
// so the page's one-click sign-in keeps the id it was given and sends it
// again next time. It gives anyone a token for any user: mount it only in
// development. Errors have the API's shape {"error":{"code","message"}}.
func DevTokenHandler(mint func(sub string) (string, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, phonoglyph.EINVALID, "Use POST to get a development token.")
			return
		}
		var req struct {
			Sub string `json:"sub"`
		}
		err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxDevTokenBody)).Decode(&req)
		if err != nil && !errors.Is(err, io.EOF) {
			writeError(w, http.StatusBadRequest, phonoglyph.EINVALID, `The body must be empty or {"sub": "<uuid>"}.`)
			return
		}
		if req.Sub == "" {
			req.Sub = uuid.NewString()
		} else if uuid.Validate(req.Sub) != nil {
			writeError(w, http.StatusBadRequest, phonoglyph.EINVALID, "sub: must be a UUID.")
			return
		}
		token, err := mint(req.Sub)
		if err != nil {
			// Development only: the reason (e.g. no JWT_SECRET) helps and reveals nothing.
			writeError(w, http.StatusInternalServerError, phonoglyph.EINTERNAL, "Could not mint a development token: "+err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"token": token, "sub": req.Sub, "token_type": "bearer"})
	})
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // a failed write means the client went away
}
