"""Trains the mask model of the local separator (separate/model.go).

    /usr/bin/python3 render.py DATA train     # the training songs (see render.py)
    nice /usr/bin/python3 train.py --cache DATA/train [CORPUS/septrain]   # band sums of every song (see band_sums)
    nice /usr/bin/python3 train.py DATA/train [CORPUS/septrain] separate/mask.bin [--steps 4000]
    /usr/bin/python3 train.py --average a.bin b.bin out.bin [W]   # the mean of two models' weights (b's weighted W, default 0.5)
    /usr/bin/python3 train.py --fixture separate/mask.bin separate/testdata/net.bin

The model reads, per STFT frame (periodic Hann, 2048 samples, hop 512 at
44.1 kHz), the log power and side fraction of BANDS bands (one per bin up to
500 Hz, log-spaced above) and predicts, per band, how the power splits
between drums, bass and the rest (a softmax over the three). It is a stack
of 1-D convolutions over frames: a 1×1 input layer, residual 3-tap layers
dilated 1, 2, 4, 8, 16 (a context of 63 frames, 0.73 s, half of it ahead)
and a 1×1 output layer. Training mixes 2.5 s excerpts of independently drawn
stems of the training songs with random gains and minimises, per stem, the
log of the error energy of the masked complex spectra relative to the
stem's energy (a negated SDR). The output file is what separate/model.go
reads: a JSON header, then the float32 tensors in header order.
"""

import argparse
import glob
import json
import math
import os
import random
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kits import decode  # noqa: E402
from render import read_wav  # noqa: E402

RATE, N, HOP = 44100, 2048, 512
BINS = N // 2 + 1
LINEAR_BINS, LOG_BANDS = 24, 40
FLOOR = 1e-4  # added to band powers before the log and the side fraction
STEMS = ["drums", "bass", "other"]


def band_edges():
    """Bin edges of the bands: one per bin below LINEAR_BINS, then LOG_BANDS
    log-spaced bands up to Nyquist."""
    hi = np.geomspace(LINEAR_BINS, BINS, LOG_BANDS + 1)
    return sorted(set(list(range(LINEAR_BINS)) + [int(round(e)) for e in hi]))


EDGES = band_edges()
BANDS = len(EDGES) - 1
BAND_OF_BIN = torch.tensor(np.repeat(np.arange(BANDS), np.diff(EDGES)))
POOL = torch.zeros(BANDS, BINS)
POOL[BAND_OF_BIN, torch.arange(BINS)] = 1


class Net(nn.Module):
    def __init__(self, hidden, dilations):
        super().__init__()
        self.inp = nn.Conv1d(2 * BANDS, hidden, 1)
        self.blocks = nn.ModuleList(nn.Conv1d(hidden, hidden, 3, dilation=d, padding=d) for d in dilations)
        self.out = nn.Conv1d(hidden, 3 * BANDS, 1)

    def forward(self, feat):  # (B, 2·BANDS, T) → (B, 3, BANDS, T)
        x = F.relu(self.inp(feat))
        for conv in self.blocks:
            x = x + F.relu(conv(x))
        y = self.out(x)
        return torch.softmax(y.view(y.shape[0], 3, BANDS, -1), dim=1)


PAIRS = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]


def band_sums(stems):
    """Per frame and band, for every pair (i, j) of PAIRS, Σ Re(Sᵢ·conj(Sⱼ))
    over the band's bins of both channels (A) and of the channel difference
    L−R (D); stems is (3, samples, 2). Any remix Σ gᵢ·Sᵢ then has band power
    gᵀAg and side energy ½·gᵀDg, and a band mask m has the error energy
    m²·gᵀAg − 2m·gₛ(Ag)ₛ + gₛ²Aₛₛ against stem s: the loss needs no STFT."""
    w = np.hanning(N + 1)[:-1]
    frames = (stems.shape[1] - N) // HOP + 1
    idx = np.arange(N)[None, :] + HOP * np.arange(frames)[:, None]
    X = np.fft.rfft(stems[:, idx, :] * w[None, None, :, None], axis=2)
    diff = X[..., 0] - X[..., 1]  # (3, frames, bins)
    def pool(v):  # (frames, bins) → (frames, bands)
        return np.add.reduceat(v, EDGES[:-1], axis=-1)

    a = np.stack([pool((X[i] * X[j].conj()).real.sum(-1)) for i, j in PAIRS], -1)
    d = np.stack([pool((diff[i] * diff[j].conj()).real) for i, j in PAIRS], -1)
    return np.concatenate([a, d], -1).astype(np.float32)  # (frames, bands, 12)


def quad(t, g):
    """gᵀMg per frame and band from the PAIRS terms t (B, T, BANDS, 6) and
    gains g (B, T, BANDS, 3), or any shape that broadcasts to it."""
    return (t[..., 0] * g[..., 0] ** 2 + t[..., 1] * g[..., 1] ** 2 + t[..., 2] * g[..., 2] ** 2
            + 2 * (t[..., 3] * g[..., 0] * g[..., 1] + t[..., 4] * g[..., 0] * g[..., 2] + t[..., 5] * g[..., 1] * g[..., 2]))


def cross(t, g, s):
    """gₛ·(Mg)ₛ per frame and band."""
    full = [[0, 3, 4], [3, 1, 5], [4, 5, 2]]
    return g[..., s] * sum(t[..., full[s][j]] * g[..., j] for j in range(3))


def features(pw, side, mu, sigma):
    """Normalised band log power and side fraction, (B, 2·BANDS, T) from (B, T, BANDS)."""
    lp = (torch.log(pw + FLOOR) - mu) / sigma
    return torch.cat([lp, side / (pw + FLOOR)], -1).transpose(1, 2)


def cache_path(song):
    return os.path.join(song, f"bands-{N}-{HOP}-{BANDS}.npy")


def song_dirs(data):
    """The song directories of data: render.py's (meta.json) and cmd/corpus's
    (truth.json, unfinished ones excepted)."""
    found = glob.glob(os.path.join(data, "*", "meta.json")) + glob.glob(os.path.join(data, "*", "truth.json"))
    return sorted(os.path.dirname(f) for f in found if not os.path.dirname(f).endswith(".tmp"))


def read_stems(d):
    """The drums, bass and other of a song (3, samples, 2): render.py's WAVs,
    or cmd/corpus's FLAC stems with vocals, piano and other as other."""
    if os.path.exists(os.path.join(d, "meta.json")):
        return np.stack([read_wav(os.path.join(d, s + ".wav")) for s in STEMS]).astype(np.float32)
    with open(os.path.join(d, "truth.json")) as f:
        files = json.load(f)["stems"]
    parts = {s: [decode(os.path.join(d, files[k])) for k in ks if k in files]
             for s, ks in (("drums", ["drums"]), ("bass", ["bass"]), ("other", ["vocals", "piano", "other"]))}
    n = max(len(x) for xs in parts.values() for x in xs)
    out = np.zeros((3, n, 2), np.float32)
    for i, s in enumerate(STEMS):
        for x in parts[s]:
            out[i, :len(x)] += x
    return out


def cache(data):
    """Writes the band sums of every song of data beside it (train.py --cache)."""
    for d in song_dirs(data):
        if not os.path.exists(cache_path(d)):
            np.save(cache_path(d) + ".tmp.npy", band_sums(read_stems(d)))
            os.rename(cache_path(d) + ".tmp.npy", cache_path(d))


def load(data, songs=None, names=None):
    """Adds the band sums of the songs of data not yet in names, computing
    those train.py --cache has not (songs still being rendered join as they
    appear)."""
    cache(data)
    songs, names = songs or [], names if names is not None else set()
    for d in song_dirs(data):
        if d not in names and os.path.exists(cache_path(d)):
            names.add(d)
            songs.append(torch.from_numpy(np.load(cache_path(d))))
    return songs, names


# Band centres on a log-frequency axis from 0 (20 Hz) to 1 (20 kHz), for
# the random EQ curves of batch.
_CENTRES = np.maximum(0.5 * (np.array(EDGES[:-1]) + np.array(EDGES[1:])) * RATE / N, 20.0)
LOGF = torch.tensor(np.log(_CENTRES / 20) / np.log(1000), dtype=torch.float32)


# A high-pass in dB per band: −30 dB up to 120 Hz, rising to 0 dB at 300 Hz.
REST_HP = torch.tensor(-30 * np.clip((300 - _CENTRES) / 180, 0, 1), dtype=torch.float32)


def eq_db(rng, amp):
    """A random smooth EQ curve in dB per band: a tilt of up to ±amp over
    the audio range plus up to three broad bumps or dips of up to ±amp,
    each 0.3 to 2 octaves wide."""
    db = rng.uniform(-amp, amp) * (2 * LOGF - 1)
    for _ in range(rng.randrange(4)):
        c, w = rng.uniform(0, 1), rng.uniform(0.03, 0.2)
        db = db + rng.uniform(-amp, amp) * torch.exp(-0.5 * ((LOGF - c) / w) ** 2)
    return db


def batch(songs, size, frames, rng, eq=0.0, drift=0.0, drums_max=3.0, rest_highpass=0.0):
    """Excerpts of random songs with random stem gains: band sums (B, T,
    BANDS, 12), gains (B, T, BANDS, 3). With eq > 0 each stem also gets, 85%
    of the time, its own random EQ curve of up to ±eq dB (eq_db), so that
    the model hears other kits and bass patches than the soundfonts'; with
    drift > 0 each stem's level also drifts, half of the time, by up to
    ±drift dB in a slow sine over the excerpt. Drums get −15 to drums_max
    dB (bass −12 to +3, the rest −6 to +3): a drums_max above 3 gives more
    excerpts whose kick, as in many produced songs, is louder than the bass
    in the lowest octaves. With rest_highpass > 0, that share of the
    excerpts has the rest high-passed (REST_HP), so that the bass is alone
    with the drums in the lowest octaves, as in many songs without low
    doubling."""
    t = torch.zeros(size, frames, BANDS, 12)
    g = torch.zeros(size, frames, BANDS, 3)
    for i in range(size):
        song = songs[rng.randrange(len(songs))]
        off = rng.randrange(max(1, song.shape[0] - frames))
        x = song[off:off + frames]
        t[i, :x.shape[0]] = x
        db = [rng.uniform(-15, drums_max), rng.uniform(-12, 3), rng.uniform(-6, 3)]
        for s in range(2):
            if rng.random() < 0.05:
                db[s] = -120
        common = rng.uniform(-10, 2)
        for s in range(3):
            curve = torch.full((frames, BANDS), db[s] + common)
            if eq > 0 and rng.random() < 0.85:
                curve = curve + eq_db(rng, eq)[None, :]
            if drift > 0 and rng.random() < 0.5:
                tt = torch.arange(frames, dtype=torch.float32)
                wave = torch.sin(2 * math.pi * tt / rng.uniform(64, 512) + rng.uniform(0, 2 * math.pi))
                curve = curve + rng.uniform(0, drift) * wave[:, None]
            if s == 2 and rng.random() < rest_highpass:
                curve = curve + REST_HP[None, :]
            g[i, ..., s] = 10 ** (curve / 20)
        if rng.random() < 0.1:  # mono: both channels (L+R)/2, no side
            t[i, ..., :6] -= t[i, ..., 6:] / 2
            t[i, ..., 6:] = 0
    return t, g


def loss_fn(net, t, g, mu, sigma, weights=(1.0, 1.0, 0.5)):
    a, d = t[..., :6], t[..., 6:]
    pw = quad(a, g)
    m = net(features(pw, 0.5 * quad(d, g), mu, sigma))  # (B, 3, BANDS, T)
    sdrs = []
    for s in range(3):
        ms = m[:, s].transpose(1, 2)  # (B, T, BANDS)
        ss = a[..., s] * g[..., s] ** 2
        err = (ms ** 2 * pw - 2 * ms * cross(a, g, s) + ss).sum((1, 2))
        energy, eps = ss.sum((1, 2)), 1e-3 * pw.sum((1, 2)) + 1e-9  # + 1e-9: a silent excerpt scores 0 dB
        sdrs.append(10 * torch.log10((energy + eps) / (err.clamp(min=0) + eps)))
    sdr = torch.stack(sdrs, 1)
    w = torch.tensor(weights)
    return -(sdr * w).sum(1).mean() / w.sum(), sdr.mean(0)


def export(net, path, mu, sigma, hidden, dilations):
    tensors = [(k, v.detach().float().contiguous()) for k, v in net.state_dict().items()]
    header = dict(version=1, rate=RATE, n=N, hop=HOP, edges=EDGES, floor=FLOOR, hidden=hidden,
                  dilations=dilations, mu=mu.tolist(), sigma=sigma.tolist(), stems=STEMS,
                  tensors=[[k, list(v.shape)] for k, v in tensors])
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(b"PGSEPMSK" + struct.pack("<I", len(h)) + h)
        for _, v in tensors:
            f.write(v.numpy().astype("<f4").tobytes())


def read_model(path):
    """Loads a file written by export: (net, header)."""
    b = open(path, "rb").read()
    n = struct.unpack("<I", b[8:12])[0]
    h = json.loads(b[12:12 + n])
    net = Net(h["hidden"], h["dilations"])
    state, pos = {}, 12 + n
    for name, shape in h["tensors"]:
        size = math.prod(shape)
        state[name] = torch.from_numpy(np.frombuffer(b, "<f4", size, pos).copy()).view(shape)
        pos += 4 * size
    net.load_state_dict(state)
    return net, h


def fixture(model, out, frames=96):
    """Writes the check of separate/net_test.go: random features (frames ×
    2·BANDS) and the shares the model gives them, both float32."""
    net, h = read_model(model)
    g = torch.Generator().manual_seed(7)
    feat = torch.randn(1, 2 * BANDS, frames, generator=g)
    with torch.no_grad():
        shares = net(feat)[0]  # (3, BANDS, frames)
    with open(out, "wb") as f:
        f.write(struct.pack("<II", frames, BANDS))
        f.write(feat[0].T.contiguous().numpy().astype("<f4").tobytes())
        f.write(shares.permute(2, 0, 1).contiguous().numpy().astype("<f4").tobytes())


def average(a, b, out, weight="0.5"):
    """Writes the model whose every weight is the weighted mean of a's and
    b's, b's weight given (b fine-tuned from a: the same feature
    normalisation and shape)."""
    wb = float(weight)
    net, h = read_model(a)
    other, hb = read_model(b)
    assert (h["mu"], h["sigma"], h["hidden"], h["dilations"]) == (hb["mu"], hb["sigma"], hb["hidden"], hb["dilations"])
    sa, sb = net.state_dict(), other.state_dict()
    net.load_state_dict({k: (1 - wb) * sa[k] + wb * sb[k] for k in sa})
    export(net, out, torch.tensor(h["mu"]), torch.tensor(h["sigma"]), h["hidden"], h["dilations"])


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--fixture":
        fixture(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) in (5, 6) and sys.argv[1] == "--average":
        average(*sys.argv[2:])
        return
    if len(sys.argv) >= 3 and sys.argv[1] == "--cache":
        for data in sys.argv[2:]:
            cache(data)
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="+", help="directories of training songs (render.py DATA train writes DATA/train)")
    ap.add_argument("out")
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--frames", type=int, default=256)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--init", help="start from this model file (and its feature normalisation)")
    ap.add_argument("--eq", type=float, default=0.0, help="random per-stem EQ curves of up to ± this many dB (see batch)")
    ap.add_argument("--drift", type=float, default=0.0, help="slow per-stem level drift of up to ± this many dB")
    ap.add_argument("--rest-highpass", type=float, default=0.0, help="the share of excerpts whose rest is high-passed (see batch)")
    ap.add_argument("--drums-max", type=float, default=3.0, help="the loudest drum gain of an excerpt, dB (see batch)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    songs, names = [], set()
    for data in a.data:
        songs, names = load(data, songs, names)
    print(f"{len(songs)} training songs, {BANDS} bands", flush=True)
    dilations = [1, 2, 4, 8, 16]
    # Feature normalisation from a few batches.
    with torch.no_grad():
        t, g = batch(songs, 64, a.frames, rng, a.eq, a.drift, a.drums_max, a.rest_highpass)
        lp = torch.log(quad(t[..., :6], g) + FLOOR)
        mu, sigma = lp.mean((0, 1)), lp.std((0, 1)) + 1e-3
    net = Net(a.hidden, dilations)
    if a.init:
        net, h = read_model(a.init)
        mu, sigma = torch.tensor(h["mu"]), torch.tensor(h["sigma"])
        assert h["hidden"] == a.hidden and h["dilations"] == dilations
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, total_steps=a.steps, pct_start=0.05)
    start, avg = time.time(), None
    for step in range(1, a.steps + 1):
        loss, sdr = loss_fn(net, *batch(songs, a.batch, a.frames, rng, a.eq, a.drift, a.drums_max, a.rest_highpass), mu, sigma)
        opt.zero_grad()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(net.parameters(), 5)
        if not (torch.isfinite(loss) and torch.isfinite(norm)):
            # One such step would turn every weight into NaN, and the next
            # export would overwrite the model with them.
            print(f"step {step}: loss or gradient not finite, step skipped", flush=True)
            sched.step()
            continue
        opt.step()
        sched.step()
        if step % 200 == 0:
            for data in a.data:
                songs, names = load(data, songs, names)
        avg = sdr.detach() if avg is None else 0.98 * avg + 0.02 * sdr.detach()
        if step % 100 == 0 or step == a.steps or step == 10:
            print(f"step {step} {time.time() - start:.0f}s {len(songs)} songs, sdr drums {avg[0]:.2f} bass {avg[1]:.2f} other {avg[2]:.2f}",
                  flush=True)
            export(net, a.out, mu, sigma, a.hidden, dilations)


if __name__ == "__main__":
    main()
