"""A small deterministic separator standing in for Spleeter in the tests.

It cuts each chunk into one frequency band per stem of the variant, by
assigning the bins of the chunk's spectrum, so the stems add up to the chunk
(up to float rounding) and a tone lands in the stem whose band holds it:

    2stems: accompaniment below 1500 Hz, vocals above
    4stems: bass below 250 Hz, other to 1500, vocals to 6000, drums above
    5stems: bass below 250 Hz, piano to 800, other to 1500, vocals to 6000,
            drums above
"""

import numpy as np

RATE = 44100

# Each variant's stems from the lowest band up, and the edges between them.
BANDS = {
    "2stems": (("accompaniment", "vocals"), (1500,)),
    "4stems": (("bass", "other", "vocals", "drums"), (250, 1500, 6000)),
    "5stems": (("bass", "piano", "other", "vocals", "drums"), (250, 800, 1500, 6000)),
}


def separate(variant, chunk):
    """Returns stem name -> (len(chunk), 2) float32 band of chunk."""
    names, edges = BANDS[variant]
    spectrum = np.fft.rfft(chunk, axis=0)
    freqs = np.fft.rfftfreq(len(chunk), 1 / RATE)
    band = np.searchsorted(edges, freqs, side="right")  # band index of each bin
    stems = {}
    for i, name in enumerate(names):
        part = np.where((band == i)[:, None], spectrum, 0)
        stems[name] = np.fft.irfft(part, n=len(chunk), axis=0).astype(np.float32)
    return stems
