package openapitest

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

func init() {
	openapi3filter.RegisterBodyDecoder("application/xml", decodeS3Error)
}

// maxXMLError caps an XML error body before decoding it.
const maxXMLError = 64 << 10

// decodeS3Error decodes the one XML body the API sends, the S3-style
// <Error><Code>…</Code><Message>…</Message></Error> of signed blob URLs, into
// {"Code","Message"} for the schema to check; any other element is refused.
func decodeS3Error(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	var e struct {
		XMLName xml.Name
		Code    *string
		Message *string
	}
	if err := xml.NewDecoder(io.LimitReader(body, maxXMLError)).Decode(&e); err != nil {
		return nil, fmt.Errorf("XML body: %w", err)
	}
	if e.XMLName.Local != "Error" {
		return nil, fmt.Errorf("XML body is <%s>, want <Error>", e.XMLName.Local)
	}
	out := map[string]any{}
	if e.Code != nil {
		out["Code"] = *e.Code
	}
	if e.Message != nil {
		out["Message"] = *e.Message
	}
	return out, nil
}
