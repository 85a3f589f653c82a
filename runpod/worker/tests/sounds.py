"""Test audio: tone mixes made with numpy, other formats and every
measurement of the stems made with ffmpeg and ffprobe."""

import io
import json
import subprocess
import tempfile
import wave

import numpy as np


def tones(freqs, seconds, rate=44100, channels=2, amp=0.2):
    """A mix of sines at freqs (Hz), as (frames, channels) int16."""
    t = np.arange(round(seconds * rate)) / rate
    mix = sum(amp * np.sin(2 * np.pi * f * t) for f in freqs)
    return np.repeat(np.round(mix * 32767).astype(np.int16)[:, None], channels, axis=1)


def wav(samples, rate=44100):
    """A 16-bit PCM WAV of (frames, channels) int16 samples."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


def convert(data, ext, *args):
    """data re-encoded by ffmpeg into a file of extension ext."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = f"{tmp}/in", f"{tmp}/out.{ext}"
        with open(src, "wb") as f:
            f.write(data)
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", src, *args, "-y", dst], check=True)
        with open(dst, "rb") as f:
            return f.read()


def probe(data):
    """ffprobe's view of data and its first audio stream: format_name,
    codec_name, sample_rate (int), channels, duration (float seconds)."""
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                              "stream=codec_name,sample_rate,channels:format=duration,format_name",
                              "-of", "json", f.name], capture_output=True, check=True).stdout
    info = json.loads(out)
    stream = info["streams"][0]
    return {"codec_name": stream["codec_name"], "sample_rate": int(stream["sample_rate"]),
            "channels": stream["channels"], "format_name": info["format"]["format_name"],
            "duration": float(info["format"].get("duration", "nan"))}


def pcm(data):
    """data decoded by ffmpeg at its own rate, as (frames, channels) float32."""
    channels = probe(data)["channels"]
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", "-", "-f", "f32le", "-c:a", "pcm_f32le", "-"],
                         input=data, capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype="<f4").reshape(-1, channels)


def wav_samples(data):
    """The rate and (frames, channels) int16 samples of a 16-bit WAV."""
    with wave.open(io.BytesIO(data)) as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{8 * w.getsampwidth()}-bit WAV, want 16-bit")
        frames = w.readframes(w.getnframes())
        return w.getframerate(), np.frombuffer(frames, dtype="<i2").reshape(-1, w.getnchannels())


def energy_at(samples, rate, freq, width=30):
    """The spectral energy of the first channel within width Hz of freq."""
    x = np.asarray(samples, dtype=np.float64)[:, 0]
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), 1 / rate)
    return float(spectrum[np.abs(f - freq) <= width].sum())
