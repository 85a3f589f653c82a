"""Where in frequency a separator loses its drums and bass: per song, the
share of the true stem's energy in each region and the error there, as a
share of the whole stem's energy (the regions' errors add up to the
whole-track error, so the region with the largest error is where the SDR
is decided).

    go build -o /tmp/bsep ./scripts/bench-separate
    /usr/bin/python3 errbands.py /tmp/bsep DATA/dev [CORPUS/dev …] [--out DIR]

Each song's mix is separated by the bench-separate binary given (its
embedded model) into --out/SONG (kept, so a second run only scores); the
STFT is the separator's (periodic Hann, 2048 points, hop 512). A region's
two numbers are energy% / error%: a stem the separator misses entirely
there shows an error as large as its energy.
"""

import argparse
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import sdr, stft  # noqa: E402
from render import read_wav  # noqa: E402
from train import RATE, read_stems, song_dirs  # noqa: E402

EDGES_HZ = [0, 80, 150, 300, 500, 1000, 3000, RATE // 2 + 1]
STEMS = {"drums": 0, "bass": 1}
ABSENT_BELOW = 1e-6  # a stem under this share of the mix's energy is absent, as bench-separate's absentBelow


def regions(true, est):
    """(energy share, error share) per region of EDGES_HZ."""
    s, e = stft(true, 2048), stft(est, 2048)
    f = np.fft.rfftfreq(2048, 1 / RATE)
    energy, err = (np.abs(s) ** 2).sum((0, 2)), (np.abs(s - e) ** 2).sum((0, 2))
    total = energy.sum()
    return [(energy[(f >= lo) & (f < hi)].sum() / total, err[(f >= lo) & (f < hi)].sum() / total)
            for lo, hi in zip(EDGES_HZ, EDGES_HZ[1:])]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("separator", help="a bench-separate binary")
    ap.add_argument("sets", nargs="+")
    ap.add_argument("--out", default="/tmp/errbands")
    a = ap.parse_args()
    head = " ".join(f"{lo}-{hi}" if hi <= RATE // 2 else f">{lo}" for lo, hi in zip(EDGES_HZ, EDGES_HZ[1:]))
    for data in a.sets:
        rows = {s: [] for s in STEMS}
        for d in song_dirs(data):
            out = os.path.join(a.out, os.path.basename(data), os.path.basename(d))
            if not os.path.exists(os.path.join(out, "bass.wav")):
                os.makedirs(out, exist_ok=True)
                subprocess.run([a.separator, "-in", os.path.join(d, "mix.wav"), "-out", out], check=True, stdout=subprocess.DEVNULL)
            true = read_stems(d)
            absent = ABSENT_BELOW * np.sum(true.sum(0) ** 2)
            for stem, i in STEMS.items():
                if np.sum(true[i] ** 2) < absent:
                    continue
                est = read_wav(os.path.join(out, stem + ".wav"))
                n = min(len(est), true.shape[1])
                parts = regions(true[i, :n], est[:n])
                rows[stem].append(parts)
                print(f"{os.path.basename(d):32s} {stem:5s} {sdr(true[i, :n], est[:n]):5.1f} dB | "
                      + " ".join(f"{100 * p:3.0f}/{100 * q:3.0f}" for p, q in parts), flush=True)
        for stem, r in rows.items():
            if r:
                med = np.median(np.array(r), 0)
                print(f"{os.path.basename(data)} {stem} medians, energy/error % by region ({head} Hz): "
                      + " ".join(f"{100 * p:.0f}/{100 * q:.0f}" for p, q in med), flush=True)


if __name__ == "__main__":
    main()
