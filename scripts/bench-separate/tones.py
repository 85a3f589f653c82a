"""Synthetic-tone songs: drums, bass and other made of sines and noise.

Soundfonts have no pure tones, yet people separate synthesizer music too;
tone_song(seed, seconds) draws one song of such sources, every parameter
from random.Random(seed): a kick (falling sine sweep and click), a noise
snare with a tonal body and noise hi-hats on a random 16-step pattern; a bass
of a few harmonics between 35 and 110 Hz; and other parts of harmonic tones
(sustained chords, decaying plucks, a vibrato lead) panned anywhere. It
returns the stems as float32 (samples, 2) arrays at RATE.
"""

import math
import random

import numpy as np

RATE = 44100


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
