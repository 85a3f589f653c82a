package remotion

import (
	"testing"

	"phonoglyph"
)

func TestFunctionName(t *testing.T) {
	const original = "remotion-render-4-0-390-mem3008mb-disk2048mb-600sec"
	if got := FunctionName(3008, 2048, 600); got != original {
		t.Errorf("FunctionName(3008, 2048, 600) = %q, want %q", got, original)
	}
	if got, want := FunctionName(0, 0, 0), "remotion-render-4-0-390-mem2048mb-disk2048mb-120sec"; got != want {
		t.Errorf("FunctionName(0, 0, 0) = %q, want %q", got, want)
	}
	for _, c := range []struct{ mem, disk, timeout int }{{3008, 2048, 600}, {512, 512, 15}, {10240, 10240, 900}} {
		v, mem, disk, timeout, err := ParseFunctionName(FunctionName(c.mem, c.disk, c.timeout))
		if err != nil || v != "4-0-390" || mem != c.mem || disk != c.disk || timeout != c.timeout {
			t.Errorf("round trip of %v = %q %d %d %d %v", c, v, mem, disk, timeout, err)
		}
	}
}

func TestParseFunctionNameOriginal(t *testing.T) {
	v, mem, disk, timeout, err := ParseFunctionName("remotion-render-4-0-390-mem3008mb-disk2048mb-600sec")
	if err != nil || v != "4-0-390" || mem != 3008 || disk != 2048 || timeout != 600 {
		t.Fatalf("ParseFunctionName(original) = %q %d %d %d %v", v, mem, disk, timeout, err)
	}
}

func TestParseFunctionNameRefuses(t *testing.T) {
	for _, name := range []string{
		"",
		"my-render-function",
		"remotion-render-4-0-390-mem3008mb-disk2048mb",
		"remotion-render-4-0-390-mem3008mb-disk2048mb-600sec-extra",
		"remotion-render-4-0-390-mem256mb-disk2048mb-600sec",   // memory below 512
		"remotion-render-4-0-390-mem3008mb-disk20480mb-600sec", // disk above 10240
		"remotion-render-4-0-390-mem3008mb-disk2048mb-901sec",  // timeout above 900
		"remotion-render-4-0-390-mem99999999999999999999mb-disk2048mb-600sec",
	} {
		if _, _, _, _, err := ParseFunctionName(name); phonoglyph.ErrorCode(err) != phonoglyph.EINVALID {
			t.Errorf("ParseFunctionName(%q) error = %v, want EINVALID", name, err)
		}
	}
}

func TestVersionInName(t *testing.T) {
	for v, want := range map[string]string{
		"4.0.390":         "4-0-390",
		"4.0.390+build.7": "4-0-390-bu",
		"10.20.300-beta":  "10-20-300-",
	} {
		if got := versionInName(v); got != want {
			t.Errorf("versionInName(%q) = %q, want %q", v, got, want)
		}
	}
}
