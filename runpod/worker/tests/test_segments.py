"""Segmenting: every frame separated once and put back where it was."""

import unittest

import numpy as np

import segments


class PlanTest(unittest.TestCase):
    def test_plan(self):
        cases = {
            (10, 4, 1): [(0, 5), (4, 10)],  # the 6 frames from 4 fit in one segment plus two overlaps
            (100, 30, 5): [(0, 35), (30, 65), (60, 100)],
            (40, 30, 5): [(0, 40)],  # fits in one segment plus two overlaps
            (41, 30, 5): [(0, 35), (30, 41)],
            (7, 30, 5): [(0, 7)],
            (0, 30, 5): [(0, 0)],
            (9, 3, 0): [(0, 3), (3, 6), (6, 9)],
        }
        for (frames, segment, overlap), want in cases.items():
            with self.subTest(frames=frames, segment=segment, overlap=overlap):
                got = segments.plan(frames, segment, overlap)
                self.assertEqual(got, want)
                # Each segment but the first starts overlap frames before its
                # predecessor ends, and holds more than the overlap.
                for (s0, e0), (s1, e1) in zip(got, got[1:]):
                    self.assertEqual(e0 - s1, overlap)
                    self.assertGreater(e1 - s1, overlap)
        with self.assertRaises(ValueError):
            segments.plan(10, 0, 1)


class SeparateTest(unittest.TestCase):
    def run_separate(self, mix, model, segment, overlap):
        runs, fractions = [], []
        segments.separate(mix, ("a", "b"), model, segment, overlap, runs.append, fractions.append)
        return {name: np.concatenate([r[name] for r in runs]) for name in ("a", "b")}, fractions

    def test_a_position_independent_model_comes_back_exactly(self):
        rng = np.random.default_rng(7)
        for frames in (1, 50, 99, 100, 101, 257, 1000):
            mix = rng.uniform(-1, 1, (frames, 2)).astype(np.float32)
            seen = []

            def model(chunk):
                seen.append(len(chunk))
                return {"a": chunk * 0.25, "b": chunk * 0.75, "unwanted": chunk}

            with self.subTest(frames=frames):
                stems, fractions = self.run_separate(mix, model, segment=40, overlap=8)
                np.testing.assert_allclose(stems["a"], mix * 0.25, atol=1e-6)
                np.testing.assert_allclose(stems["b"], mix * 0.75, atol=1e-6)
                self.assertEqual(len(seen), len(segments.plan(frames, 40, 8)))
                self.assertLessEqual(max(seen), 40 + 2 * 8)
                self.assertEqual(fractions[-1], 1.0)
                self.assertEqual(fractions, sorted(fractions))

    def test_the_fade_hides_what_differs_between_segments(self):
        # A model that adds its own constant offset per call: across each
        # overlap the result ramps from one segment's offset to the next.
        mix = np.zeros((100, 2), dtype=np.float32)
        calls = []

        def model(chunk):
            calls.append(len(calls))
            return {"a": chunk + len(calls), "b": chunk}

        stems, _ = self.run_separate(mix, model, segment=30, overlap=10)
        a = stems["a"][:, 0]
        np.testing.assert_allclose(a[:30], 1)
        np.testing.assert_allclose(a[30:40], 1 + (np.arange(10) + 0.5) / 10, atol=1e-6)
        np.testing.assert_allclose(a[40:60], 2)
        np.testing.assert_allclose(a[60:70], 2 + (np.arange(10) + 0.5) / 10, atol=1e-6)
        np.testing.assert_allclose(a[70:], 3)

    def test_model_output_is_checked(self):
        mix = np.zeros((10, 2), dtype=np.float32)
        for name, out, want in (
            ("missing", {"a": mix}, "no b stem"),
            ("short", {"a": mix, "b": mix[:9]}, "shape"),
            ("mono", {"a": mix, "b": mix[:, 0]}, "shape"),
        ):
            with self.subTest(name), self.assertRaisesRegex(RuntimeError, want):
                segments.separate(mix, ("a", "b"), lambda chunk: out, 100, 0, lambda stems: None)
        # Longer stems (Spleeter pads to its frame grid) are cut to the chunk.
        runs = []
        segments.separate(mix, ("a",), lambda chunk: {"a": np.ones((16, 2))}, 100, 0, runs.append)
        self.assertEqual(runs[0]["a"].shape, (10, 2))
        self.assertEqual(runs[0]["a"].dtype, np.float32)


if __name__ == "__main__":
    unittest.main()
