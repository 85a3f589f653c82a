"""Separating a long mix a segment at a time.

A model sees at most one segment (plus an overlap) at once, so GPU and host
memory stay bounded whatever the duration, and progress can be reported
between segments. Consecutive segments overlap; across the overlap the
earlier segment's stems fade out linearly as the later one's fade in, which
hides the edges a model makes at the ends of what it sees. The weights sum to
one, so a separator whose stems agree where segments overlap gives the same
stems as if it had seen the whole mix at once.
"""

import numpy as np


def plan(frames, segment, overlap):
    """The (start, end) frames of each segment of a mix of frames frames.

    Segment i starts at i * segment and runs overlap frames into the next.
    The last one takes what is left: more than 2 * overlap frames and at most
    segment + 2 * overlap (or the whole mix, when that is shorter), so every
    overlap lies within both segments around it.
    """
    if segment <= 0 or overlap < 0:
        raise ValueError("segment must be positive and overlap not negative")
    bounds, start = [], 0
    while frames - start > segment + 2 * overlap:
        bounds.append((start, start + segment + overlap))
        start += segment
    bounds.append((start, frames))
    return bounds


def separate(mix, names, model, segment, overlap, emit, on_progress=lambda fraction: None):
    """Separates mix into the stems names: len(mix) is its frames, and
    mix[start:end] gives those frames as a (n, 2) float array (a numpy array
    or a codec.Raw).

    model(chunk) returns a dict of stem name to (len(chunk), 2) arrays holding
    at least names. emit(stems) receives consecutive runs of finished frames,
    a dict of name to (n, 2) float32 arrays, in order and covering the whole
    mix once. on_progress gets the fraction of segments done.
    """
    bounds = plan(len(mix), segment, overlap)
    ramp = ((np.arange(overlap, dtype=np.float32) + 0.5) / max(overlap, 1))[:, None]
    tail = None  # the last overlap frames of the previous segment's stems
    for i, (start, end) in enumerate(bounds):
        stems = _checked(model(np.array(mix[start:end], dtype=np.float32)), names, end - start)
        if tail is not None:
            for name in names:
                head = stems[name][:overlap]
                stems[name][:overlap] = tail[name] * (1 - ramp) + head * ramp
        last = i == len(bounds) - 1
        keep = end - start if last else end - start - overlap
        emit({name: stems[name][:keep] for name in names})
        tail = None if last else {name: stems[name][keep:] for name in names}
        on_progress((i + 1) / len(bounds))


def _checked(stems, names, frames):
    """The model's stems as writable float32 (frames, 2) arrays, or
    RuntimeError naming what the model got wrong."""
    out = {}
    for name in names:
        if name not in stems:
            raise RuntimeError(f"the model returned no {name} stem")
        stem = np.array(stems[name], dtype=np.float32)  # a copy: the fade writes into it
        if stem.ndim != 2 or stem.shape[1] != 2 or stem.shape[0] < frames:
            raise RuntimeError(f"the model returned a {name} stem of shape {stem.shape} for {frames} stereo frames")
        out[name] = stem[:frames]  # Spleeter may pad to its frame grid
    return out
