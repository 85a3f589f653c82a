"""The Spleeter call: the one part of the worker that runs only in the image.

Spleeter's pretrained models live under MODEL_PATH, put there at image build
time by fetch_models.py; Spleeter finds each under MODEL_PATH/<variant> with
its .probe file and never downloads at job time. A Separator is made per
variant on first use and kept for the worker's life.

Run as a script (the image build does) it separates a second of noise with
every variant, on the CPU when there is no GPU, and checks that each returns
the contract's stems: the models load and the names agree.
"""

import numpy as np

from job_input import VARIANTS


class Spleeter:
    """Separates with Spleeter's pretrained 2, 4 and 5 stem models."""

    def __init__(self):
        self._separators = {}

    def separate(self, variant, chunk):
        """Returns stem name -> (len(chunk), 2) float32 array for a
        (frames, 2) float32 chunk of 44.1 kHz stereo."""
        separator = self._separators.get(variant)
        if separator is None:
            # Imported here: TensorFlow takes seconds to import, and only
            # this function needs it.
            from spleeter.separator import Separator

            # multiprocess=False: no process pool, which only separate_to_file
            # uses.
            separator = Separator(f"spleeter:{variant}", multiprocess=False)
            self._separators[variant] = separator
        return separator.separate(chunk)


def check():
    """Separates a second of noise with every variant; raises if a model
    does not load or names its stems otherwise than the contract."""
    spleeter = Spleeter()
    noise = np.random.default_rng(1).uniform(-0.1, 0.1, (44100, 2)).astype(np.float32)
    for variant, names in VARIANTS.items():
        stems = spleeter.separate(variant, noise)
        if sorted(stems) != sorted(names):
            raise SystemExit(f"spleeter:{variant} returned stems {sorted(stems)}, want {sorted(names)}")
        for name, stem in stems.items():
            if stem.shape[1] != 2 or stem.shape[0] < len(noise):
                raise SystemExit(f"spleeter:{variant} returned {name} of shape {stem.shape} for {noise.shape}")
        print(f"spleeter:{variant}: {', '.join(names)}")


if __name__ == "__main__":
    check()
