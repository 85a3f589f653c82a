"""The handler against the contract in runpod/doc.go: input, transfers,
progress, stem selection, rate and format, and every way a job fails.

Spleeter is replaced by the band separator (harness/bands.py) and the RunPod
SDK by the fake beside it; the rest is the real handler with real ffmpeg and
real HTTP.
"""

import json
import subprocess
import unittest

import numpy as np

import bands
import handler
import transfer
from runpod import serverless

from . import sounds
from .bucket import Bucket

# Tones that land in known bands of harness/bands.py.
LOW, MID, HIGH, TOP = 100, 1000, 3000, 10000


class HandlerCase(unittest.TestCase):
    """A bucket holding a source, and a way to run jobs on it."""

    limits = handler.Limits()

    def setUp(self):
        self.bucket = Bucket().__enter__()
        self.addCleanup(self.bucket.__exit__)
        self.progress = serverless.record()
        saved = transfer.BACKOFF
        transfer.BACKOFF = 0.01
        self.addCleanup(setattr, transfer, "BACKOFF", saved)

    def put_source(self, data, name="/song"):
        self.bucket.objects[name] = data
        return self.bucket.url + name + "?X-Amz-Signature=get"

    def job_input(self, variant, stems, rate=44100, fmt="wav", source="/song"):
        return {
            "audio_url": self.bucket.url + source + "?X-Amz-Signature=get",
            "model": "spleeter",
            "variant": variant,
            "stems": list(stems),
            "sample_rate": rate,
            "format": fmt,
            "outputs": {s: f"{self.bucket.url}/stems/{s}.{fmt}?X-Amz-Signature=put" for s in stems},
        }

    def run_job(self, job_input, separate=bands.separate, limits=None):
        h = handler.make_handler(separate, limits or self.limits)
        return h({"id": "job-1", "input": job_input})

    def assert_error(self, out, *words):
        """out is {"error": message}, the message holds words and no URL,
        and nothing was uploaded."""
        self.assertEqual(list(out), ["error"], out)
        msg = out["error"]
        for w in words:
            self.assertIn(w, msg)
        for secret in ("://", "X-Amz", "127.0.0.1", self.bucket.url):
            self.assertNotIn(secret, msg)
        self.assertEqual(self.bucket.puts, {})
        return msg

    def stages(self):
        return [(m["output"]["stage"], m["output"]["pct"]) for m in self.progress]


class SeparatesTest(HandlerCase):
    def test_4stems_wav_at_the_source_rate(self):
        mix = sounds.tones([LOW, MID, HIGH, TOP], 2.0)
        self.put_source(sounds.wav(mix))
        out = self.run_job(self.job_input("4stems", ["vocals", "drums", "bass", "other"]))

        self.assertEqual(sorted(out), ["stems"], out)
        self.assertEqual(sorted(self.bucket.puts), ["/stems/bass.wav", "/stems/drums.wav", "/stems/other.wav", "/stems/vocals.wav"])
        total = np.zeros(mix.shape, dtype=np.int64)
        for name, tone in {"bass": LOW, "other": MID, "vocals": HIGH, "drums": TOP}.items():
            put = self.bucket.puts[f"/stems/{name}.wav"]
            self.assertEqual(put.content_type, "audio/wav")
            self.assertEqual(put.content_length, str(len(put.body)))
            self.assertIsNone(put.transfer_encoding)
            self.assertEqual(out["stems"][name], {"bytes": len(put.body)})
            rate, samples = sounds.wav_samples(put.body)
            self.assertEqual((rate, samples.shape), (44100, mix.shape), name)
            others = [f for f in (LOW, MID, HIGH, TOP) if f != tone]
            own = sounds.energy_at(samples, rate, tone)
            for f in others:
                self.assertGreater(own, 1000 * sounds.energy_at(samples, rate, f), f"{name}: {tone} Hz against {f} Hz")
            total += samples
        # The bands add up to the mix: no frame lost, moved or scaled.
        self.assertLessEqual(np.abs(total - mix).max(), 3)

    def test_only_the_requested_stems_as_mp3_at_48k(self):
        mix = sounds.tones([LOW, 500, HIGH], 1.5)
        self.put_source(sounds.wav(mix))
        out = self.run_job(self.job_input("5stems", ["piano", "bass"], rate=48000, fmt="mp3"))

        self.assertEqual(sorted(out["stems"]), ["bass", "piano"])
        self.assertEqual(sorted(self.bucket.puts), ["/stems/bass.mp3", "/stems/piano.mp3"])
        for name, tone in {"bass": LOW, "piano": 500}.items():
            put = self.bucket.puts[f"/stems/{name}.mp3"]
            self.assertEqual(put.content_type, "audio/mpeg")
            self.assertEqual(put.content_length, str(len(put.body)))
            self.assertEqual(out["stems"][name]["bytes"], len(put.body))
            info = sounds.probe(put.body)
            self.assertEqual((info["format_name"], info["codec_name"], info["sample_rate"], info["channels"]),
                             ("mp3", "mp3", 48000, 2), name)
            self.assertAlmostEqual(info["duration"], 1.5, delta=0.1)
            samples = sounds.pcm(put.body)
            self.assertGreater(sounds.energy_at(samples, 48000, tone), 100 * sounds.energy_at(samples, 48000, HIGH), name)

    def test_wav_resampled_to_48k(self):
        mix = sounds.tones([LOW, HIGH], 1.0)
        self.put_source(sounds.wav(mix))
        out = self.run_job(self.job_input("2stems", ["vocals", "accompaniment"], rate=48000))

        self.assertIn("stems", out)
        for name, tone, other in (("vocals", HIGH, LOW), ("accompaniment", LOW, HIGH)):
            rate, samples = sounds.wav_samples(self.bucket.puts[f"/stems/{name}.wav"].body)
            self.assertEqual(rate, 48000)
            self.assertAlmostEqual(len(samples), 48000, delta=2)
            # A tone keeps its pitch through the resampler.
            self.assertGreater(sounds.energy_at(samples, rate, tone), 1000 * sounds.energy_at(samples, rate, other), name)

    def test_sources_in_other_formats_and_mono(self):
        source = sounds.wav(sounds.tones([LOW, HIGH], 1.0))
        cases = {
            "flac": sounds.convert(source, "flac"),
            "mp3": sounds.convert(source, "mp3"),
            "m4a": sounds.convert(source, "m4a"),
            "ogg": sounds.convert(source, "ogg", "-c:a", "libvorbis"),
            "mono wav at 22 kHz": sounds.wav(sounds.tones([LOW, HIGH], 1.0, rate=22050, channels=1), rate=22050),
        }
        for name, data in cases.items():
            with self.subTest(name):
                self.bucket.puts.clear()
                self.put_source(data)
                out = self.run_job(self.job_input("2stems", ["vocals"]))
                self.assertIn("stems", out, out)
                rate, samples = sounds.wav_samples(self.bucket.puts["/stems/vocals.wav"].body)
                self.assertEqual((rate, samples.shape[1]), (44100, 2))
                self.assertAlmostEqual(len(samples) / rate, 1.0, delta=0.07)  # encoders pad
                self.assertGreater(sounds.energy_at(samples, rate, HIGH), 100 * sounds.energy_at(samples, rate, LOW))

    def test_segments_join_without_a_seam(self):
        mix = sounds.tones([LOW, HIGH], 3.3)
        self.put_source(sounds.wav(mix))
        limits = handler.Limits(segment_seconds=1.0, overlap_seconds=0.25)
        out = self.run_job(self.job_input("2stems", ["vocals", "accompaniment"]), limits=limits)

        self.assertIn("stems", out)
        _, vocals = sounds.wav_samples(self.bucket.puts["/stems/vocals.wav"].body)
        _, accompaniment = sounds.wav_samples(self.bucket.puts["/stems/accompaniment.wav"].body)
        self.assertEqual(vocals.shape, mix.shape)
        self.assertLessEqual(np.abs(vocals.astype(np.int64) + accompaniment - mix).max(), 2)
        # Each second is separated on its own, yet the high tone stays whole
        # in vocals across the joins (1 s, 2 s, 3 s).
        for join in (44100, 88200, 132300):
            part = vocals[join - 4410:join + 4410]
            self.assertGreater(sounds.energy_at(part, 44100, HIGH), 100 * sounds.energy_at(part, 44100, LOW), join)
        separating = [pct for stage, pct in self.stages() if stage == "separating"]
        self.assertGreaterEqual(len(separating), 4, self.stages())

    def test_progress(self):
        self.put_source(sounds.wav(sounds.tones([LOW], 1.0)))
        self.run_job(self.job_input("4stems", ["vocals", "drums", "bass"]))

        for message in self.progress:
            self.assertEqual(message["status"], "IN_PROGRESS")
        stages = self.stages()
        self.assertEqual(stages[0], ("downloading", 0))
        order = [s for i, (s, _) in enumerate(stages) if i == 0 or stages[i - 1][0] != s]
        self.assertEqual(order, ["downloading", "separating", "uploading"], stages)
        pcts = [p for _, p in stages]
        self.assertEqual(pcts, sorted(pcts), stages)
        self.assertTrue(all(isinstance(p, int) and 0 <= p <= 100 for p in pcts), stages)
        self.assertEqual(len([s for s, _ in stages if s == "uploading"]), 3, stages)
        self.assertEqual(len(stages), len(set(stages)), f"repeated updates: {stages}")


class RefusesTest(HandlerCase):
    def test_bad_input(self):
        good = self.job_input("4stems", ["vocals", "bass"])

        def changed(**fields):
            ji = json.loads(json.dumps(good))
            for k, v in fields.items():
                if v is None:
                    del ji[k]
                else:
                    ji[k] = v
            return ji

        no_bass_output = changed()
        del no_bass_output["outputs"]["bass"]
        cases = {
            "not an object": (["vocals"], "not a JSON object"),
            "no audio_url": (changed(audio_url=None), "no audio_url"),
            "relative audio_url": (changed(audio_url="/song"), "audio_url is not an absolute http(s) URL"),
            "file audio_url": (changed(audio_url="file:///etc/passwd"), "audio_url is not an absolute http(s) URL"),
            "no model": (changed(model=None), "no model"),
            "other model": (changed(model="demucs"), 'model "demucs" is not spleeter'),
            "no variant": (changed(variant=None), "no variant"),
            "unknown variant": (changed(variant="3stems"), 'Unknown variant "3stems"'),
            "variant not a string": (changed(variant=["4stems"]), "Unknown variant"),
            "no stems": (changed(stems=None), "lists no stems"),
            "empty stems": (changed(stems=[]), "lists no stems"),
            "stem of another variant": (changed(stems=["vocals", "piano"]), '"piano" is not one of vocals, drums, bass, other of 4stems'),
            "stem twice": (changed(stems=["bass", "bass"]), "bass is listed twice"),
            "no outputs": (changed(outputs=None), "no outputs"),
            "no output for a stem": (no_bass_output, "no outputs.bass"),
            "output not wanted": (changed(stems=["vocals"]), 'URL for "bass", which is not a requested stem'),
            "no sample_rate": (changed(sample_rate=None), "sample_rate None"),
            "sample_rate 22050": (changed(sample_rate=22050), "sample_rate 22050 is not 44100 or 48000"),
            "sample_rate as text": (changed(sample_rate="44100"), 'sample_rate "44100"'),
            "sample_rate as float": (changed(sample_rate=44100.0), "sample_rate 44100.0"),
            "format flac": (changed(format="flac"), 'format "flac" is not wav or mp3'),
            "no format": (changed(format=None), "format None"),
        }
        self.put_source(sounds.wav(sounds.tones([LOW], 0.5)))
        for name, (ji, want) in cases.items():
            with self.subTest(name):
                self.assert_error(self.run_job(ji), want)
        self.assertEqual(self.bucket.requests, [], "a refused job downloaded")
        self.assertEqual(self.progress, [], "a refused job reported progress")

    def test_undecodable_audio(self):
        for name, data, want in (
            ("text", b"this is not audio at all, just words\n" * 20, "could not be decoded"),
            ("truncated wav", sounds.wav(sounds.tones([LOW], 1.0))[:30], "could not be decoded"),
            ("playlist", b"#EXTM3U\n#EXTINF:1,\nfile:///etc/hostname\n", "could not be decoded"),
        ):
            with self.subTest(name):
                self.put_source(data)
                msg = self.assert_error(self.run_job(self.job_input("2stems", ["vocals"])), want)
                self.assertNotIn("/tmp", msg)

    def test_no_audio_stream(self):
        video = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=d=1:s=64x64",
                                "-f", "mp4", "-movflags", "frag_keyframe+empty_moov", "-"],
                               capture_output=True, check=True).stdout
        self.put_source(video)
        self.assert_error(self.run_job(self.job_input("2stems", ["vocals"])), "The file has no audio stream.")

    def test_empty_audio(self):
        self.put_source(sounds.wav(np.zeros((0, 2), dtype=np.int16)))
        self.assert_error(self.run_job(self.job_input("2stems", ["vocals"])), "The audio is empty")

    def test_too_long(self):
        self.put_source(sounds.wav(sounds.tones([LOW], 2.5)))
        limits = handler.Limits(max_seconds=2)
        self.assert_error(self.run_job(self.job_input("2stems", ["vocals"]), limits=limits),
                          "The audio is longer than 2 seconds")
        self.put_source(sounds.wav(sounds.tones([LOW], 1.9)))
        self.assertIn("stems", self.run_job(self.job_input("2stems", ["vocals"]), limits=limits))

    def test_too_large(self):
        data = sounds.wav(sounds.tones([LOW], 1.0))
        self.put_source(data)
        limits = handler.Limits(max_bytes=len(data) - 1)
        self.assert_error(self.run_job(self.job_input("2stems", ["vocals"]), limits=limits), f"The audio is {len(data)} bytes; the limit is {len(data) - 1} bytes.")

    def test_source_missing_or_forbidden(self):
        self.assert_error(self.run_job(self.job_input("2stems", ["vocals"], source="/gone")),
                          "Downloading the audio failed: the storage answered 404 Not Found (NoSuchKey).")
        self.put_source(sounds.wav(sounds.tones([LOW], 0.5)))
        self.bucket.failures["/song"] = [403]
        self.assert_error(self.run_job(self.job_input("2stems", ["vocals"])),
                          "403 Forbidden (SignatureDoesNotMatch)", "may have expired")
        self.assertEqual(self.bucket.requests.count(("GET", "/song")), 1, "a 403 was retried")

    def test_storage_unreachable(self):
        ji = self.job_input("2stems", ["vocals"])
        ji["audio_url"] = "http://127.0.0.1:9/song?X-Amz-Signature=get"  # discard port: nothing listens
        self.assert_error(self.run_job(ji), "Downloading the audio failed:", "refused")

    def test_upload_refused(self):
        self.put_source(sounds.wav(sounds.tones([LOW], 0.5)))
        self.bucket.failures["/stems/accompaniment.wav"] = [403]
        out = self.run_job(self.job_input("2stems", ["vocals", "accompaniment"]))
        self.assertEqual(list(out), ["error"])
        self.assertEqual(out["error"], "Uploading the accompaniment stem failed: the storage answered 403 Forbidden "
                                       "(SignatureDoesNotMatch); the presigned URL may have expired or been signed for other headers.")


class RetriesTest(HandlerCase):
    def test_transient_failures_are_retried(self):
        self.put_source(sounds.wav(sounds.tones([LOW], 0.5)))
        self.bucket.failures["/song"] = [503]
        self.bucket.failures["/stems/vocals.wav"] = [500, 502]
        out = self.run_job(self.job_input("2stems", ["vocals"]))
        self.assertIn("stems", out, out)
        self.assertEqual(self.bucket.requests.count(("GET", "/song")), 2)
        self.assertEqual(self.bucket.requests.count(("PUT", "/stems/vocals.wav")), 3)
        self.assertEqual(out["stems"]["vocals"]["bytes"], len(self.bucket.puts["/stems/vocals.wav"].body))

    def test_gives_up_after_three_tries(self):
        self.put_source(sounds.wav(sounds.tones([LOW], 0.5)))
        self.bucket.failures["/song"] = [503, 503, 503]
        self.assert_error(self.run_job(self.job_input("2stems", ["vocals"])), "503 Service Unavailable (InternalError)")
        self.assertEqual(self.bucket.requests.count(("GET", "/song")), 3)


class RaisesTest(HandlerCase):
    """Failures that are not the input's fault raise, for RunPod to report
    as the handler's exception."""

    def test_a_failing_separator_raises_and_uploads_nothing(self):
        self.put_source(sounds.wav(sounds.tones([LOW], 0.5)))

        def broken(variant, chunk):
            raise MemoryError("CUDA out of memory")

        result = serverless.run_job(handler.make_handler(broken, self.limits),
                                    {"id": "job-1", "input": self.job_input("2stems", ["vocals"])})
        self.assertEqual(list(result), ["error"])
        exception = json.loads(result["error"])
        self.assertEqual(exception["error_message"], "CUDA out of memory")
        self.assertEqual(exception["error_type"], "<class 'MemoryError'>")
        self.assertEqual(self.bucket.puts, {})

    def test_a_model_missing_a_stem_raises(self):
        self.put_source(sounds.wav(sounds.tones([LOW], 0.5)))

        def vocals_only(variant, chunk):
            return {"vocals": chunk}

        with self.assertRaisesRegex(RuntimeError, "the model returned no accompaniment stem"):
            self.run_job(self.job_input("2stems", ["vocals", "accompaniment"]), separate=vocals_only)
        self.assertEqual(self.bucket.puts, {})


class SDKResultTest(unittest.TestCase):
    """What the fake SDK makes of handler results, which the Go stand-in
    then reports as RunPod does."""

    def test_results(self):
        self.assertEqual(serverless.run_job(lambda job: {"error": "The audio is empty."}, {"id": "1"}),
                         {"error": "The audio is empty."})
        self.assertEqual(serverless.run_job(lambda job: {"stems": {"vocals": {"bytes": 3}}}, {"id": "1"}),
                         {"output": {"stems": {"vocals": {"bytes": 3}}}})


class LimitsTest(unittest.TestCase):
    def test_from_environ(self):
        self.assertEqual(handler.Limits.from_environ({}), handler.Limits())
        limits = handler.Limits.from_environ({"MAX_AUDIO_SECONDS": "600", "MAX_AUDIO_BYTES": "1000",
                                              "SEGMENT_SECONDS": "60.5", "OVERLAP_SECONDS": "0"})
        self.assertEqual(limits, handler.Limits(max_seconds=600, max_bytes=1000, segment_seconds=60.5, overlap_seconds=0))
        for env in ({"MAX_AUDIO_SECONDS": "0"}, {"MAX_AUDIO_BYTES": "1e9"}, {"SEGMENT_SECONDS": "-1"},
                    {"OVERLAP_SECONDS": "x"}, {"MAX_AUDIO_SECONDS": "nan"}):
            with self.subTest(env), self.assertRaisesRegex(ValueError, list(env)[0]):
                handler.Limits.from_environ(env)


if __name__ == "__main__":
    unittest.main()
