package filetype

import "testing"

func TestSanitizeName(t *testing.T) {
	cases := map[string]string{
		"song.wav":                   "song.wav",
		"My Song (final).wav":        "My_Song_final_.wav",
		"a  b":                       "a_b",
		"a__b":                       "a_b",
		"a_-_b":                      "a_-_b",
		"__song__.wav__":             "song_.wav",
		"../../etc/passwd":           ".._.._etc_passwd",
		"песня.mp3":                  ".mp3",
		"日本語":                        "file",
		"":                           "file",
		"___":                        "file",
		".":                          "file",
		"..":                         "file",
		"a/b\\c:d*e?f\"g<h>i|j\x00k": "a_b_c_d_e_f_g_h_i_j_k",
		"song\xff.wav":               "song_.wav",
		"v1.2-final.WAV":             "v1.2-final.WAV",
	}
	for in, want := range cases {
		if got := SanitizeName(in); got != want {
			t.Errorf("SanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
}
