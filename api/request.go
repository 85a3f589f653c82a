package api

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"phonoglyph"
)

// pathID returns the :id parameter; a malformed id names no object, so it is
// a 404 like any other missing one.
func pathID(c echo.Context) (string, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return "", phonoglyph.Errorf(phonoglyph.ENOTFOUND, "Not found.")
	}
	return id.String(), nil
}

const (
	defaultPageSize = 50
	maxPageSize     = 100
)

// page reads ?limit= and ?cursor= for keyset pagination, newest first.
func page(c echo.Context) (phonoglyph.Page, error) {
	p := phonoglyph.Page{Limit: defaultPageSize}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPageSize {
			return p, phonoglyph.Errorf(phonoglyph.EINVALID, "limit: must be 1..%d.", maxPageSize)
		}
		p.Limit = n
	}
	if cur := c.QueryParam("cursor"); cur != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cur)
		ts, id, ok := strings.Cut(string(raw), "|")
		t, terr := time.Parse(time.RFC3339Nano, ts)
		if err != nil || !ok || terr != nil || uuid.Validate(id) != nil {
			return p, phonoglyph.Errorf(phonoglyph.EINVALID, "cursor: malformed.")
		}
		p.Before = &phonoglyph.Cursor{CreatedAt: t, ID: id}
	}
	return p, nil
}

// nextCursor is the cursor of the page after items, whose last item sits at
// key (created_at, id), or nil when the page was not full.
func nextCursor[T any](items []T, limit int, key func(T) (time.Time, string)) *string {
	if len(items) < limit || len(items) == 0 {
		return nil
	}
	t, id := key(items[len(items)-1])
	s := base64.RawURLEncoding.EncodeToString([]byte(t.Format(time.RFC3339Nano) + "|" + id))
	return &s
}
