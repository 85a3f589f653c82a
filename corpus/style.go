package corpus

// Meter is a style's metre: the time signature, the tactus (the beat a
// listener taps) and the step grid patterns are written on.
type Meter struct {
	Num, Den     int // time signature written to the MIDI file
	BeatsPerBar  int // tactus beats per bar (6/8 counts 2 dotted quarters)
	StepsPerBeat int // pattern steps per tactus beat (3 for triplet feels and 6/8)
}

var (
	m44      = Meter{4, 4, 4, 4}
	m44trip  = Meter{4, 4, 4, 3} // shuffle, swing: triplet eighths
	m34      = Meter{3, 4, 3, 4}
	m68      = Meter{6, 8, 2, 3}
	m24polka = Meter{2, 4, 2, 4}
)

// beatTicks is the length of one tactus beat in ticks.
func (m Meter) beatTicks() int64 { return tpq * 4 / int64(m.Den) * int64(m.Num) / int64(m.BeatsPerBar) }

// steps is the number of pattern steps in one bar.
func (m Meter) steps() int { return m.BeatsPerBar * m.StepsPerBeat }

// Part describes how a style plays one part.
//
// Patterns are one bar of steps (a shorter pattern repeats to fill the bar),
// indexed by the section's level for the part (0 sparse, 1 normal, 2 full);
// "" leaves the part silent at that level. Pitched-part steps: C full chord,
// c soft chord, A/a next arpeggio note (normal/soft), P power chord, R root,
// 5 fifth, 8 octave, 3 third, 6 sixth, 7 seventh, N approach note into the
// next chord, x lead note (vocals), - hold, . rest. A pattern starting with
// "!" is played short (staccato). Drum patterns are lanes "K x...;S ..x."
// with X accent, x normal, o ghost (see drumKeys).
type Part struct {
	Programs []uint8   // GM programs (0-based); one is drawn per song
	Patterns [3]string // by level
	Center   int       // MIDI key around which voicings sit
	Jitter   float64   // timing s.d. in seconds
	Strum    float64   // seconds between successive chord notes (guitars)
}

// Style is a family of arrangements.
type Style struct {
	Name    string
	BPM     [2]float64 // tactus tempo range
	Meter   Meter
	Major   []string // progressions for major keys (see parseProgression)
	MinorP  []string // progressions for minor keys
	Forms   []string // "label:bars …"
	Drums   Part
	Bass    Part
	Piano   Part
	Other   []Part // guitars, strings, pads: one or two parts
	Lead    Part   // the vocals stem: Patterns hold lead rhythms
	Swing   float64
	Holdout bool // only in the holdout set
}

// Common forms (bars at the style's metre).
const (
	formPop    = "intro:4 verse:8 chorus:8 verse:8 chorus:8 break:4 chorus:8 outro:4"
	formQuick  = "intro:2 verse:4 chorus:4 break:2 verse:4 chorus:4 bridge:4 chorus:4 outro:2"
	formSteady = "intro:4 verse:16 chorus:16 outro:4"
	formSong   = "intro:4 verse:8 pre:4 chorus:8 verse:8 pre:4 chorus:8 bridge:8 chorus:8 outro:4"
	formEDM    = "intro:8 build:8 drop:16 break:8 build:8 drop:16 outro:8"
	formJazz   = "intro:4 verse:16 solo:16 verse:16 outro:4"
)

// Voice-like and lead programs for the vocals stem.
var (
	voices    = []uint8{52, 53, 54} // choir aahs, voice oohs, synth voice
	voiceSax  = []uint8{52, 53, 54, 65, 66}
	leadHorns = []uint8{56, 65, 66, 57}
)

// Lead rhythms shared by several styles (4/4, 16 steps).
var (
	lead44a = [3]string{"x---x-x-x---x---", "x-x-x---x-x-x---", "x---x---x-x-x-x-"}
	lead44b = [3]string{"..x-x-x-x---....", "x-x-x-x-x---x---", "x-x-x-x-x-x-x---"}
)

// styles is the style table: a variety of grooves, metres and tempi.
var styles = []Style{
	{Name: "rock", BPM: [2]float64{100, 144}, Meter: m44,
		Major:  []string{"I V vi IV", "I bVII IV I", "I IV V IV"},
		MinorP: []string{"i bVI bVII i", "i bVII bVI V"},
		Forms:  []string{formPop, formQuick, formSong},
		Drums: Part{Jitter: 0.004, Patterns: [3]string{
			"H x.x.x.x.x.x.x.x.;K x.......x.......",
			"K x.......x.x.....;S ....x.......x...;H x.x.x.x.x.x.x.x.",
			"K x.....x.x.x.....;S ....X.......X...;O x.x.x.x.x.x.x.x."}},
		Bass:  Part{Programs: []uint8{33, 34}, Center: 40, Jitter: 0.006, Patterns: [3]string{"R---------------", "R-R-R-R-R-R-R-R-", "R-R-R-R-R-R-5-8-"}},
		Piano: Part{Programs: []uint8{0, 1}, Center: 62, Jitter: 0.008, Patterns: [3]string{"C---------------", "C-------C-------", "C-C-C-C-C-C-C-C-"}},
		Other: []Part{{Programs: []uint8{29, 30}, Center: 50, Jitter: 0.006, Strum: 0.008, Patterns: [3]string{"A-A-A-A-A-A-A-A-", "P-P-P-P-P-P-P-P-", "P-P-P-P-P-P-P-P-"}},
			{Programs: []uint8{48, 49}, Center: 67, Jitter: 0.01, Patterns: [3]string{"", "C---------------", "C-------C-------"}}},
		Lead: Part{Programs: voices, Center: 67, Jitter: 0.012, Patterns: lead44a}},
	{Name: "pop", BPM: [2]float64{88, 128}, Meter: m44,
		Major:  []string{"I V vi IV", "I IV I V", "I vi IV V", "I iii IV V"},
		MinorP: []string{"i iv bVI V", "i bVI iv V"},
		Forms:  []string{formPop, formSong, formQuick},
		Drums: Part{Jitter: 0.003, Patterns: [3]string{
			"K x.......x.......;H x.x.x.x.x.x.x.x.",
			"K x.......x.......;S ....x.......x...;H x.x.x.x.x.x.x.x.",
			"K x.....x.x.......;S ....X.......X...;L ....x.......x...;H xxxxxxxxxxxxxxxx;A ....x.......x..."}},
		Bass:  Part{Programs: []uint8{33, 38}, Center: 40, Jitter: 0.005, Patterns: [3]string{"R---------------", "R---R---5---R---", "R-.RR-.R5-.5R-.R"}},
		Piano: Part{Programs: []uint8{0, 4}, Center: 62, Jitter: 0.008, Patterns: [3]string{"C---------------", "C---C---C---C---", "C-.CC-.CC-.CC-.C"}},
		Other: []Part{{Programs: []uint8{48, 89, 50}, Center: 67, Jitter: 0.01, Patterns: [3]string{"C---------------", "C---------------", "C-------C-------"}},
			{Programs: []uint8{25, 27}, Center: 55, Jitter: 0.006, Strum: 0.01, Patterns: [3]string{"", "!..C...C...C...C.", "C-CC-CC-C-CC-CC-"}}},
		Lead: Part{Programs: voices, Center: 67, Jitter: 0.012, Patterns: lead44b}},
	{Name: "funk", BPM: [2]float64{92, 116}, Meter: m44,
		Major:  []string{"I7 IV7 I7 IV7", "I7 I7 IV7 V7"},
		MinorP: []string{"i7 i7 iv7 i7", "i7/iv7 i7/iv7 i7 bVII7"},
		Forms:  []string{formQuick, formPop},
		Drums: Part{Jitter: 0.003, Patterns: [3]string{
			"H xxxxxxxxxxxxxxxx;K x.........x.....",
			"K x.....x...x..x..;S ....x..o.o..x..o;H xxxxxxxxxxxxxxxx",
			"K x.x...x...x..x..;S ....X..o.o..X..o;H xxxxxxOxxxxxxxOx"}},
		Bass:  Part{Programs: []uint8{36, 37, 33}, Center: 38, Jitter: 0.004, Patterns: [3]string{"R-------........", "R..R..8.R.5.R.8.", "R.8.R..8.R7.8.R."}},
		Piano: Part{Programs: []uint8{4, 5}, Center: 62, Jitter: 0.006, Patterns: [3]string{"C---------------", "!..C...C...C..C..", "!.C..C.C..C..C.C."}},
		Other: []Part{{Programs: []uint8{27, 28}, Center: 58, Jitter: 0.004, Strum: 0.006, Patterns: [3]string{"", "!..C.C..C..C.C..C", "!cCcCcCcCcCcCcCcC"}},
			{Programs: []uint8{61, 62}, Center: 65, Jitter: 0.008, Patterns: [3]string{"", "", "!C.......C..C...."}}},
		Lead: Part{Programs: voiceSax, Center: 67, Jitter: 0.01, Patterns: [3]string{"x-x-..x-x-x-....", "x-.x.x-x..x-x-..", "x.x.x-x-x.x.x---"}}},
	{Name: "shuffle", BPM: [2]float64{84, 100}, Meter: m44trip, Swing: 0,
		Major:  []string{"I7 IV7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7"},
		MinorP: []string{"i7 iv7 i7 i7 iv7 iv7 i7 i7 bVI7 V7 i7 V7"},
		Forms:  []string{"intro:4 verse:12 verse:12 solo:12 break:4 verse:12 outro:4", "intro:2 verse:12 chorus:12 solo:12 chorus:12 outro:4"},
		Drums: Part{Jitter: 0.005, Patterns: [3]string{
			"H x.xx.xx.xx.x;K x.....x.....",
			"K x.....x.....;S ...x.....x..;H x.xx.xx.xx.x",
			"K x....xx.....;S ...X.....X..;R x.xx.xx.xx.x"}},
		Bass:  Part{Programs: []uint8{32, 33}, Center: 38, Jitter: 0.007, Patterns: [3]string{"R-----5-----", "R.35.66.57.6", "R.35.66.57.6"}},
		Piano: Part{Programs: []uint8{0, 3}, Center: 62, Jitter: 0.01, Patterns: [3]string{"C-----------", "..c..c..c..c", "C.cC.cC.cC.c"}},
		Other: []Part{{Programs: []uint8{16, 17}, Center: 62, Jitter: 0.01, Patterns: [3]string{"C-----------", "C-----------", "C-----C-----"}}},
		Lead:  Part{Programs: []uint8{66, 65, 53, 52}, Center: 66, Jitter: 0.014, Patterns: [3]string{"x-.x..x-.x..", "x.xx-.x.xx-.", "x.xx.xx.xx-."}}},
	{Name: "ska", BPM: [2]float64{146, 178}, Meter: m44,
		Major:  []string{"I vi ii V", "I IV V IV", "I I IV V"},
		MinorP: []string{"i iv v i", "i bVII bVI V"},
		Forms:  []string{formQuick, formPop},
		Drums: Part{Jitter: 0.004, Patterns: [3]string{
			"H ..x...x...x...x.;K x.......x.......",
			"K x.......x.......;S ....x.......x...;H ..x...x...x...x.",
			"K x...x...x...x...;S ....X.......X...;O ..x...x...x...x."}},
		Bass:  Part{Programs: []uint8{33, 32}, Center: 40, Jitter: 0.006, Patterns: [3]string{"R-------5-------", "R---3---5---N---", "R---3---5---N---"}},
		Piano: Part{Programs: []uint8{16, 18, 0}, Center: 64, Jitter: 0.006, Patterns: [3]string{"", "!..c...c...c...c.", "!..C...C...C...C."}},
		Other: []Part{{Programs: []uint8{27, 28}, Center: 60, Jitter: 0.005, Strum: 0.005, Patterns: [3]string{"!..c...c...c...c.", "!..C...C...C...C.", "!..C...C...C...C."}}},
		Lead:  Part{Programs: leadHorns, Center: 69, Jitter: 0.01, Patterns: [3]string{"x---x---x-x-x---", "x-x-x-x-x---x---", "x.x.x-x-x-x-x---"}}},
	{Name: "ballad", BPM: [2]float64{60, 78}, Meter: m44,
		Major:  []string{"I vi IV V", "I V vi iii IV I IV V", "I IV vi V"},
		MinorP: []string{"i bVI bVII i", "i iv V i"},
		Forms:  []string{"intro:2 verse:8 chorus:8 verse:8 chorus:8 outro:2", formSteady, "intro:4 verse:8 chorus:8 break:4 chorus:8 outro:4"},
		Drums: Part{Jitter: 0.006, Patterns: [3]string{
			"",
			"K x.......x.......;s ....x.......x...;H x.x.x.x.x.x.x.x.",
			"K x.......x.x.....;S ....x.......x...;H x.x.x.x.x.x.x.x."}},
		Bass:  Part{Programs: []uint8{33, 32, 35}, Center: 40, Jitter: 0.008, Patterns: [3]string{"", "R-------5-------", "R-------R---5---"}},
		Piano: Part{Programs: []uint8{0, 1, 2}, Center: 62, Jitter: 0.012, Patterns: [3]string{"A-A-A-A-A-A-A-A-", "A-A-A-A-A-A-A-A-", "C-------C---C---"}},
		Other: []Part{{Programs: []uint8{48, 49, 89}, Center: 67, Jitter: 0.015, Patterns: [3]string{"", "C---------------", "C-------C-------"}}},
		Lead:  Part{Programs: []uint8{53, 52, 73, 71}, Center: 67, Jitter: 0.015, Patterns: [3]string{"x-------x---x---", "x---x---x-------", "x---x-x-x-------"}}},
	{Name: "waltz", BPM: [2]float64{96, 176}, Meter: m34,
		Major:  []string{"I IV V I", "I vi ii V", "I I V V V V I I"},
		MinorP: []string{"i iv V i", "i bVI iv V"},
		Forms:  []string{"intro:4 verse:16 chorus:16 verse:16 outro:4", "intro:4 verse:8 chorus:8 break:4 verse:8 chorus:8 outro:4"},
		Drums: Part{Jitter: 0.005, Patterns: [3]string{
			"", "K x...........;H ....x...x...", "K x...........;S ....x...x...;H x...x...x..."}},
		Bass:  Part{Programs: []uint8{32, 33, 58}, Center: 40, Jitter: 0.007, Patterns: [3]string{"R-----------", "R-----------", "R-------5---"}},
		Piano: Part{Programs: []uint8{0, 21}, Center: 64, Jitter: 0.009, Patterns: [3]string{"C-----------", "!....c...c...", "!....C...C..."}},
		Other: []Part{{Programs: []uint8{48, 40, 21}, Center: 67, Jitter: 0.012, Patterns: [3]string{"C-----------", "", "C-----------"}}},
		Lead:  Part{Programs: []uint8{40, 73, 21, 53}, Center: 69, Jitter: 0.012, Patterns: [3]string{"x-------x---", "x---x---x---", "x-x-x---x---"}}},
	{Name: "sixeight", BPM: [2]float64{56, 92}, Meter: m68,
		Major:  []string{"I IV I V", "I vi IV V"},
		MinorP: []string{"i bVI bVII i", "i iv i V"},
		Forms:  []string{"intro:4 verse:8 chorus:8 verse:8 chorus:8 outro:4", "intro:2 verse:8 chorus:8 break:4 chorus:8 outro:2"},
		Drums: Part{Jitter: 0.005, Patterns: [3]string{
			"H x.x.x.", "K x.....;S ...x..;H xxxxxx", "K x....x;S ...X..;R xxxxxx"}},
		Bass:  Part{Programs: []uint8{33, 32}, Center: 40, Jitter: 0.007, Patterns: [3]string{"R-----", "R-----", "R--5--"}},
		Piano: Part{Programs: []uint8{0, 1}, Center: 62, Jitter: 0.01, Patterns: [3]string{"AAAAAA", "AAAAAA", "C--C--"}},
		Other: []Part{{Programs: []uint8{48, 89, 19}, Center: 67, Jitter: 0.012, Patterns: [3]string{"C-----", "", "C-----"}}},
		Lead:  Part{Programs: voices, Center: 67, Jitter: 0.014, Patterns: [3]string{"x--x--", "x-xx--", "x.xx-x"}}},
	{Name: "reggae", BPM: [2]float64{66, 84}, Meter: m44,
		Major:  []string{"I IV I V", "I IV", "I V IV V"},
		MinorP: []string{"i iv", "i bVII bVI bVII"},
		Forms:  []string{formPop, formSteady},
		Drums: Part{Jitter: 0.006, Patterns: [3]string{
			"H ..x...x...x...x.;s ........x.......",
			"K ........x.......;s ........x.......;H ..x...x...x...x.",
			"K ........x.......;S ........x.......;H x.x.x.x.x.x.x.x."}},
		Bass:  Part{Programs: []uint8{33, 38}, Center: 38, Jitter: 0.008, Patterns: [3]string{"R-------........", "R---..5-R-...8..", "R---..5-R-.3.5.."}},
		Piano: Part{Programs: []uint8{16, 17}, Center: 62, Jitter: 0.008, Patterns: [3]string{"", "!..c.c...c.c...c.", "!..c.c...c.c...c."}},
		Other: []Part{{Programs: []uint8{27, 28}, Center: 62, Jitter: 0.006, Strum: 0.006, Patterns: [3]string{"!....C.......C...", "!....C.......C...", "!....C.......C..C"}}},
		Lead:  Part{Programs: voices, Center: 66, Jitter: 0.015, Patterns: lead44a}},
	{Name: "disco", BPM: [2]float64{110, 130}, Meter: m44,
		Major:  []string{"ii7 V7 Imaj7 vi7", "I IV ii V"},
		MinorP: []string{"i7 iv7", "i7 iv7 i7 V7"},
		Forms:  []string{formPop, formQuick},
		Drums: Part{Jitter: 0.002, Patterns: [3]string{
			"K x...x...x...x...;H ..x...x...x...x.",
			"K x...x...x...x...;S ....x.......x...;H x.O.x.O.x.O.x.O.",
			"K x...x...x...x...;S ....X.......X...;L ....x.......x...;H xxOxxxOxxxOxxxOx"}},
		Bass:  Part{Programs: []uint8{38, 33, 39}, Center: 40, Jitter: 0.003, Patterns: [3]string{"R---------------", "!R.8.R.8.R.8.R.8.", "!R.8.R.8.R.8.5.8."}},
		Piano: Part{Programs: []uint8{4, 0}, Center: 64, Jitter: 0.005, Patterns: [3]string{"C---------------", "!C...C...C...C...", "!C.C.C.C.C.C.C.C."}},
		Other: []Part{{Programs: []uint8{48, 49}, Center: 70, Jitter: 0.008, Patterns: [3]string{"C---------------", "C-------C-------", "C-------C-------"}},
			{Programs: []uint8{27}, Center: 60, Jitter: 0.004, Strum: 0.004, Patterns: [3]string{"", "!c.c.c.c.c.c.c.c.", "!CcCcCcCcCcCcCcCc"}}},
		Lead: Part{Programs: []uint8{52, 54, 62}, Center: 69, Jitter: 0.01, Patterns: lead44b}},
	{Name: "metal", BPM: [2]float64{132, 176}, Meter: m44,
		MinorP: []string{"i bVI bVII i", "i bII i bVII", "i i bVI bVII"},
		Forms:  []string{formQuick, formPop},
		Drums: Part{Jitter: 0.003, Patterns: [3]string{
			"R x.x.x.x.x.x.x.x.;K x.......x.......",
			"K x.x.x.x.x.x.x.x.;S ....X.......X...;H x.x.x.x.x.x.x.x.",
			"K xxxxxxxxxxxxxxxx;S ....X.......X...;R x.x.x.x.x.x.x.x."}},
		Bass: Part{Programs: []uint8{34, 33}, Center: 36, Jitter: 0.004, Patterns: [3]string{"R---------------", "R-R-R-R-R-R-R-R-", "RRRRRRRRRRRRRRRR"}},
		Other: []Part{{Programs: []uint8{30, 29}, Center: 45, Jitter: 0.004, Strum: 0.004, Patterns: [3]string{"P---------------", "!P.P.P.P.P.P.P.P.", "!PPPPPPPPPPPPPPPP"}},
			{Programs: []uint8{48, 91}, Center: 64, Jitter: 0.01, Patterns: [3]string{"C---------------", "", "C-------C-------"}}},
		Lead: Part{Programs: []uint8{52, 54, 81}, Center: 64, Jitter: 0.01, Patterns: [3]string{"x-------x-------", "x---x---x---x---", "x---x-x-x---x---"}}},
	{Name: "bossa", BPM: [2]float64{120, 146}, Meter: m44,
		Major:  []string{"Imaj7 ii7/V7 Imaj7 ii7/V7", "ii7 V7 Imaj7 Imaj7", "Imaj7 IV7 iii7/vi7 ii7/V7"},
		MinorP: []string{"i7 iv7 i7 V7", "i7 i7 iv7 V7"},
		Forms:  []string{formPop, formSteady},
		Drums: Part{Jitter: 0.005, Patterns: [3]string{
			"s x..x..x...x..x..;H oooooooooooooooo",
			"K x..xx..xx..xx..x;s x..x..x...x..x..;H oooooooooooooooo",
			"K x..xx..xx..xx..x;s x..x..x...x..x..;H xoxoxoxoxoxoxoxo;G xxxxxxxxxxxxxxxx"}},
		Bass:  Part{Programs: []uint8{32, 33}, Center: 40, Jitter: 0.007, Patterns: [3]string{"R-------5-------", "R--5R---5--RR---", "R--5R---5--RR---"}},
		Piano: Part{Programs: []uint8{0, 4}, Center: 62, Jitter: 0.009, Patterns: [3]string{"", "!...c.....c...c..", "!...c..c...c..c.."}},
		Other: []Part{{Programs: []uint8{24}, Center: 57, Jitter: 0.006, Strum: 0.01, Patterns: [3]string{"C--C--C---C--C--", "C--C--C---C--C--", "C--C--C-C-C--C-C"}}},
		Lead:  Part{Programs: []uint8{73, 53, 65, 52}, Center: 69, Jitter: 0.012, Patterns: [3]string{"x---x-x---x-x---", "x-x---x-x---x---", "x-x-x---x-x-x-x-"}}},
	{Name: "hiphop", BPM: [2]float64{80, 98}, Meter: m44, Swing: 0.12,
		Major:  []string{"I vi IV V", "ii7 V7 Imaj7 Imaj7"},
		MinorP: []string{"i7 iv7 i7 bVI", "i7 i7 bVImaj7 V7"},
		Forms:  []string{formPop, formSteady},
		Drums: Part{Jitter: 0.004, Patterns: [3]string{
			"K x......xx.x.....;H x.x.x.x.x.x.x.x.",
			"K x......xx.x.....;S ....x.......x...;H x.x.x.x.x.x.x.x.",
			"K x......xx.x...x.;S ....X.......X...;H xxxxxxxxxxxxxxxx"}},
		Bass:  Part{Programs: []uint8{38, 33, 39}, Center: 36, Jitter: 0.005, Patterns: [3]string{"R---------------", "R-----.R--R-----", "R-----.R--R---5-"}},
		Piano: Part{Programs: []uint8{0, 4, 11}, Center: 64, Jitter: 0.008, Patterns: [3]string{"C-------........", "C-------..c-....", "C-----c-..c-...."}},
		Other: []Part{{Programs: []uint8{48, 89, 95}, Center: 67, Jitter: 0.01, Patterns: [3]string{"C---------------", "", "C---------------"}}},
		Lead:  Part{Programs: []uint8{54, 53, 85}, Center: 64, Jitter: 0.012, Patterns: [3]string{"x-x-x-x-..x-x-..", "x.x.x-x-x.x.x-..", "x.xxx.x.x.xxx-.."}}},
	{Name: "edm", BPM: [2]float64{120, 132}, Meter: m44,
		Major:  []string{"I IV vi V", "I V vi IV"},
		MinorP: []string{"i bVI bVII i", "i i bVI bVII"},
		Forms:  []string{formEDM},
		Drums: Part{Jitter: 0.0005, Patterns: [3]string{
			"K x...x...x...x...",
			"K x...x...x...x...;H ..x...x...x...x.",
			"K x...x...x...x...;L ....x.......x...;H ..O...O...O...O.;A x.x.x.x.x.x.x.x."}},
		Bass: Part{Programs: []uint8{38, 39, 87}, Center: 38, Jitter: 0.0005, Patterns: [3]string{"R---------------", "!..R...R...R...R.", "!.RR.RR.RR.RR.RR."}},
		Other: []Part{{Programs: []uint8{90, 81, 62}, Center: 64, Jitter: 0.0005, Patterns: [3]string{"C---------------", "!C.C.C.C.C.C.C.C.", "!CCCCCCCCCCCCCCCC"}},
			{Programs: []uint8{91, 88, 94}, Center: 70, Jitter: 0.0005, Patterns: [3]string{"", "C---------------", "C---------------"}}},
		Lead: Part{Programs: []uint8{54, 85, 80}, Center: 70, Jitter: 0.001, Patterns: [3]string{"x-x-x-x-x---x---", "x-x-x-x-x-x-x-x-", "x-x-x-x-x-x-x-x-"}}},
	{Name: "jazz", BPM: [2]float64{110, 180}, Meter: m44trip,
		Major:  []string{"ii7 V7 Imaj7 vi7", "Imaj7 vi7 ii7 V7", "ii7/V7 Imaj7 ii7/V7 Imaj7"},
		MinorP: []string{"i7 iv7 V7 i7", "i7 i7 iv7 V7"},
		Forms:  []string{formJazz, "intro:4 verse:8 solo:8 verse:8 solo:8 outro:4"},
		Drums: Part{Jitter: 0.006, Patterns: [3]string{
			"R x..x.xx..x.x;P ...x.....x..",
			"R x..x.xx..x.x;P ...x.....x..;K o.....o.....;S .....o....o.",
			"R x..x.xx..x.x;P ...x.....x..;K x.....x.....;S ..o..o..o.xo"}},
		Bass:  Part{Programs: []uint8{32}, Center: 38, Jitter: 0.008, Patterns: [3]string{"R-----5-----", "R..3..5..N..", "R..3..5..N.."}},
		Piano: Part{Programs: []uint8{0, 1}, Center: 62, Jitter: 0.01, Patterns: [3]string{"C-----------", "..c..c...c..", "..c.cc..c..c"}},
		Other: []Part{{Programs: []uint8{26, 11}, Center: 60, Jitter: 0.01, Patterns: [3]string{"", "c-----c-----", "c-----c-----"}}},
		Lead:  Part{Programs: []uint8{66, 65, 56, 52}, Center: 66, Jitter: 0.014, Patterns: [3]string{"x-.x..x-.x..", "x.xx.xx.xx-.", "x.xx.xx.xx.x"}}},
	// Holdout-only styles.
	{Name: "country", BPM: [2]float64{104, 138}, Meter: m44, Holdout: true,
		Major:  []string{"I IV I V", "I I IV IV V V I I"},
		MinorP: []string{"i iv i V"},
		Forms:  []string{formPop, formSong},
		Drums: Part{Jitter: 0.005, Patterns: [3]string{
			"s ....x.......x...;H x.x.x.x.x.x.x.x.",
			"K x.......x.......;S ....x.......x...;H xxxxxxxxxxxxxxxx",
			"K x.......x.......;S oooxoooooooxoooo;H xxxxxxxxxxxxxxxx"}},
		Bass:  Part{Programs: []uint8{32, 33}, Center: 40, Jitter: 0.007, Patterns: [3]string{"R-------5-------", "R-------5-------", "R---5---R---5---"}},
		Piano: Part{Programs: []uint8{0, 3}, Center: 64, Jitter: 0.008, Patterns: [3]string{"", "!....C.......C...", "!..C...C...C...C."}},
		Other: []Part{{Programs: []uint8{25, 24}, Center: 57, Jitter: 0.007, Strum: 0.012, Patterns: [3]string{"A---A---A---A---", "C-CC-CC-C-CC-CC-", "C-CC-CC-C-CC-CC-"}},
			{Programs: []uint8{110, 40}, Center: 69, Jitter: 0.012, Patterns: [3]string{"", "", "C-------C-------"}}},
		Lead: Part{Programs: []uint8{53, 52, 22}, Center: 67, Jitter: 0.012, Patterns: lead44a}},
	{Name: "punk", BPM: [2]float64{160, 180}, Meter: m44, Holdout: true,
		Major:  []string{"I IV V IV", "I V IV IV"},
		MinorP: []string{"i bVI bVII bVII"},
		Forms:  []string{formQuick},
		Drums: Part{Jitter: 0.005, Patterns: [3]string{
			"H x.x.x.x.x.x.x.x.;K x.......x.......",
			"K x...x...x...x...;S ....x.......x...;H x.x.x.x.x.x.x.x.",
			"K x.x.x.x.x.x.x.x.;S ....X.......X...;C x...x...x...x..."}},
		Bass:  Part{Programs: []uint8{34}, Center: 40, Jitter: 0.005, Patterns: [3]string{"R-------R-------", "R-R-R-R-R-R-R-R-", "R-R-R-R-R-R-R-R-"}},
		Other: []Part{{Programs: []uint8{30, 29}, Center: 48, Jitter: 0.005, Strum: 0.004, Patterns: [3]string{"P---------------", "P-P-P-P-P-P-P-P-", "PPPPPPPPPPPPPPPP"}}},
		Lead:  Part{Programs: []uint8{52, 54}, Center: 66, Jitter: 0.01, Patterns: lead44a}},
	{Name: "latin", BPM: [2]float64{96, 124}, Meter: m44, Holdout: true,
		Major:  []string{"I IV V IV", "ii7 V7 Imaj7 Imaj7"},
		MinorP: []string{"i iv V i", "i7 iv7 V7 i7"},
		Forms:  []string{formPop, formQuick},
		Drums: Part{Jitter: 0.005, Patterns: [3]string{
			"Q x..x..x...x.x...;G xxxxxxxxxxxxxxxx",
			"Q x..x..x...x.x...;U ......xx......xx;u ....x.......x...;W x...x...x...x...",
			"Q x..x..x...x.x...;U ......xx......xx;u ....x.......x...;W x.x.x.x.x.x.x.x.;K x.......x......."}},
		Bass:  Part{Programs: []uint8{32, 33}, Center: 40, Jitter: 0.006, Patterns: [3]string{"R-------5-------", "...5--R-...5--R-", "...5--R-...5--R-"}},
		Piano: Part{Programs: []uint8{0, 1}, Center: 64, Jitter: 0.007, Patterns: [3]string{"C---------------", "!C..C..C..C.C.C..", "!C.CC.CC.CC.C.C.C"}},
		Other: []Part{{Programs: []uint8{61, 56}, Center: 67, Jitter: 0.008, Patterns: [3]string{"", "", "!C.......C..C...."}}},
		Lead:  Part{Programs: []uint8{73, 53, 56}, Center: 69, Jitter: 0.012, Patterns: lead44b}},
	{Name: "polka", BPM: [2]float64{100, 132}, Meter: m24polka, Holdout: true,
		Major:  []string{"I I V I", "I IV V I"},
		MinorP: []string{"i V V i"},
		Forms:  []string{"intro:4 verse:16 chorus:16 verse:16 chorus:16 outro:4"},
		Drums:  Part{Jitter: 0.005, Patterns: [3]string{"K x.......", "K x.......;S ....x...", "K x...x...;S ..x...x.;C x......."}},
		Bass:   Part{Programs: []uint8{58, 32}, Center: 40, Jitter: 0.006, Patterns: [3]string{"R-------", "R---5---", "R---5---"}},
		Piano:  Part{Programs: []uint8{21, 0}, Center: 64, Jitter: 0.007, Patterns: [3]string{"C-------", "!..C...C.", "!..C...C."}},
		Other:  []Part{{Programs: []uint8{56, 57}, Center: 62, Jitter: 0.008, Patterns: [3]string{"", "", "!..C...C."}}},
		Lead:   Part{Programs: []uint8{21, 40, 71}, Center: 72, Jitter: 0.01, Patterns: [3]string{"x-x-x-x-", "x.x.x-x-", "xxx.x-x-"}}},
}

// drumKeys maps drum lane letters to GM percussion keys.
var drumKeys = map[byte]uint8{
	'K': 36, 'S': 38, 's': 37, 'L': 39, 'H': 42, 'P': 44, 'O': 46, 'C': 49, 'R': 51,
	'T': 45, 'M': 47, 't': 50, 'W': 56, 'A': 54, 'G': 70, 'Q': 75, 'U': 63, 'u': 64,
}

// styleByName returns the named style.
func styleByName(name string) (*Style, bool) {
	for i := range styles {
		if styles[i].Name == name {
			return &styles[i], true
		}
	}
	return nil, false
}
