"""The ceiling of mask separation on a set: the SDR of ideal masks, computed
from the true stems, for drums and bass, and that of an ideal multichannel
Wiener filter.

    /usr/bin/python3 oracle.py DATA/holdout2 [DATA/dev …] [--n 2048,8192]

For each set and frame length N (periodic Hann, hop N/4, as the separator's
STFT at 44.1 kHz), the medians over songs of the whole-track SDR (as
bench-separate computes it) of four masks applied to the mix's STFT:

  - band IRM and band PSM (only at N = 2048): one gain per frame and band of
    the model's bands (train.EDGES), the stem's share of the band power
    (ideal ratio mask) or the phase-sensitive gain Re(Σ S·X*)/Σ|X|² clipped
    to [0, 1] (the best band gain a mask model can give);
  - bin IRM and bin PSM: the same per bin;

and of one filter that is not a mask:

  - MWF: the multichannel Wiener filter of the three stems (drums, bass,
    other), each bin's 2×2 gain v_j·R_j·(Σ_k v_k·R_k)⁻¹ from every stem's
    power v_k per bin and frame and its spatial covariance R_k per bin over
    the song (normalised to trace 1), all from the true stems. With one R
    for every stem it is the bin IRM, so its margin over bin IRM is what
    the stems' placement between the channels adds.

The model's masks are band masks at N = 2048, so band PSM bounds what any
mask model of the separator can reach on the set; MWF is a bound of a
different kind, for separators that also estimate where each stem sits.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import BAND_OF_BIN, EDGES, N, read_stems, song_dirs  # noqa: E402


def stft(x, n):
    """Frames of x (samples, channels) padded by n zeros at both ends:
    (frames, n/2+1 bins, channels)."""
    w = np.hanning(n + 1)[:-1]
    x = np.pad(x, ((n, n), (0, 0)))
    hop = n // 4
    idx = np.arange(n)[None, :] + hop * np.arange((x.shape[0] - n) // hop + 1)[:, None]
    return np.fft.rfft(x[idx, :] * w[None, :, None], axis=1)


def istft(spec, n, length):
    """The signal of spec (as stft gives it), by weighted overlap-add."""
    w = np.hanning(n + 1)[:-1]
    hop = n // 4
    frames = np.fft.irfft(spec, n=n, axis=1) * w[None, :, None]
    total = (spec.shape[0] - 1) * hop + n
    out, norm = np.zeros((total, spec.shape[2])), np.zeros(total)
    for i, f in enumerate(frames):
        out[i * hop:i * hop + n] += f
        norm[i * hop:i * hop + n] += w ** 2
    return (out / np.maximum(norm, 1e-8)[:, None])[n:n + length]


def sdr(s, e):
    """Whole-track SDR of the estimate e of s, in dB."""
    return 10 * np.log10(np.sum(s ** 2) / max(np.sum((s - e) ** 2), 1e-20))


def band_sum(v):
    """Sums (frames, bins) over the model's bands."""
    return np.add.reduceat(v, EDGES[:-1], axis=1)


def wiener(mix_spec, specs):
    """The multichannel Wiener estimates of stems 0 (drums) and 1 (bass)
    from the true spectra specs (see the module doc): (frames, bins,
    channels) each."""
    power = [(np.abs(s) ** 2).mean(-1) for s in specs]  # (frames, bins)
    cov = []
    for s in specs:
        r = np.einsum("fbi,fbj->bij", s, s.conj())  # (bins, 2, 2) over the song
        cov.append(r / (np.trace(r, axis1=1, axis2=2).real[:, None, None] + 1e-30))
    eps = 1e-10 * np.mean(np.abs(mix_spec) ** 2) * np.eye(mix_spec.shape[-1])
    total = sum(p[..., None, None] * r[None] for p, r in zip(power, cov)) + eps
    inv = np.linalg.inv(total)  # (frames, bins, 2, 2)
    return [np.einsum("fbij,fbj->fbi", power[i][..., None, None] * cov[i][None] @ inv, mix_spec) for i in range(2)]


def masks(mix_spec, specs, n):
    """The ideal masks of stems 0 (drums) and 1 (bass), by name: per stem a
    (frames, bins) gain."""
    power = [(np.abs(s) ** 2).sum(-1) for s in specs]
    mix_power = (np.abs(mix_spec) ** 2).sum(-1)
    out = {}
    for i in range(2):
        cross = (specs[i] * mix_spec.conj()).real.sum(-1)
        m = {"bin IRM": power[i] / (sum(power) + 1e-12), "bin PSM": np.clip(cross / (mix_power + 1e-12), 0, 1)}
        if n == N:
            bands = [band_sum(p) for p in power]
            m["band IRM"] = (bands[i] / (sum(bands) + 1e-12))[:, BAND_OF_BIN.numpy()]
            m["band PSM"] = np.clip(band_sum(cross) / (band_sum(mix_power) + 1e-12), 0, 1)[:, BAND_OF_BIN.numpy()]
        out[i] = m
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="+", help="set directories of render.py")
    ap.add_argument("--n", default=str(N), help="frame lengths, comma-separated")
    a = ap.parse_args()
    lengths = [int(v) for v in a.n.split(",")]
    for d in a.sets:
        songs = song_dirs(d)
        scores = {n: {} for n in lengths}  # per frame length, per mask: drums and bass SDRs
        for song in songs:
            stems = read_stems(song).astype(np.float64)
            mix = stems.sum(0)
            for n in lengths:
                mix_spec = stft(mix, n)
                specs = [stft(s, n) for s in stems]
                for i, named in masks(mix_spec, specs, n).items():
                    for name, m in named.items():
                        est = istft(mix_spec * m[..., None], n, mix.shape[0])
                        scores[n].setdefault(name, ([], []))[i].append(sdr(stems[i], est))
                for i, spec in enumerate(wiener(mix_spec, specs)):
                    scores[n].setdefault("MWF", ([], []))[i].append(sdr(stems[i], istft(spec, n, mix.shape[0])))
        for n in lengths:
            cells = ", ".join(f"{name} {np.median(s[0]):.1f} / {np.median(s[1]):.1f}" for name, s in sorted(scores[n].items()))
            print(f"{os.path.basename(d)} N={n} ({len(songs)} songs), drums / bass: {cells}", flush=True)

if __name__ == "__main__":
    main()
