"""Synthetic-tone songs: drums, bass and other made of sines and noise.

Soundfonts have no pure tones, yet people separate synthesizer music too;
tone_song(seed, seconds) draws one song of such sources, every parameter
from random.Random(seed): a kick (falling sine sweep and click), a noise
snare with a tonal body and noise hi-hats on a random 16-step pattern; a bass
of a few harmonics between 35 and 110 Hz; and other parts of harmonic tones
(sustained chords, decaying plucks, a vibrato lead) panned anywhere. It
returns the stems as float32 (samples, 2) arrays at RATE.

synth_song(seed, seconds) draws a song of synthesized instruments played as
parts: a drum kit whose every voice is drawn anew (kick pitch, decay and
drive, snare filters and body, noise or metallic hats, toms, cymbals,
cowbell), a bass line on a chord progression in one of six timbres with its
own filter and envelope, and pads, plucks, arpeggios, leads and low parts on
the same chords, with reverb: kits and basses that no soundfont has, so that
the model learns drums and bass rather than the training fonts' patches.
"""

import math
import random

import numpy as np
from scipy import signal

RATE = 44100
MAJOR_SCALE = [0, 2, 4, 5, 7, 9, 11]
MINOR_SCALE = [0, 2, 3, 5, 7, 8, 10]


def _env(n, attack, release):
    e = np.ones(n)
    a, r = max(1, int(attack * RATE)), max(1, int(release * RATE))
    e[:a] = np.linspace(0, 1, a)[: min(a, n)] if a <= n else np.linspace(0, 1, n)
    if r < n:
        e[-r:] *= np.linspace(1, 0, r)
    return e


def _pan(x, p):
    """Constant-power pan, p in [-1, 1]."""
    a = (p + 1) * math.pi / 4
    return np.stack([x * math.cos(a), x * math.sin(a)], 1) * math.sqrt(2)


def tone_song(seed, seconds):
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    bpm = rng.uniform(80, 160)
    step = 60 / bpm / 4  # sixteenth, seconds
    steps = int(seconds / step)
    t = np.arange(n) / RATE

    drums = np.zeros(n)
    kick = {s for s in range(16) if (s % 4 == 0 and rng.random() < 0.8) or rng.random() < 0.1}
    snare = {s for s in range(16) if (s % 8 == 4 and rng.random() < 0.9) or rng.random() < 0.05}
    hat_every = rng.choice([1, 2, 2, 4])
    f0, f1, tf, tk = rng.uniform(100, 220), rng.uniform(38, 65), rng.uniform(0.01, 0.05), rng.uniform(0.05, 0.2)
    sn_tone, sn_decay, hat_decay = rng.uniform(140, 260), rng.uniform(0.03, 0.1), rng.uniform(0.005, 0.03)
    for s in range(steps):
        i = int(s * step * RATE)
        if s % 16 in kick:
            m = min(n - i, int(0.4 * RATE))
            tt = np.arange(m) / RATE
            phase = 2 * np.pi * np.cumsum(f1 + (f0 - f1) * np.exp(-tt / tf)) / RATE
            drums[i:i + m] += rng.uniform(0.7, 1) * (np.exp(-tt / tk) * np.sin(phase)
                                                     + 0.4 * np.exp(-tt / 0.002) * nrng.standard_normal(m))
        if s % 16 in snare:
            m = min(n - i, int(0.3 * RATE))
            tt = np.arange(m) / RATE
            drums[i:i + m] += rng.uniform(0.5, 0.8) * (np.exp(-tt / sn_decay) * nrng.standard_normal(m) * 0.6
                                                       + 0.5 * np.exp(-tt / 0.03) * np.sin(2 * np.pi * sn_tone * tt))
        if s % hat_every == 0:
            m = min(n - i, int(0.1 * RATE))
            tt = np.arange(m) / RATE
            noise = np.diff(nrng.standard_normal(m + 1))
            drums[i:i + m] += rng.uniform(0.1, 0.3) * np.exp(-tt / hat_decay) * noise

    bass = np.zeros(n)
    harmonics = [1] + [rng.uniform(0, 0.6) for _ in range(rng.randrange(0, 4))]
    note_steps = rng.choice([2, 4, 4, 8])
    for s in range(0, steps, note_steps):
        f = rng.uniform(35, 110)
        i, m = int(s * step * RATE), int(note_steps * step * RATE)
        m = min(m, n - i)
        tt = np.arange(m) / RATE
        x = sum(a * np.sin(2 * np.pi * f * (k + 1) * tt) for k, a in enumerate(harmonics))
        bass[i:i + m] += x * _env(m, rng.uniform(0.003, 0.02), rng.uniform(0.01, 0.05))

    other = np.zeros((n, 2))
    for _ in range(rng.randrange(1, 4)):
        kind = rng.choice(["pad", "pluck", "lead"])
        pan = rng.uniform(-1, 1)
        part = np.zeros(n)
        length = rng.choice([4, 8, 16, 32]) if kind != "lead" else rng.choice([2, 4, 8])
        partials = rng.randrange(1, 5)
        for s in range(0, steps, length):
            i = int(s * step * RATE)
            m = min(int(length * step * RATE), n - i)
            tt = np.arange(m) / RATE
            freqs = [rng.uniform(150, 2500)] if kind == "lead" else [rng.uniform(150, 1200) * r for r in (1, 1.25, 1.5)]
            for f in freqs:
                vib = 1 + (rng.uniform(0.005, 0.02) * np.sin(2 * np.pi * rng.uniform(4, 7) * tt) if kind == "lead" else 0)
                phase = 2 * np.pi * np.cumsum(f * vib) / RATE
                x = sum(np.sin((k + 1) * phase) / (k + 1) ** rng.uniform(1, 2) for k in range(partials))
                env = np.exp(-tt / rng.uniform(0.2, 1)) if kind == "pluck" else _env(m, rng.uniform(0.01, 0.2), 0.05)
                part[i:i + m] += x * env
        other += _pan(part, pan) * rng.uniform(0.3, 1)

    def level(x, db):
        rms = math.sqrt(float((x ** 2).mean())) + 1e-12
        return x / rms * 10 ** (db / 20)

    return {"drums": _pan(level(drums, -20), rng.uniform(-0.2, 0.2)).astype(np.float32),
            "bass": _pan(level(bass, -20), rng.uniform(-0.2, 0.2)).astype(np.float32),
            "other": level(other, -22).astype(np.float32)}


def _lowpass(x, hz, order=2):
    """x through a Butterworth low-pass at hz (clamped below Nyquist)."""
    b, a = signal.butter(order, min(hz, 0.45 * RATE) / (RATE / 2))
    return signal.lfilter(b, a, x)


def _band(x, lo, hi, order=2):
    """x through a Butterworth band-pass from lo to hi Hz."""
    b, a = signal.butter(order, [lo / (RATE / 2), min(hi, 0.45 * RATE) / (RATE / 2)], "band")
    return signal.lfilter(b, a, x)


def _highpass(x, hz, order=2):
    """x through a Butterworth high-pass at hz."""
    b, a = signal.butter(order, min(hz, 0.45 * RATE) / (RATE / 2), "high")
    return signal.lfilter(b, a, x)


def _adsr(n, rng, attack=(0.001, 0.03), decay=(0.05, 0.6), sustain=(0.0, 1.0), release=(0.005, 0.08)):
    """An attack-decay-sustain-release envelope of n samples, times drawn from the ranges."""
    a, d = int(rng.uniform(*attack) * RATE) + 1, rng.uniform(*decay)
    s, r = rng.uniform(*sustain), int(rng.uniform(*release) * RATE) + 1
    tt = np.arange(n) / RATE
    e = s + (1 - s) * np.exp(-np.maximum(tt - a / RATE, 0) / d)
    e[:a] = np.linspace(0, 1, a)[:n] if a <= n else np.linspace(0, 1, n)
    if r < n:
        e[-r:] *= np.linspace(1, 0, r)
    return e


def _osc(kind, f, n, width=0.5):
    """n samples of a naive oscillator at frequency f (scalar or per sample):
    saw, square/pulse, triangle or sine."""
    ph = np.cumsum(np.broadcast_to(f, (n,)) / RATE) % 1.0
    if kind == "saw":
        return 2 * ph - 1
    if kind == "pulse":
        return np.where(ph < width, 1.0, -1.0)
    if kind == "tri":
        return 4 * np.abs(ph - 0.5) - 1
    return np.sin(2 * np.pi * ph)


def _reverb(x, rng, nrng):
    """x (samples, 2) with a random exponentially decaying noise reverb."""
    wet, rt = rng.uniform(0, 0.35), rng.uniform(0.2, 1.5)
    if wet < 0.05:
        return x
    m = int(rt * RATE)
    tt = np.arange(m) / RATE
    ir = nrng.standard_normal((m, 2)) * np.exp(-6.9 * tt / rt)[:, None]
    ir = _lowpass(ir.T, rng.uniform(2000, 12000)).T
    ir /= math.sqrt(float((ir ** 2).sum()) / 2) + 1e-12
    y = np.stack([signal.fftconvolve(x[:, c], ir[:, c])[: len(x)] for c in range(2)], 1)
    return x + wet * y


class _Kit:
    """A random synthesized drum kit: every voice's parameters drawn once."""

    def __init__(self, rng, nrng):
        self.rng, self.nrng = rng, nrng
        self.kick = dict(f0=rng.uniform(60, 300), f1=rng.uniform(32, 75), tf=rng.uniform(0.005, 0.08),
                         tk=rng.uniform(0.05, 0.6), click=rng.uniform(0, 0.8), drive=rng.choice([1, 1, 2, 5]))
        self.snare = dict(lo=rng.uniform(500, 3000), hi=rng.uniform(4000, 16000), decay=rng.uniform(0.03, 0.3),
                          tone=rng.uniform(120, 320), tone_decay=rng.uniform(0.01, 0.08), mix=rng.uniform(0.1, 0.9),
                          clap=rng.random() < 0.3)
        self.hat = dict(cut=rng.uniform(3000, 12000), closed=rng.uniform(0.005, 0.05), open=rng.uniform(0.1, 0.5),
                        metal=rng.random() < 0.5, freqs=[rng.uniform(200, 900) for _ in range(6)])
        self.toms = [rng.uniform(70, 260) for _ in range(3)]
        self.tom_decay = rng.uniform(0.1, 0.5)
        self.cym = dict(cut=rng.uniform(2000, 8000), decay=rng.uniform(0.4, 2.0), freqs=[rng.uniform(300, 1600) for _ in range(8)])
        self.perc = dict(f=rng.uniform(400, 1200), ratio=rng.uniform(1.3, 1.8), decay=rng.uniform(0.02, 0.15))

    def hit(self, voice, vel):
        rng, nrng = self.rng, self.nrng
        if voice == "kick":
            k = self.kick
            m = int(min(1.0, 5 * k["tk"]) * RATE)
            tt = np.arange(m) / RATE
            f = k["f1"] + (k["f0"] - k["f1"]) * np.exp(-tt / k["tf"])
            x = np.exp(-tt / k["tk"]) * np.sin(2 * np.pi * np.cumsum(f) / RATE)
            x += k["click"] * np.exp(-tt / 0.002) * _highpass(nrng.standard_normal(m), 1000)
            x = np.tanh(k["drive"] * x) / math.tanh(k["drive"])
        elif voice == "snare":
            k = self.snare
            m = int(min(1.0, 5 * k["decay"]) * RATE)
            tt = np.arange(m) / RATE
            env = np.exp(-tt / k["decay"])
            if k["clap"]:
                env = env * (1 + sum(np.exp(-np.maximum(tt - d, 0) / 0.004) * (tt >= d) for d in (0, 0.011, 0.023)))
            x = k["mix"] * env * _band(nrng.standard_normal(m), k["lo"], k["hi"])
            x += (1 - k["mix"]) * np.exp(-tt / k["tone_decay"]) * np.sin(2 * np.pi * k["tone"] * tt)
        elif voice in ("hat", "open"):
            k = self.hat
            decay = k["closed"] if voice == "hat" else k["open"]
            m = int(min(1.5, 5 * decay) * RATE)
            tt = np.arange(m) / RATE
            src = sum(_osc("pulse", f, m) for f in k["freqs"]) if k["metal"] else nrng.standard_normal(m)
            x = 0.5 * np.exp(-tt / decay) * _highpass(src, k["cut"])
        elif voice == "tom":
            f0 = rng.choice(self.toms)
            m = int(min(1.5, 5 * self.tom_decay) * RATE)
            tt = np.arange(m) / RATE
            f = f0 * (1 + 0.5 * np.exp(-tt / 0.03))
            x = np.exp(-tt / self.tom_decay) * np.sin(2 * np.pi * np.cumsum(f) / RATE)
        elif voice == "cymbal":
            k = self.cym
            m = int(min(3.0, 4 * k["decay"]) * RATE)
            tt = np.arange(m) / RATE
            src = sum(_osc("pulse", f, m) for f in k["freqs"]) + nrng.standard_normal(m)
            x = 0.3 * np.exp(-tt / k["decay"]) * _highpass(src, k["cut"])
        else:  # perc: a two-tone cowbell or wood block
            k = self.perc
            m = int(5 * k["decay"] * RATE)
            tt = np.arange(m) / RATE
            x = np.exp(-tt / k["decay"]) * (_osc("pulse", k["f"], m) + _osc("pulse", k["f"] * k["ratio"], m))
            x = 0.3 * _band(x, 0.5 * k["f"], 4 * k["f"])
        return vel * x


def _bass_note(kind, f, m, rng, p):
    """One bass note of m samples at f Hz in timbre kind with parameters p."""
    tt = np.arange(m) / RATE
    glide = f * (1 + p["glide"] * np.exp(-tt / 0.02))
    if kind in ("saw", "pulse", "tri"):
        x = _osc(kind, glide, m, p["width"])
        env = np.exp(-tt / p["fdecay"])
        x = env * _lowpass(x, p["cut"] * 4) + (1 - env) * _lowpass(x, p["cut"])
    elif kind == "fm":
        mod = p["index"] * np.exp(-tt / p["fdecay"]) * np.sin(2 * np.pi * p["ratio"] * np.cumsum(glide) / RATE)
        x = np.sin(2 * np.pi * np.cumsum(glide) / RATE + mod)
    elif kind == "pluck":  # harmonics that decay faster the higher they are
        x = sum(np.exp(-tt * k ** p["damp"] / p["fdecay"]) * np.sin(2 * np.pi * k * f * tt + p["phases"][k]) / k ** p["tilt"]
                for k in range(1, 24) if k * f < 8000)
    else:  # sub: a sine with a little drive, 808-like
        x = np.tanh(p["drive"] * np.sin(2 * np.pi * np.cumsum(glide) / RATE)) / math.tanh(p["drive"])
    return x * _adsr(m, rng, decay=(p["decay"] * 0.7, p["decay"] * 1.4), sustain=(0, p["sustain"]))


def synth_song(seed, seconds):
    """A song of synthesized parts, every parameter from random.Random(seed):
    drums from a random kit (_Kit: kick sweeps of random pitch, decay and
    drive, noise or clap snares with random filters and bodies, noise or
    metallic hats, toms, cymbals, cowbells) on a random pattern with fills;
    a bass line (roots, octaves, walking, syncopated or held notes on a chord
    progression, E1 to A2) in a random timbre (filtered saw, pulse or
    triangle, FM, plucked, driven sine) and envelope; and other parts on the
    same chords: pads, plucks, arpeggios, a vibrato lead and, half of the
    time, a low part an octave above the bass (left-hand chords or power
    chords), each with its own timbre, filter and pan, all with a random
    reverb. Returns the stems as float32 (samples, 2) arrays at RATE."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    bpm = rng.uniform(70, 175)
    step = 60 / bpm / 4
    steps = int(seconds / step)
    swing = rng.choice([0, 0, 0, rng.uniform(0.1, 0.6)])

    def at(s):
        return int((s * step + (swing * step if s % 2 else 0)) * RATE)

    def add(buf, i, x):
        m = min(len(x), n - i)
        if m > 0:
            buf[i:i + m] += x[:m]

    kit = _Kit(rng, nrng)
    pattern = {v: {s for s in range(16) if rng.random() < p} for v, p in
               (("kick", 0.25), ("snare", 0.12), ("hat", 0.5), ("open", 0.06), ("tom", 0.03), ("perc", 0.08))}
    pattern["kick"] |= {0} if rng.random() < 0.9 else set()
    pattern["snare"] |= {4, 12} if rng.random() < 0.7 else set()
    drums = np.zeros(n)
    for s in range(steps):
        bar_step, fill = s % 16, (s // 16) % 4 == 3 and s % 16 >= 12 and rng.random() < 0.6
        for voice in ("kick", "snare", "hat", "open", "tom", "perc"):
            if bar_step in pattern[voice] or (fill and voice == "tom" and rng.random() < 0.5):
                add(drums, at(s), kit.hit(voice, rng.uniform(0.5, 1)))
        if bar_step == 0 and (s // 16) % 4 == 0 and rng.random() < 0.6:
            add(drums, at(s), kit.hit("cymbal", rng.uniform(0.5, 1)))

    root = rng.randrange(28, 46)  # MIDI: E1 to A2
    scale = MINOR_SCALE if rng.random() < 0.4 else MAJOR_SCALE
    prog = [rng.choice([0, 0, 3, 4, 5, 1, 2, 6]) for _ in range(4)]

    def hz(midi):
        return 440 * 2 ** ((midi - 69) / 12)

    def degree(d):
        return root + 12 * (d // 7) + scale[d % 7]

    kind = rng.choice(["saw", "pulse", "tri", "fm", "pluck", "sub"])
    p = dict(glide=rng.choice([0, 0, rng.uniform(0.05, 1)]), width=rng.uniform(0.1, 0.5), cut=rng.uniform(150, 1500),
             fdecay=rng.uniform(0.03, 0.5), index=rng.uniform(0.5, 5), ratio=rng.choice([0.5, 1, 1, 2, 3]),
             damp=rng.uniform(0.3, 1.2), tilt=rng.uniform(0.5, 1.5), phases=[rng.uniform(0, 6.3) for _ in range(25)],
             drive=rng.uniform(1, 4), decay=rng.uniform(0.1, 1.5), sustain=rng.uniform(0, 1))
    line = rng.choice(["roots", "eighths", "octaves", "walking", "syncopated", "held"])
    bass = np.zeros(n)
    hits = {"roots": [0, 8], "eighths": list(range(0, 16, 2)), "octaves": list(range(0, 16, 2)),
            "walking": [0, 4, 8, 12], "syncopated": sorted({0} | {s for s in range(16) if rng.random() < 0.3}),
            "held": [0]}[line]
    for bar in range(steps // 16 + 1):
        chord = prog[bar % len(prog)]
        for j, s in enumerate(hits):
            length = (hits[j + 1] if j + 1 < len(hits) else 16) - s
            pitch = degree(chord)
            if line == "octaves" and j % 2:
                pitch += 12
            elif line == "walking":
                pitch = degree(chord + [0, 2, 4, rng.choice([5, 6, -1])][j % 4])
            elif line == "syncopated" and rng.random() < 0.3:
                pitch += rng.choice([7, 12, -5 if pitch > 33 else 7])
            m = int(length * step * RATE * rng.uniform(0.5, 1.0) if rng.random() < 0.5 else length * step * RATE)
            add(bass, at(16 * bar + s), _bass_note(kind, hz(pitch), m, rng, p))
    if rng.random() < 0.3:
        bass = np.tanh(rng.uniform(1, 3) * bass / (np.abs(bass).max() + 1e-9))

    other = np.zeros((n, 2))
    kinds = ["pad", "pluck", "arp", "lead"] + (["low"] if rng.random() < 0.5 else [])
    for kind_o in rng.sample(kinds, rng.randrange(1, len(kinds) + 1)):
        part = np.zeros(n)
        osc = rng.choice(["saw", "pulse", "tri", "sine"])
        cut, width = rng.uniform(600, 8000), rng.uniform(0.1, 0.5)
        octave = {"pad": 2, "pluck": 2, "arp": 3, "lead": 3, "low": 1}[kind_o]
        for bar in range(steps // 16 + 1):
            chord = prog[bar % len(prog)]
            tones = [degree(chord + k) + 12 * octave for k in (0, 2, 4)]
            if kind_o == "low" and rng.random() < 0.5:
                tones = [tones[0], tones[0] + 7, tones[0] + 12]  # power chord
            if kind_o == "pad":
                events = [(0, 16, tones)]
            elif kind_o == "pluck" or kind_o == "low":
                every = rng.choice([2, 4, 8])
                events = [(s, every, tones) for s in range(0, 16, every) if rng.random() < 0.8]
            elif kind_o == "arp":
                events = [(s, 1, [tones[s % 3] + 12 * ((s // 3) % 2)]) for s in range(16)]
            else:
                events, s = [], 0
                while s < 16:
                    length = rng.choice([1, 2, 2, 4, 6])
                    if rng.random() < 0.8:
                        events.append((s, length, [degree(chord + rng.randrange(-2, 8)) + 12 * octave]))
                    s += length
            for s, length, notes in events:
                m = int(length * step * RATE)
                tt = np.arange(m) / RATE
                for midi in notes:
                    f = hz(midi)
                    if kind_o == "lead":
                        f = f * (1 + 0.01 * np.sin(2 * np.pi * rng.uniform(4, 7) * tt))
                    x = _osc(osc, f, m, width)
                    env = _adsr(m, rng, attack=(0.05, 0.4) if kind_o == "pad" else (0.001, 0.02),
                                decay=(0.1, 0.5) if kind_o in ("pluck", "arp", "low") else (1, 3),
                                sustain=(0, 0.3) if kind_o in ("pluck", "arp") else (0.5, 1))
                    add(part, at(16 * bar + s), x * env)
        part = _lowpass(part, cut)
        if kind_o == "low" and rng.random() < 0.5:
            part = np.tanh(3 * part / (np.abs(part).max() + 1e-9))
        gain = rng.uniform(0.2, 0.6) if kind_o == "low" else rng.uniform(0.3, 1)
        other += _pan(part / (math.sqrt(float((part ** 2).mean())) + 1e-12), rng.uniform(-1, 1)) * gain

    def level(x, db):
        rms = math.sqrt(float((x ** 2).mean())) + 1e-12
        return x / rms * 10 ** (db / 20)

    def stereo(x, width):
        return _pan(x, rng.uniform(-width, width))

    return {"drums": _reverb(level(stereo(drums, 0.3), -20), rng, nrng).astype(np.float32),
            "bass": _reverb(level(stereo(bass, 0.1), -20), rng, nrng).astype(np.float32),
            "other": _reverb(level(other, -22), rng, nrng).astype(np.float32)}
