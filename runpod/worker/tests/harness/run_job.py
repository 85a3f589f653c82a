"""The GPU worker of the Go end-to-end test: the real handler, run as RunPod
runs it, with the fake RunPod SDK beside this file and the band separator
(bands.py) in place of Spleeter.

runpodtest.Process starts it once per job: the job goes in on stdin, progress
and the result come out on file descriptor 3 (see runpod/serverless.py here).
Environment variables set the handler's limits as in the image
(MAX_AUDIO_SECONDS, SEGMENT_SECONDS, ...).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(os.path.dirname(HERE))]  # the fake SDK and bands; the worker

import bands  # noqa: E402
import handler  # noqa: E402

handler.main(bands.separate)
