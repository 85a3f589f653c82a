"""Tests of the GPU worker, run with Debian's python3 from the repository
root (scripts/test does):

    /usr/bin/python3 -m unittest discover -s runpod/worker -t runpod/worker

They put the harness (the fake RunPod SDK and the band separator) on the
path before any test imports the handler. They need python3-numpy and
ffmpeg (with ffprobe).
"""

import logging
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness"))

# The handler logs every refusal; the assertions say what matters.
logging.getLogger("worker").addHandler(logging.NullHandler())
