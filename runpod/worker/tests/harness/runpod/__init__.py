"""A stand-in for the RunPod SDK (the runpod package), for the worker's tests.

Only what the handler uses is here: runpod.serverless.start and
runpod.serverless.progress_update. See serverless.py.
"""

from . import serverless

__all__ = ["serverless"]
