// Package openapitest checks real HTTP exchanges with the API against the
// published contract (package openapi), with kin-openapi: the request must
// name a documented operation, the answer must have a documented status and
// match that status's schema and headers, and a request the contract refuses
// must not be accepted. API tests route their client through Transport (or
// call Check) so the document cannot drift from what the API answers.
package openapitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"phonoglyph/openapi"
)

// restOfPath marks a path parameter that takes the whole rest of the path,
// slashes included (blob keys, River UI's own paths).
const restOfPath = "x-path-rest"

// Validator checks exchanges against one loaded document and records which
// operations they exercised.
type Validator struct {
	doc      *openapi3.T
	router   routers.Router
	errShape *openapi3.Schema
	prefixes []string // paths ending in a rest-of-path parameter, without it

	mu        sync.Mutex
	exercised map[string][]int // "GET /api/v1/files/{id}" → statuses seen
}

// New loads and validates the embedded document.
func New() (*Validator, error) {
	return newValidator(openapi.Document())
}

func newValidator(raw []byte) (*Validator, error) {
	ctx := context.Background()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("openapi: load: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("openapi: invalid document: %w", err)
	}
	// Route on paths alone: tests serve the API on any host and port.
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: router: %w", err)
	}
	errRef := doc.Components.Schemas["ApiError"]
	if errRef == nil || errRef.Value == nil {
		return nil, errors.New("openapi: the document has no ApiError schema")
	}
	v := &Validator{doc: doc, router: router, errShape: errRef.Value, exercised: map[string][]int{}}
	for path, item := range doc.Paths.Map() {
		for _, p := range item.Parameters {
			if p.Value != nil && p.Value.Extensions[restOfPath] == true {
				v.prefixes = append(v.prefixes, strings.TrimSuffix(path, "{"+p.Value.Name+"}"))
			}
		}
	}
	return v, nil
}

var (
	defaultOnce sync.Once
	defaultV    *Validator
	defaultErr  error
)

// Default is the validator of the embedded document, loaded once per test
// binary.
func Default() (*Validator, error) {
	defaultOnce.Do(func() { defaultV, defaultErr = New() })
	return defaultV, defaultErr
}

// Document is the loaded document (read-only).
func (v *Validator) Document() *openapi3.T { return v.doc }

// Exchange is one request and the answer it got, bodies read.
type Exchange struct {
	Request     *http.Request // its Body is ignored: RequestBody holds it
	RequestBody []byte
	Status      int
	Header      http.Header
	Body        []byte
}

// Validate checks one exchange against the document. It returns nil for an
// exchange the contract describes, and an error saying what differs
// otherwise.
func (v *Validator) Validate(ctx context.Context, x Exchange) error {
	req := v.routable(x.Request, x.RequestBody)
	if isPreflight(req) {
		// CORS middleware answers preflights on every path.
		if x.Status != http.StatusNoContent || len(x.Body) != 0 {
			return fmt.Errorf("CORS preflight %s answered %d with %d bytes, want 204 and no body", x.Request.URL.Path, x.Status, len(x.Body))
		}
		return nil
	}
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return v.unrouted(x, err)
	}
	v.record(route, x.Status)
	opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: credentialsPresent}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	if reqErr != nil && x.Status < 400 {
		return fmt.Errorf("%s %s: the API answered %d to a request the contract refuses: %w", route.Method, route.Path, x.Status, reqErr)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: x.Status, Header: x.Header, Options: opts}
	out.SetBodyBytes(x.Body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("%s %s → %d: %w", route.Method, route.Path, x.Status, err)
	}
	if resp := route.Operation.Responses.Status(x.Status); resp != nil && resp.Value != nil &&
		len(resp.Value.Content) == 0 && len(x.Body) != 0 && req.Method != http.MethodHead {
		return fmt.Errorf("%s %s → %d: the contract declares no body, the API sent %d bytes: %.200s", route.Method, route.Path, x.Status, len(x.Body), x.Body)
	}
	return nil
}

// routable is a copy of r with its body restored and its path as the API's
// router sees it: without a trailing slash, and with a rest-of-path
// parameter's slashes escaped so it is one segment for the document's router.
func (v *Validator) routable(r *http.Request, body []byte) *http.Request {
	req := r.Clone(context.Background())
	req.Body = http.NoBody
	if len(body) > 0 {
		req.Body = readCloser{bytes.NewReader(body)}
		req.ContentLength = int64(len(body))
	}
	u := *r.URL
	if p := u.Path; len(p) > 1 && strings.HasSuffix(p, "/") && p != "/riverui/" {
		u.Path = strings.TrimRight(p, "/")
	}
	for _, prefix := range v.prefixes {
		if rest, ok := strings.CutPrefix(u.Path, prefix); ok {
			if rest == "" {
				rest = "/" // an empty segment matches nothing: name the root by its slash
			}
			u.Path = prefix + url.PathEscape(rest)
			break
		}
	}
	u.RawPath = ""
	req.URL = &u
	return req
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// unrouted checks the answer to a request the document has no operation
// for: it must be the API's 404 (or 405) in the error shape.
func (v *Validator) unrouted(x Exchange, routeErr error) error {
	var re *routers.RouteError
	if !errors.As(routeErr, &re) {
		return fmt.Errorf("route %s %s: %w", x.Request.Method, x.Request.URL.Path, routeErr)
	}
	if x.Status != http.StatusNotFound && x.Status != http.StatusMethodNotAllowed {
		return fmt.Errorf("%s %s is not in the contract (%s) but the API answered %d", x.Request.Method, x.Request.URL.Path, re.Reason, x.Status)
	}
	if x.Request.Method == http.MethodHead {
		return nil
	}
	return v.checkError(x)
}

// checkError checks that x's body is the error shape.
func (v *Validator) checkError(x Exchange) error {
	value, err := decodeJSON(x.Header, x.Body)
	if err != nil {
		return fmt.Errorf("%s %s → %d: %w", x.Request.Method, x.Request.URL.Path, x.Status, err)
	}
	if err := v.errShape.VisitJSON(value, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("%s %s → %d: not the error shape: %w", x.Request.Method, x.Request.URL.Path, x.Status, err)
	}
	return nil
}

func decodeJSON(h http.Header, body []byte) (any, error) {
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return nil, fmt.Errorf("content type %q, want application/json", ct)
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return nil, fmt.Errorf("body is not JSON: %w", err)
	}
	return value, nil
}

// credentialsPresent checks that the request carries the credential a
// security scheme names; whether it is valid is the API's to decide.
func credentialsPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r, s := in.RequestValidationInput.Request, in.SecurityScheme
	var ok bool
	switch {
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		token, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		ok = found && token != ""
	case s.Type == "http" && strings.EqualFold(s.Scheme, "basic"):
		_, _, ok = r.BasicAuth()
	case s.Type == "apiKey" && s.In == "header":
		ok = r.Header.Get(s.Name) != ""
	default:
		return fmt.Errorf("security scheme %q: type %s is not checked", in.SecuritySchemeName, s.Type)
	}
	if !ok {
		return in.NewError(nil)
	}
	return nil
}

func (v *Validator) record(route *routers.Route, status int) {
	key := route.Method + " " + route.Path
	v.mu.Lock()
	defer v.mu.Unlock()
	if !slices.Contains(v.exercised[key], status) {
		v.exercised[key] = append(v.exercised[key], status)
	}
}

// Exercised returns, for every operation an exchange named so far
// ("GET /api/v1/files/{id}"), the statuses it answered.
func (v *Validator) Exercised() map[string][]int {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[string][]int, len(v.exercised))
	for k, s := range v.exercised {
		out[k] = slices.Sorted(slices.Values(s))
	}
	return out
}

// Operations lists every operation of the document as "METHOD path".
func (v *Validator) Operations() []string {
	var ops []string
	for path, item := range v.doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, method+" "+path)
		}
	}
	slices.Sort(ops)
	return ops
}
