// Package corpus generates the evaluation material the analysis and the
// stem separator are measured against: multi-instrument arrangements built
// from code in many styles, with a known truth (tempo map, beats, downbeats,
// meter, key, sections, note onsets), each part rendered separately per stem
// (drums, bass, vocals, piano, other) with FluidSynth or TiMidity and several
// soundfonts, the mix being the exact sample sum of the stems.
//
// Everything is deterministic from a seed. Built tracks are cached under
// ~/.cache/phonoglyph/corpus/<Version>/<set>/<id>/ so scripts never render
// twice; a track is complete when its truth.json exists.
//
// Sets: "dev" and "dev2" (for tuning; dev2 has other seeds and every style,
// on dev's renderers), "holdout" (never tuned on: other seeds, and
// styles, soundfonts and a renderer that dev does not use), "long" (10+
// minute tracks), "planetblupi" (the real MIDI songs of Debian's
// planetblupi-music-midi, rendered the same way) and "controls" (negative
// controls: a steady sine, a sustained pad, white and pink noise).
package corpus
