"""Procedural multi-instrument arrangements as General MIDI parts.

arrange(seed, style, seconds) returns a Song: the tempo and, per stem
("drums", "bass", "other"), a list of MIDI events. Styles differ in tempo,
meter, swing, drum pattern, bass line, comping and lead instruments; every
choice is drawn from random.Random(seed), so a seed is one song.

write_midi(path, bpm, events, end_beats) writes a format-0 Standard MIDI
File; the stems of one song all end at the same time, so their renders line
up sample for sample.
"""

import random
import struct

TPQ = 480  # ticks per quarter note

# GM drum notes.
KICK, KICK2, SNARE, SNARE2, STICK, CLAP = 36, 35, 38, 40, 37, 39
HAT, PEDAL, OPEN, CRASH, CRASH2, RIDE, BELL = 42, 44, 46, 49, 57, 51, 53
TOMS = [41, 43, 45, 47, 48, 50]
TAMB, COWBELL, SHAKER, CONGA_HI, CONGA_LO, BONGO, CLAVES = 54, 56, 82, 63, 64, 60, 75

BASS_PROGRAMS = list(range(32, 40))  # acoustic, finger, pick, fretless, slap ×2, synth ×2

# Drum grids: one string per instrument, a character per step (16 steps a
# bar in 4/4, 12 in 3/4): digits are velocities /9, '.' is a rest, '?' a
# ghost note played half the time.
STYLES = {
    "rock": dict(bpm=(100, 140), meter=4, swing=0, bass=[33, 34], bass_line="eighths",
                 comp=[29, 30, 27, 25, 0, 18], comp_rhythm="strum8", lead=[29, 30, 81, 65],
                 drums={KICK: "9...5...9.5.....", SNARE: "....9.......9...", HAT: "7.5.7.5.7.5.7.5."}),
    "pop": dict(bpm=(90, 125), meter=4, swing=0, bass=[33, 38, 34], bass_line="pop",
                comp=[0, 4, 48, 89, 24, 5], comp_rhythm="pulse", lead=[73, 80, 54, 11, 12],
                drums={KICK: "9.....7.9.......", SNARE: "....9.......9...", HAT: "6.6.6.6.6.6.6.6.", TAMB: "....5.......5..."}),
    "funk": dict(bpm=(92, 112), meter=4, swing=0, bass=[36, 37, 33], bass_line="funk",
                 comp=[28, 27, 4, 16, 61], comp_rhythm="stabs", lead=[61, 66, 62, 17],
                 drums={KICK: "9..7..9...9..7..", SNARE: "....9..?.?..9..?", HAT: "6464646464646464"}),
    "jazz": dict(bpm=(110, 180), meter=4, swing=0.6, bass=[32, 32, 35], bass_line="walking",
                 comp=[0, 1, 26, 4, 11], comp_rhythm="charleston", lead=[65, 66, 56, 57, 73, 71],
                 drums={RIDE: "7...6.57...6.57.", PEDAL: "....6.......6...", KICK: "4.......4.......", STICK: "............?..."}),
    "bossa": dict(bpm=(120, 150), meter=4, swing=0, bass=[32, 33, 35], bass_line="bossa",
                  comp=[24, 25, 0, 4], comp_rhythm="bossa", lead=[73, 65, 22, 52],
                  drums={KICK: "7..5...57..5...5", STICK: "7..7..7...7..7..", SHAKER: "5353535353535353"}),
    "reggae": dict(bpm=(70, 90), meter=4, swing=0.3, bass=[33, 38, 32], bass_line="reggae",
                   comp=[16, 17, 27, 4], comp_rhythm="skank", lead=[56, 61, 80],
                   drums={KICK: "........9.......", SNARE: "........9.......", HAT: "6.5.6.5.6.5.6.5.", STICK: "....5.......5..."}),
    "disco": dict(bpm=(112, 128), meter=4, swing=0, bass=[33, 38, 36], bass_line="octaves",
                  comp=[48, 49, 27, 4, 62], comp_rhythm="offbeat", lead=[48, 61, 81, 50],
                  drums={KICK: "9...9...9...9...", CLAP: "....9.......9...", OPEN: "..7...7...7...7.", HAT: "5.5.5.5.5.5.5.5."}),
    "techno": dict(bpm=(120, 135), meter=4, swing=0, bass=[38, 39], bass_line="offbeat",
                   comp=[81, 90, 88, 91, 95], comp_rhythm="arp16", lead=[80, 81, 87, 84],
                   drums={KICK: "9...9...9...9...", OPEN: "..7...7...7...7.", CLAP: "....8.......8...", SHAKER: "3333333333333333"}),
    "hiphop": dict(bpm=(80, 98), meter=4, swing=0.4, bass=[38, 39, 33], bass_line="sparse",
                   comp=[4, 5, 0, 89, 11], comp_rhythm="pad", lead=[80, 11, 73, 71],
                   drums={KICK: "9.....9...7.....", SNARE: "....9.......9...", HAT: "6565656565656565"}),
    "ballad": dict(bpm=(60, 80), meter=4, swing=0, bass=[33, 35, 32], bass_line="roots",
                   comp=[0, 1, 48, 49, 89, 4], comp_rhythm="arp8", lead=[40, 73, 71, 68, 42],
                   drums={KICK: "9.......7.5.....", STICK: "....7.......7...", HAT: "5.4.5.4.5.4.5.4."}),
    "metal": dict(bpm=(140, 180), meter=4, swing=0, bass=[34, 33], bass_line="eighths",
                  comp=[30, 29], comp_rhythm="power", lead=[30, 81],
                  drums={KICK: "9.9.9.9.9.9.9.9.", SNARE: "....9.......9...", CRASH: "7...7...7...7..."}),
    "country": dict(bpm=(100, 130), meter=4, swing=0.2, bass=[32, 33], bass_line="two_beat",
                    comp=[25, 24, 105, 0], comp_rhythm="boomchick", lead=[40, 22, 110, 25],
                    drums={KICK: "9.......9.......", SNARE: "....8.......8...", HAT: "5.5.5.5.5.5.5.5."}),
    "waltz": dict(bpm=(90, 160), meter=3, swing=0, bass=[32, 33, 35], bass_line="waltz",
                  comp=[0, 21, 48, 46], comp_rhythm="waltz", lead=[40, 71, 73, 68],
                  drums={KICK: "9...........", STICK: "....6...6...", HAT: "5.4.5.4.5.4."}),
    "latin": dict(bpm=(95, 125), meter=4, swing=0, bass=[33, 32], bass_line="tumbao",
                  comp=[0, 56, 24, 11], comp_rhythm="montuno", lead=[56, 65, 73],
                  drums={CONGA_HI: "..7...7...7.7...", CONGA_LO: "7...7.......7...", COWBELL: "7.5.7.5.7.5.7.5.",
                         CLAVES: "7..7..7...7.7...", KICK: "...7.......7...."}),
    "blues": dict(bpm=(70, 110), meter=4, swing=0.65, bass=[33, 32], bass_line="boogie",
                  comp=[0, 16, 27, 17], comp_rhythm="shuffle", lead=[65, 22, 27, 66],
                  drums={KICK: "9.......7.......", SNARE: "....9.......9...", RIDE: "6..46..46..46..4"}),
    "cinematic": dict(bpm=(70, 100), meter=4, swing=0, bass=[33, 35, 38], bass_line="roots",
                      comp=[48, 49, 50, 60, 89, 52], comp_rhythm="pad", lead=[40, 60, 73, 71, 56],
                      drums={KICK: "9.......9.......", TOMS[2]: "......5.......5.", SNARE: "............9...", CRASH: "5..............."}),
}

MAJOR = [0, 2, 4, 5, 7, 9, 11]
MINOR = [0, 2, 3, 5, 7, 8, 10]
PROGRESSIONS = [[0, 4, 5, 3], [0, 5, 3, 4], [1, 4, 0, 0], [0, 3, 4, 3], [5, 3, 0, 4], [0, 0, 3, 4],
                [0, 6, 5, 4], [0, 3, 0, 4], [0, 2, 3, 4], [0, 5, 1, 4]]


class Song:
    """One arrangement: its style, tempo, meter and events per stem."""

    def __init__(self, style, bpm, meter, bars):
        self.style, self.bpm, self.meter, self.bars = style, bpm, meter, bars
        self.parts = {"drums": [], "bass": [], "other": []}

    @property
    def end_beats(self):
        return self.bars * self.meter + 2  # two beats for the last notes to ring


def arrange(seed, style=None, seconds=30.0):
    """Returns the Song of seed in style (a random style when None)."""
    rng = random.Random(seed)
    style = style or rng.choice(sorted(STYLES))
    st = STYLES[style]
    bpm = rng.uniform(*st["bpm"])
    meter = st["meter"]
    bars = max(4, round(seconds * bpm / 60 / meter))
    song = Song(style, bpm, meter, bars)
    steps = 4 * meter  # sixteenth steps per bar
    swing = st["swing"] * rng.uniform(0.5, 1.0)
    root = rng.randrange(12)
    scale = MINOR if rng.random() < 0.4 else MAJOR
    prog = rng.choice(PROGRESSIONS)
    if style == "blues":
        prog = [0, 3, 0, 0, 3, 3, 0, 0, 4, 3, 0, 4]

    def t(bar, step):
        """Tick of a sixteenth step, swung: odd eighths are delayed."""
        beat, sub = divmod(step, 4)
        pos = sub / 4
        if swing and sub == 2:
            pos += swing / 6
        return int(((bar * meter) + beat + pos) * TPQ)

    def chord(bar, octave=4, size=3, seventh=False):
        deg = prog[bar % len(prog)]
        notes = []
        for k in range(size + (1 if seventh else 0)):
            d = deg + 2 * k
            notes.append(12 * octave + root + scale[d % 7] + 12 * (d // 7))
        return notes

    def note(part, ch, tick, dur, pitch, vel):
        vel = max(1, min(127, int(vel)))
        pitch = max(0, min(127, pitch))
        song.parts[part].append((tick, 0x90 | ch, pitch, vel))
        song.parts[part].append((tick + max(1, int(dur)), 0x80 | ch, pitch, 0))

    def program(part, ch, prog_no, pan, vol):
        song.parts[part] += [(0, 0xC0 | ch, prog_no), (0, 0xB0 | ch, 10, pan), (0, 0xB0 | ch, 7, vol),
                             (0, 0xB0 | ch, 91, rng.randrange(0, 60))]

    # Drums on channel 10; a fill and a crash every 4 or 8 bars.
    program("drums", 9, 0 if rng.random() < 0.6 else rng.choice([8, 16, 24, 25, 32, 40]), 64, rng.randrange(90, 120))
    kit = dict(st["drums"])
    if rng.random() < 0.3 and HAT in kit:  # swap hats for the ride
        kit[RIDE] = kit.pop(HAT)
    phrase = rng.choice([4, 8])
    dyn = rng.uniform(0.75, 1.05)
    for bar in range(bars):
        fill = bar % phrase == phrase - 1 and rng.random() < 0.7
        for inst, grid in kit.items():
            for s, c in enumerate(grid[:steps]):
                if fill and s >= steps // 2 and inst != KICK:
                    continue
                if c == "?":
                    if rng.random() < 0.5:
                        note("drums", 9, t(bar, s), TPQ / 4, inst, 35 * dyn)
                    continue
                if c == ".":
                    if inst == KICK and rng.random() < 0.03:
                        note("drums", 9, t(bar, s), TPQ / 4, inst, 70 * dyn)
                    continue
                vel = int(c) / 9 * 120 * dyn * rng.uniform(0.85, 1.0)
                note("drums", 9, t(bar, s), TPQ / 4, inst, vel)
        if fill:
            toms = sorted(rng.sample(TOMS, 3), reverse=True)
            for s in range(steps // 2, steps):
                if rng.random() < 0.8:
                    inst = SNARE if rng.random() < 0.3 else toms[(s * 3) // steps % 3]
                    note("drums", 9, t(bar, s), TPQ / 4, inst, rng.uniform(80, 120) * dyn)
        if bar % phrase == 0 and (bar > 0 or rng.random() < 0.5):
            note("drums", 9, t(bar, 0), TPQ, rng.choice([CRASH, CRASH2]), 110 * dyn)

    # Bass on channel 1.
    program("bass", 0, rng.choice(st["bass"]), rng.randrange(54, 74), rng.randrange(95, 125))
    bass_oct = rng.choice([2, 2, 3])

    def bass_pitch(bar, degree_step=0, octave_up=0):
        deg = prog[bar % len(prog)] + degree_step
        p = 12 * bass_oct + root + scale[deg % 7] + 12 * (deg // 7) + 12 * octave_up
        while p > 55:
            p -= 12
        while p < 28:
            p += 12
        return p

    line = st["bass_line"]
    for bar in range(bars):
        r = bass_pitch(bar)
        v = rng.uniform(90, 115)
        if line == "eighths":
            for s in range(0, steps, 2):
                note("bass", 0, t(bar, s), TPQ / 2 * 0.9, r, v * rng.uniform(0.85, 1))
        elif line == "pop":
            for s, d, step in [(0, 3, 0), (3, 1, 0), (6, 2, 0), (8, 4, 4), (12, 2, 0), (14, 2, 2)]:
                note("bass", 0, t(bar, s), TPQ / 4 * d * 0.95, bass_pitch(bar, step), v)
        elif line == "funk":
            for s in range(steps):
                if rng.random() < [0.95, 0.3, 0.5, 0.6][s % 4]:
                    oct_up = 1 if rng.random() < 0.25 else 0
                    note("bass", 0, t(bar, s), TPQ / 4 * 0.7, r + 12 * oct_up, v * rng.uniform(0.7, 1.1))
        elif line == "walking":
            p = r
            for b in range(meter):
                note("bass", 0, t(bar, 4 * b), TPQ * 0.9, p, v * rng.uniform(0.85, 1))
                nxt = bass_pitch(bar + 1) if b == meter - 1 else p + rng.choice([-3, -2, -1, 1, 2, 3, 4, 5])
                p = max(28, min(55, nxt))
        elif line == "bossa":
            for s, d, step in [(0, 3, 0), (3, 1, 4), (8, 3, 4), (11, 1, 0)]:
                note("bass", 0, t(bar, s), TPQ / 4 * d, bass_pitch(bar, step), v)
        elif line == "reggae":
            for s, d in [(2, 2), (4, 1), (6, 3), (11, 1), (12, 2)]:
                if rng.random() < 0.85:
                    note("bass", 0, t(bar, s), TPQ / 4 * d, bass_pitch(bar, rng.choice([0, 0, 2, 4])), v)
        elif line == "octaves":
            for s in range(0, steps, 2):
                note("bass", 0, t(bar, s), TPQ / 2 * 0.6, r + (12 if s % 4 == 2 else 0), v)
        elif line == "offbeat":
            for b in range(meter):
                note("bass", 0, t(bar, 4 * b + 2), TPQ / 2 * 0.8, r, v)
                if rng.random() < 0.3:
                    note("bass", 0, t(bar, 4 * b + 3), TPQ / 4 * 0.8, r, v * 0.8)
        elif line == "sparse":
            note("bass", 0, t(bar, 0), TPQ * 1.5, r, v)
            note("bass", 0, t(bar, 6), TPQ * 0.5, r, v * 0.9)
            if rng.random() < 0.5:
                note("bass", 0, t(bar, 10), TPQ, bass_pitch(bar, rng.choice([4, 6])), v * 0.9)
        elif line == "roots":
            note("bass", 0, t(bar, 0), TPQ * meter * 0.5, r, v)
            note("bass", 0, t(bar, 8), TPQ * meter * 0.45, bass_pitch(bar, rng.choice([0, 4])), v * 0.9)
        elif line == "two_beat":
            note("bass", 0, t(bar, 0), TPQ * 0.9, r, v)
            note("bass", 0, t(bar, 8), TPQ * 0.9, bass_pitch(bar, 4), v)
        elif line == "waltz":
            note("bass", 0, t(bar, 0), TPQ * 0.95, r, v)
            if rng.random() < 0.4:
                note("bass", 0, t(bar, 8), TPQ * 0.9, bass_pitch(bar, 4), v * 0.85)
        elif line == "tumbao":
            note("bass", 0, t(bar, 3), TPQ * 1.2, bass_pitch(bar, 4), v)
            note("bass", 0, t(bar, 8), TPQ * 0.7, r, v)
            note("bass", 0, t(bar, 11), TPQ * 1.2, r, v)
        elif line == "boogie":
            for b in range(meter):
                step = [0, 2, 4, 5][b]
                note("bass", 0, t(bar, 4 * b), TPQ * 0.55, bass_pitch(bar, step), v)
                note("bass", 0, t(bar, 4 * b + 2), TPQ * 0.4, bass_pitch(bar, step), v * 0.8)

    # Comping instrument (channel 2), sometimes a second one (channel 4)
    # doubling low roots, and a lead (channel 3) in some bars.
    comp_prog = rng.choice(st["comp"])
    program("other", 1, comp_prog, rng.randrange(20, 108), rng.randrange(70, 110))
    rh = st["comp_rhythm"]
    octave = rng.choice([3, 4, 4])
    seventh = rng.random() < (0.8 if style in ("jazz", "bossa") else 0.25)
    for bar in range(bars):
        c = chord(bar, octave, 3, seventh)
        v = rng.uniform(60, 100)

        def hit(s, dur, notes=c, vel=v):
            for p in notes:
                note("other", 1, t(bar, s), dur, p, vel * rng.uniform(0.9, 1.05))

        if rh == "strum8":
            for s in range(0, steps, 2):
                hit(s, TPQ / 2 * 0.9)
        elif rh == "pulse":
            for s in range(0, steps, 4):
                hit(s, TPQ * 0.9)
        elif rh == "stabs":
            for s in range(steps):
                if rng.random() < [0.2, 0.2, 0.5, 0.3][s % 4]:
                    hit(s, TPQ / 4 * 0.8)
        elif rh == "charleston":
            hit(0, TPQ * 0.7)
            hit(6, TPQ * 0.4)
            if rng.random() < 0.5:
                hit(10, TPQ * 0.5)
        elif rh == "bossa":
            for s in [0, 3, 6, 10, 12]:
                hit(s, TPQ / 4 * 2)
        elif rh == "skank":
            for b in range(meter):
                hit(4 * b + 2, TPQ / 4)
        elif rh == "offbeat":
            for b in range(meter):
                hit(4 * b + 2, TPQ / 2 * 0.8)
        elif rh == "arp16":
            seq = c + [c[0] + 12]
            for s in range(steps):
                hit(s, TPQ / 4 * 0.9, [seq[s % len(seq)]], v * 0.8)
        elif rh == "arp8":
            seq = c + [c[0] + 12, c[1] + 12]
            for s in range(0, steps, 2):
                hit(s, TPQ * 0.9, [seq[(s // 2) % len(seq)]], v * 0.8)
        elif rh == "pad":
            hit(0, TPQ * meter * 0.98)
        elif rh == "power":
            r = c[0] - 12
            for s in range(0, steps, 2):
                hit(s, TPQ / 2 * 0.8, [r, r + 7, r + 12], v)
        elif rh == "boomchick":
            for b in range(meter):
                hit(4 * b + 2, TPQ / 2 * 0.8)
        elif rh == "waltz":
            for b in (1, 2):
                hit(4 * b, TPQ * 0.8)
        elif rh == "montuno":
            seq = c + [c[0] + 12]
            for s in range(0, steps, 2):
                if s % 8 != 6:
                    hit(s + (1 if s % 4 == 2 else 0), TPQ / 4 * 1.5, [seq[(s // 2) % len(seq)], seq[(s // 2) % len(seq)] + 12])
        elif rh == "shuffle":
            for b in range(meter):
                hit(4 * b + 2, TPQ / 2 * 0.7)

    if rng.random() < 0.5:  # piano left hand, cello or low pad overlapping the bass range
        low = rng.choice([0, 1, 42, 48, 89, 19, 70, 58])
        program("other", 4, low, rng.randrange(30, 98), rng.randrange(60, 100))
        for bar in range(bars):
            p = chord(bar, 3)[0] - (12 if rng.random() < 0.5 else 0)
            for b in range(0, meter, 2 if meter == 4 else 3):
                note("other", 4, t(bar, 4 * b), TPQ * 1.9, p, rng.uniform(50, 90))

    if rng.random() < 0.8:  # lead melody on the scale, with rests
        program("other", 2, rng.choice(st["lead"]), rng.randrange(30, 98), rng.randrange(80, 115))
        deg = rng.randrange(7)
        lead_oct = rng.choice([5, 5, 6])
        for bar in range(bars):
            if rng.random() < 0.35:
                continue
            s = 0
            while s < steps:
                d = rng.choice([2, 2, 4, 4, 6, 8])
                if rng.random() < 0.8:
                    deg = max(-3, min(10, deg + rng.choice([-2, -1, -1, 1, 1, 2, 0, 3])))
                    p = 12 * lead_oct + root + scale[deg % 7] + 12 * (deg // 7)
                    note("other", 2, t(bar, s), TPQ / 4 * d * 0.9, p, rng.uniform(75, 110))
                s += d

    if rng.random() < 0.3:  # strings or pad holding the chords
        program("other", 5, rng.choice([48, 49, 50, 89, 91, 52]), rng.randrange(20, 108), rng.randrange(50, 85))
        for bar in range(bars):
            for p in chord(bar, 4):
                note("other", 5, t(bar, 0), TPQ * meter * 0.98, p, 60)
    return song


def _vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def tempo(tick, bpm):
    """The set-tempo meta event of bpm at tick."""
    return (tick, 0xFF, 0x51, 3) + tuple(int(60e6 / bpm).to_bytes(3, "big"))


def write_midi(path, bpm, events, end_beats):
    """Writes events (tick, status, data...) as a format-0 SMF ending at
    end_beats, at bpm (None: events holds its own tempo events)."""
    body = bytearray()
    if bpm is not None:
        events = [tempo(0, bpm)] + list(events)
    now = 0
    # Meta events and controllers first at a tick, then note-offs, note-ons.
    order = {0xF0: 0, 0xB0: 0, 0xC0: 0, 0x80: 1, 0x90: 2}
    for ev in sorted(events, key=lambda e: (e[0], order[e[1] & 0xF0])):
        tick = ev[0]
        body += _vlq(tick - now) + bytes(ev[1:])
        now = tick
    end = int(end_beats * TPQ)
    body += _vlq(max(0, end - now)) + b"\xff\x2f\x00"
    with open(path, "wb") as f:
        f.write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, TPQ))
        f.write(b"MTrk" + struct.pack(">I", len(body)) + body)
