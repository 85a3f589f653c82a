package remotion

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// RenderError is one error the render met. Remotion's fields are decoded
// defensively: a missing or differently typed field is left empty, and an
// error given as a bare string is its Message.
type RenderError struct {
	// Type is where it happened: "renderer", "browser", "stitcher",
	// "webhook" or "artifact".
	Type    string
	Message string
	Name    string
	Stack   string
	// IsFatal is true when the render cannot finish because of it.
	IsFatal bool
	// WillRetry is true when the failed chunk is tried again.
	WillRetry bool
	// Chunk, Frame and Attempt locate the error when known.
	Chunk, Frame, Attempt *int
}

// UnmarshalJSON decodes an error object, a bare string, or anything else as
// its JSON text; null leaves e as it is.
func (e *RenderError) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		*e = RenderError{Message: jsonText(b)}
		return nil
	}
	*e = RenderError{
		Type:      jsonText(m["type"]),
		Message:   jsonText(m["message"]),
		Name:      jsonText(m["name"]),
		Stack:     jsonText(m["stack"]),
		IsFatal:   jsonBool(m["isFatal"]),
		WillRetry: jsonBool(m["willRetry"]),
		Chunk:     jsonInt(m["chunk"]),
		Frame:     jsonInt(m["frame"]),
		Attempt:   jsonInt(m["attempt"]),
	}
	return nil
}

// jsonText returns a JSON string's value, "" for a missing value or null,
// and the JSON text of any other value.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if t := string(bytes.TrimSpace(raw)); t != "null" {
		return t
	}
	return ""
}

// jsonBool returns a JSON boolean's value, also written as a string, and
// false for anything else.
func jsonBool(raw json.RawMessage) bool {
	var v bool
	if json.Unmarshal(raw, &v) == nil {
		return v
	}
	v, _ = strconv.ParseBool(strings.TrimSpace(jsonText(raw)))
	return v
}

// jsonInt returns a whole JSON number, also written as a string, and nil
// for anything else.
func jsonInt(raw json.RawMessage) *int {
	if t := string(bytes.TrimSpace(raw)); t == "" || t == "null" {
		return nil
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(jsonText(raw)), 64); err != nil {
			return nil
		}
	}
	if f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return nil
	}
	n := int(f)
	return &n
}
