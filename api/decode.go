package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"phonoglyph"
)

// maxJSONDepth bounds the nesting of a request body.
const maxJSONDepth = 64

// decodeJSON reads the body into v: exactly one JSON value sent as
// application/json, refusing unknown fields (a misspelt field is an error,
// not silently ignored), trailing data, NUL characters, invalid UTF-8,
// unpaired surrogates and numbers no float64 holds anywhere in the value,
// raw nested documents included (Postgres jsonb refuses them), each named by
// its field.
func decodeJSON(c echo.Context, v any) error {
	return decodeBody(c, v, false)
}

// decodeOptionalJSON is decodeJSON for endpoints whose body may be left out:
// an empty body leaves v as it is.
func decodeOptionalJSON(c echo.Context, v any) error {
	return decodeBody(c, v, true)
}

func decodeBody(c echo.Context, v any, optional bool) error {
	raw, err := io.ReadAll(c.Request().Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return phonoglyph.Errorf(phonoglyph.ETOOLARGE, "Request body is too large.")
	} else if err != nil {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Request body could not be read.")
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		if optional {
			return nil
		}
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Request body must be a JSON object.")
	}
	if mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); err != nil || mt != echo.MIMEApplicationJSON {
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Content-Type: must be application/json.")
	}
	if err := checkJSON(raw); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr):
			return phonoglyph.Errorf(phonoglyph.EINVALID, "%s: must be a %s.", typeErr.Field, jsonTypeName(typeErr.Type))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return phonoglyph.Errorf(phonoglyph.EINVALID, "Unknown field %s.", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return phonoglyph.Errorf(phonoglyph.EINVALID, "Request body is not valid JSON.")
	}
	return nil
}

// jsonTypeName names the type a field expects: a domain type over a basic
// one (phonoglyph.StemType) by its basic kind (string), as a client sees it.
func jsonTypeName(t reflect.Type) string {
	if t.PkgPath() != "" && t.Kind() <= reflect.String && t.Kind() != reflect.Invalid {
		return t.Kind().String()
	}
	return t.String()
}

// jsonFrame is one open object or array while checkJSON walks a document.
type jsonFrame struct {
	object  bool
	key     string // the current member of an object
	index   int    // the current element of an array
	wantKey bool   // an object expects a member name next
}

// checkJSON walks raw token by token and refuses, naming the field, what
// Postgres or Go would choke on later: NUL characters, invalid UTF-8,
// unpaired UTF-16 surrogate escapes and out-of-range numbers; and anything
// after the first value.
func checkJSON(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var stack []jsonFrame
	var prev int64
	values := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "Request body is not valid JSON.")
		}
		seg := raw[prev:dec.InputOffset()] // the token's bytes (and the separators before it)
		prev = dec.InputOffset()
		if len(stack) == 0 && values > 0 {
			return phonoglyph.Errorf(phonoglyph.EINVALID, "Request body must hold one JSON value: found data after it.")
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			if key, ok := tok.(string); ok {
				stack[n-1].key, stack[n-1].wantKey = key, false
				if err := checkString(jsonPath(stack), key, seg); err != nil {
					return err
				}
				continue
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				if len(stack) >= maxJSONDepth {
					return phonoglyph.Errorf(phonoglyph.EINVALID, "%s: nested more than %d levels deep.", jsonPath(stack), maxJSONDepth)
				}
				stack = append(stack, jsonFrame{object: t == '{', wantKey: t == '{'})
				continue
			}
			stack = stack[:len(stack)-1]
		case string:
			if err := checkString(jsonPath(stack), t, seg); err != nil {
				return err
			}
		case json.Number:
			if f, err := strconv.ParseFloat(string(t), 64); err != nil || math.IsInf(f, 0) {
				return phonoglyph.Errorf(phonoglyph.EINVALID, "%s: number out of range.", jsonPath(stack))
			}
		}
		// a value ended: the enclosing container moves on
		if n := len(stack); n == 0 {
			values++
		} else if stack[n-1].object {
			stack[n-1].wantKey = true
		} else {
			stack[n-1].index++
		}
	}
}

// jsonPath names the current position: render_configuration.layers[2].name,
// or "body" for the top-level value.
func jsonPath(stack []jsonFrame) string {
	var b strings.Builder
	for _, f := range stack {
		switch {
		case f.object && f.key != "":
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		case !f.object:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		}
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

// checkString refuses a decoded string holding NUL, or raw bytes (seg, the
// token as sent) that are invalid UTF-8 or escape an unpaired surrogate —
// encoding/json silently turns both into U+FFFD, but a raw JSON document
// stored as jsonb keeps them and Postgres refuses it.
func checkString(field, s string, seg []byte) error {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return phonoglyph.Errorf(phonoglyph.EINVALID, "%s: must not contain NUL characters.", field)
	case !utf8.Valid(seg):
		return phonoglyph.Errorf(phonoglyph.EINVALID, "%s: must be valid UTF-8.", field)
	case unpairedSurrogate(seg):
		return phonoglyph.Errorf(phonoglyph.EINVALID, "%s: holds an unpaired UTF-16 surrogate (\\uD800-\\uDFFF).", field)
	}
	return nil
}

// unpairedSurrogate reports whether a JSON string's raw bytes escape a high
// surrogate not followed by a low one, or a low one alone.
func unpairedSurrogate(seg []byte) bool {
	escape := func(i int) (rune, bool) {
		if i+6 > len(seg) || seg[i] != '\\' || seg[i+1] != 'u' {
			return 0, false
		}
		r, err := strconv.ParseUint(string(seg[i+2:i+6]), 16, 16)
		return rune(r), err == nil
	}
	for i := 0; i < len(seg); i++ {
		if seg[i] != '\\' {
			continue
		}
		r, ok := escape(i)
		if !ok {
			i++ // another escape: skip the escaped byte
			continue
		}
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			low, ok := escape(i + 6)
			if !ok || low < 0xDC00 || low > 0xDFFF {
				return true
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		default:
			i += 5
		}
	}
	return false
}

// checkText refuses request text outside a JSON body (a query or path
// parameter) that Postgres would refuse: NUL characters and invalid UTF-8.
func checkText(field, s string) error {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return phonoglyph.Errorf(phonoglyph.EINVALID, "%s: must not contain NUL characters.", field)
	case !utf8.ValidString(s):
		return phonoglyph.Errorf(phonoglyph.EINVALID, "%s: must be valid UTF-8.", field)
	}
	return nil
}

// checkParams refuses, before any handler runs, path and query parameters
// that are not text Postgres stores (checkText), naming the parameter.
func checkParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		values := c.ParamValues()
		escaped := c.Request().URL.RawPath != "" // Echo routed on the escaped path: values are escaped too
		for i, name := range c.ParamNames() {
			if i >= len(values) {
				break
			}
			v := values[i]
			if escaped {
				var err error
				if v, err = url.PathUnescape(v); err != nil {
					return phonoglyph.Errorf(phonoglyph.EINVALID, "%s: malformed escape.", name)
				}
			}
			if err := checkText(name, v); err != nil {
				return err
			}
		}
		for name, vs := range c.QueryParams() {
			if err := checkText("query parameter", name); err != nil {
				return err
			}
			for _, v := range vs {
				if err := checkText(name, v); err != nil {
					return err
				}
			}
		}
		return next(c)
	}
}
