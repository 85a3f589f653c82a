package remotion

import (
	"encoding/json"
	"testing"
)

func TestRenderErrorDecodesDefensively(t *testing.T) {
	var errs []RenderError
	err := json.Unmarshal([]byte(`[
		{"type":"renderer","message":"boom","name":"Error","stack":"at x","isFatal":true,"willRetry":false,"chunk":3,"frame":null,"attempt":2},
		{"message":42,"isFatal":"true","chunk":"7","frame":12.0,"attempt":1.5,"willRetry":"no"},
		"a bare string error",
		null,
		[1,2]
	]`), &errs)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 5 {
		t.Fatalf("decoded %d errors, want 5", len(errs))
	}
	e := errs[0]
	if e.Type != "renderer" || e.Message != "boom" || e.Name != "Error" || e.Stack != "at x" || !e.IsFatal || e.WillRetry ||
		e.Chunk == nil || *e.Chunk != 3 || e.Frame != nil || e.Attempt == nil || *e.Attempt != 2 {
		t.Errorf("well-formed error decoded as %+v", e)
	}
	e = errs[1]
	if e.Message != "42" || !e.IsFatal || e.WillRetry || e.Chunk == nil || *e.Chunk != 7 || e.Frame == nil || *e.Frame != 12 || e.Attempt != nil {
		t.Errorf("oddly typed error decoded as %+v", e)
	}
	if errs[2].Message != "a bare string error" {
		t.Errorf("string error decoded as %+v", errs[2])
	}
	if errs[3].Message != "" || errs[3].IsFatal {
		t.Errorf("null error decoded as %+v", errs[3])
	}
	if errs[4].Message != "[1,2]" {
		t.Errorf("array error decoded as %+v", errs[4])
	}
}

func TestFatalMessage(t *testing.T) {
	p := Progress{Errors: []RenderError{{Message: "retried"}, {Message: "fatal one", IsFatal: true}, {Message: "fatal two", IsFatal: true}}}
	if got := p.FatalMessage(); got != "fatal one; fatal two" {
		t.Errorf("FatalMessage() = %q", got)
	}
	p = Progress{Errors: []RenderError{{Message: "a"}, {}, {Message: "b"}}}
	if got := p.FatalMessage(); got != "a; b" {
		t.Errorf("FatalMessage() without fatal errors = %q", got)
	}
	if got := (&Progress{}).FatalMessage(); got == "" {
		t.Error("FatalMessage() without errors is empty")
	}
}
