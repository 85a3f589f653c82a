"""Decoding the source and encoding the stems, with ffmpeg.

The source is decoded once to raw 32-bit float stereo at the model's rate
(44.1 kHz) in a file, which the separation reads a segment at a time; each
stem is encoded by its own ffmpeg process, fed a segment at a time and
resampling to the requested rate. Memory stays bounded by a segment whatever
the duration; disk holds the raw source (8 bytes a frame) and the encoded
stems.
"""

import os
import subprocess
import tempfile

import numpy as np

from job_input import BadInput

FFMPEG = os.environ.get("FFMPEG", "ffmpeg")

# The rate and channels separation works at: Spleeter's models are 44.1 kHz
# stereo.
RATE = 44100
CHANNELS = 2
FRAME_BYTES = 4 * CHANNELS

# The bit rate of mp3 stems.
MP3_BITRATE = "320k"

# The containers a source may be in (ffmpeg demuxer names; "mov" is also
# mp4/m4a), read from a local file only: no playlist, concat list or other
# format that makes ffmpeg open further files or URLs.
SOURCE_FORMATS = "wav,w64,mp3,flac,ogg,mov,aac,matroska,aiff,caf"


def decode(src, raw, max_seconds):
    """Decodes the first audio stream of src to the file raw (f32le, RATE,
    stereo) and returns it as a Raw.

    Raises BadInput when src is not audio ffmpeg can decode, has no audio, is
    empty or is longer than max_seconds (decoding stops just past the limit,
    so a long file costs no more than the limit).
    """
    with tempfile.TemporaryFile() as log:
        rc = subprocess.call(
            [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error",
             "-protocol_whitelist", "file", "-format_whitelist", SOURCE_FORMATS, "-i", src,
             "-map", "0:a:0", "-vn", "-ac", str(CHANNELS), "-ar", str(RATE),
             "-t", f"{max_seconds + 1:.3f}", "-c:a", "pcm_f32le", "-f", "f32le", "-y", raw],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
        if rc != 0:
            raise BadInput(_decode_failure(_tail(log), src))
    frames = os.path.getsize(raw) // FRAME_BYTES
    if frames == 0:
        raise BadInput("The audio is empty: it decodes to no samples.")
    if frames > max_seconds * RATE:
        raise BadInput(f"The audio is longer than {_duration(max_seconds)}, the longest this worker separates.")
    return Raw(raw, frames)


class Raw:
    """A decoded source on disk: len() is its frames, and raw[start:end]
    reads those frames as a (n, 2) float32 array."""

    def __init__(self, path, frames):
        self.path = path
        self.frames = frames

    def __len__(self):
        return self.frames

    def __getitem__(self, frames):
        start, stop, step = frames.indices(self.frames)
        if step != 1:
            raise ValueError("Raw reads contiguous frames only")
        count = max(stop - start, 0)
        data = np.fromfile(self.path, dtype="<f4", count=count * CHANNELS, offset=start * FRAME_BYTES)
        return data.reshape(count, CHANNELS)


def _decode_failure(stderr, src):
    """A message for ffmpeg failing to decode src, without its path."""
    if "matches no streams" in stderr:
        return "The file has no audio stream."
    lines = stderr.strip().splitlines()
    last = lines[-1].removeprefix(src + ": ").replace(src, "the file").strip() if lines else ""
    return f"The audio could not be decoded: {last or 'ffmpeg failed'}."


class Encoder:
    """An ffmpeg process writing one stem to a file in a format at a rate,
    fed float32 stereo frames at RATE."""

    def __init__(self, path, fmt, rate):
        codec = ["-c:a", "pcm_s16le", "-f", "wav"] if fmt == "wav" else \
            ["-c:a", "libmp3lame", "-b:a", MP3_BITRATE, "-f", "mp3"]
        self.path = path
        self._ended = False
        self._log = tempfile.TemporaryFile()
        # bitexact: no encoder tags, so the same stem is the same file.
        self._proc = subprocess.Popen(
            [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error",
             "-f", "f32le", "-ar", str(RATE), "-ac", str(CHANNELS), "-i", "pipe:0",
             "-ar", str(rate), *codec, "-map_metadata", "-1", "-fflags", "+bitexact",
             "-flags:a", "+bitexact", "-y", path],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log)

    def write(self, frames):
        """Encodes (n, 2) float samples."""
        data = np.ascontiguousarray(frames, dtype="<f4")
        try:
            self._proc.stdin.write(memoryview(data.reshape(-1)).cast("B"))
        except BrokenPipeError:
            self.close()  # raises with ffmpeg's reason
            raise

    def close(self):
        """Finishes the file; raises RuntimeError when ffmpeg failed."""
        if self._ended:
            return
        try:
            self._proc.stdin.close()
        except BrokenPipeError:
            pass
        rc = self._proc.wait()
        reason = _tail(self._log).strip()
        self._end()
        if rc != 0:
            raise RuntimeError(f"ffmpeg could not encode {os.path.basename(self.path)}: {reason or rc}")

    def kill(self):
        """Stops ffmpeg without finishing the file, unless it has ended."""
        if not self._ended:
            self._proc.kill()
            self._proc.wait()
            self._end()

    def _end(self):
        self._ended = True
        self._log.close()
        if not self._proc.stdin.closed:
            try:
                self._proc.stdin.close()
            except BrokenPipeError:
                pass


def _tail(log, n=4096):
    """The last n bytes ffmpeg logged, as text."""
    log.flush()
    size = log.seek(0, os.SEEK_END)
    log.seek(max(size - n, 0))
    return log.read().decode("utf-8", "replace")


def _duration(seconds):
    """seconds in words: "60 minutes", "1 minute", "90 seconds"."""
    value, unit = (seconds / 60, "minute") if seconds % 60 == 0 else (seconds, "second")
    return f"{value:g} {unit}" + ("" if value == 1 else "s")
