package corpus

import (
	"fmt"
	"strings"
)

// PitchNames name the pitch classes (sharps), as the analysis reports keys.
var PitchNames = [12]string{"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"}

// Key is a tonic pitch class and a mode.
type Key struct {
	Tonic int  // 0 = C … 11 = B
	Minor bool // natural/harmonic minor, else major
}

// String names the key ("F# minor").
func (k Key) String() string {
	if k.Minor {
		return PitchNames[k.Tonic] + " minor"
	}
	return PitchNames[k.Tonic] + " major"
}

// sharps returns the key signature's number of sharps (negative: flats),
// choosing flats for the keys usually written with flats.
func (k Key) sharps() int {
	t := k.Tonic
	if k.Minor {
		t = (t + 3) % 12 // relative major
	}
	s := (t * 7) % 12 // sharps on the circle of fifths, 0..11
	if s > 6 {
		s -= 12
	}
	return s
}

// scale returns the key's scale as semitones above the tonic.
func (k Key) scale() []int {
	if k.Minor {
		return []int{0, 2, 3, 5, 7, 8, 10}
	}
	return []int{0, 2, 4, 5, 7, 9, 11}
}

// Chord is a chord relative to the key: root in semitones above the tonic
// and intervals above the root.
type Chord struct {
	Root      int
	Intervals []int
}

// romanRoots are the semitone offsets of the roman numerals I..VII.
var romanRoots = map[string]int{"i": 0, "ii": 2, "iii": 4, "iv": 5, "v": 7, "vi": 9, "vii": 11}

// parseChord reads a roman-numeral chord: an optional b or # prefix, the
// numeral (upper case major, lower case minor), then an optional suffix o
// (diminished), 7 (dominant on a major numeral, minor seventh on a minor
// one), maj7, sus4 or 6.
func parseChord(s string) (Chord, error) {
	src := s
	shift := 0
	switch {
	case strings.HasPrefix(s, "b"):
		shift, s = -1, s[1:]
	case strings.HasPrefix(s, "#"):
		shift, s = 1, s[1:]
	}
	n := 0
	for n < len(s) && strings.ContainsRune("IVXivx", rune(s[n])) {
		n++
	}
	num, suffix := s[:n], s[n:]
	root, ok := romanRoots[strings.ToLower(num)]
	if !ok {
		return Chord{}, fmt.Errorf("chord %q: no roman numeral", src)
	}
	major := num == strings.ToUpper(num)
	iv := []int{0, 3, 7}
	if major {
		iv = []int{0, 4, 7}
	}
	switch suffix {
	case "":
	case "o":
		iv = []int{0, 3, 6}
	case "7":
		iv = append(iv, 10)
	case "maj7":
		iv = append(iv, 11)
	case "6":
		iv = append(iv, 9)
	case "sus4":
		iv = []int{0, 5, 7}
	default:
		return Chord{}, fmt.Errorf("chord %q: unknown suffix %q", src, suffix)
	}
	return Chord{Root: (root + shift + 12) % 12, Intervals: iv}, nil
}

// parseProgression reads bars of chords: bars separated by spaces, two or
// more chords in one bar separated by "/" (they split the bar evenly).
func parseProgression(s string) ([][]Chord, error) {
	var bars [][]Chord
	for _, bar := range strings.Fields(s) {
		var cs []Chord
		for _, c := range strings.Split(bar, "/") {
			ch, err := parseChord(c)
			if err != nil {
				return nil, err
			}
			cs = append(cs, ch)
		}
		bars = append(bars, cs)
	}
	if len(bars) == 0 {
		return nil, fmt.Errorf("empty progression")
	}
	return bars, nil
}

// nearest returns the MIDI key of pitch class pc nearest to around.
func nearest(pc, around int) int {
	k := around - ((around-pc)%12+12)%12
	if around-k > 6 {
		k += 12
	}
	return k
}
