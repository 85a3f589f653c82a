"""Phonoglyph's GPU worker: a RunPod serverless handler separating stems with
Spleeter, implementing the GPU worker contract in runpod/doc.go.

A job's input names the source (a presigned GET), the Spleeter variant, the
stems wanted, their sample rate and format, and a presigned PUT per stem. The
handler downloads the source, decodes it with ffmpeg, separates it a segment
at a time, encodes each wanted stem as it comes, uploads each with one PUT
carrying the signed Content-Type and a Content-Length, and returns
{"stems": {name: {"bytes": n}}}. On the way it reports
{"stage": "downloading" | "separating" | "uploading", "pct": 0..100} with
runpod.serverless.progress_update. Input it cannot use (missing or wrong
fields, undecodable, empty or too long audio, a source too large) and
transfers that fail for good end with {"error": message}, a message for a
person that never contains a URL; anything else raises, which RunPod reports
as FAILED with the exception.

Run as a script it serves RunPod jobs with Spleeter (spleeter_separator.py,
models baked into the image at build time). make_handler takes the
separation as a function, which is how the tests run everything here with a
small deterministic separator in its place.
"""

import logging
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import runpod

import codec
import segments
import transfer
from job_input import BadInput, parse
from transfer import TransferError

log = logging.getLogger("worker")

# How the percentage is shared between the stages: downloading up to
# DOWNLOADED, decoding and separating up to SEPARATED, uploading the rest.
DOWNLOADED = 10
DECODED = 12
SEPARATED = 85


@dataclass(frozen=True)
class Limits:
    """What one job may ask of the worker."""

    max_seconds: float = 3600.0  # longest source, as the API's MAX_AUDIO_SECONDS
    max_bytes: int = 1 << 30  # largest source download
    segment_seconds: float = 300.0  # the most audio the model sees at once
    overlap_seconds: float = 2.0  # faded between consecutive segments

    @classmethod
    def from_environ(cls, env):
        """Limits from MAX_AUDIO_SECONDS, MAX_AUDIO_BYTES, SEGMENT_SECONDS and
        OVERLAP_SECONDS, defaults for those unset; ValueError for a value
        that is not a positive number (an overlap may be 0)."""
        def number(name, default, kind=float, allow_zero=False):
            raw = env.get(name, "")
            if raw == "":
                return default
            try:
                value = kind(raw)
            except ValueError:
                value = -1
            if not (value > 0 or (allow_zero and value == 0)):
                raise ValueError(f"{name}: want a positive number, got {raw!r}")
            return value

        return cls(
            max_seconds=number("MAX_AUDIO_SECONDS", cls.max_seconds),
            max_bytes=number("MAX_AUDIO_BYTES", cls.max_bytes, int),
            segment_seconds=number("SEGMENT_SECONDS", cls.segment_seconds),
            overlap_seconds=number("OVERLAP_SECONDS", cls.overlap_seconds, allow_zero=True),
        )


class Progress:
    """Reports a job's stage and percentage with progress_update when either
    moved, never letting the percentage go back."""

    def __init__(self, job):
        self._job = job
        self._last = None  # (stage, pct) last reported

    def __call__(self, stage, pct):
        pct = round(min(max(pct, 0), 100))
        if self._last is not None:
            pct = max(pct, self._last[1])
            if self._last == (stage, pct):
                return
        runpod.serverless.progress_update(self._job, {"stage": stage, "pct": pct})
        self._last = (stage, pct)


def make_handler(separate, limits):
    """The handler for runpod.serverless.start: separate(variant, chunk)
    returns a dict of stem name to (len(chunk), 2) float arrays for a
    (frames, 2) float32 chunk of 44.1 kHz stereo."""

    def handler(job):
        return handle(job, separate, limits)

    return handler


def handle(job, separate, limits):
    """Runs one job; see the module documentation."""
    try:
        req = parse(job.get("input"))
    except BadInput as err:
        log.warning("job %s: refused: %s", job.get("id"), err)
        return {"error": str(err)}
    try:
        with tempfile.TemporaryDirectory(prefix="stems-") as tmp:
            sizes = _run(req, separate, limits, tmp, Progress(job))
    except (BadInput, TransferError) as err:
        log.warning("job %s: failed: %s", job.get("id"), err)
        return {"error": str(err)}
    log.info("job %s: %s uploaded", job.get("id"), ", ".join(f"{n} ({b} bytes)" for n, b in sizes.items()))
    return {"stems": {name: {"bytes": n} for name, n in sizes.items()}}


def _run(req, separate, limits, tmp, report):
    """Downloads, separates, encodes and uploads; returns each stem's size."""
    report("downloading", 0)
    src = os.path.join(tmp, "source")
    transfer.download(req.audio_url, src, limits.max_bytes, lambda f: report("downloading", DOWNLOADED * f))
    report("separating", DOWNLOADED)
    mix = codec.decode(src, os.path.join(tmp, "source.f32"), limits.max_seconds)
    os.remove(src)
    report("separating", DECODED)

    paths = {name: os.path.join(tmp, f"{name}.{req.format}") for name in req.stems}
    encoders = {}
    # One thread per stem feeds its encoder, so the encoders (mp3 is slow)
    # work side by side.
    pool = ThreadPoolExecutor(max_workers=len(req.stems))
    try:
        for name in req.stems:
            encoders[name] = codec.Encoder(paths[name], req.format, req.sample_rate)

        def emit(stems):
            for done in [pool.submit(encoders[name].write, frames) for name, frames in stems.items()]:
                done.result()

        segments.separate(
            mix, req.stems, lambda chunk: separate(req.variant, chunk),
            segment=round(limits.segment_seconds * codec.RATE),
            overlap=round(limits.overlap_seconds * codec.RATE),
            emit=emit,
            on_progress=lambda f: report("separating", DECODED + (SEPARATED - DECODED) * f))
        for encoder in encoders.values():
            encoder.close()
    finally:
        pool.shutdown()
        for encoder in encoders.values():
            encoder.kill()

    sizes = {}
    for i, name in enumerate(req.stems):
        report("uploading", SEPARATED + (100 - SEPARATED) * i / len(req.stems))
        sizes[name] = transfer.upload(req.outputs[name], paths[name], req.content_type, f"the {name} stem")
    return sizes


def main(separate):
    """Serves RunPod jobs, separating with separate (see make_handler)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runpod.serverless.start({"handler": make_handler(separate, Limits.from_environ(os.environ))})


if __name__ == "__main__":
    import spleeter_separator

    main(spleeter_separator.Spleeter().separate)
