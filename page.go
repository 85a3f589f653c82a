package phonoglyph

import "time"

// Page is a keyset position in a newest-first listing.
type Page struct {
	Limit  int
	Before *Cursor // nil on the first page
}

// Cursor is the (created_at, id) of the last row of a previous page.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}
