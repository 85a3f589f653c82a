"""Fetching the models at build time, against a local stand-in for the
model release: checksums, unpacking and the probe Spleeter looks for."""

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import unittest

import fetch_models

from .bucket import Bucket


def archive(files):
    """A tar.gz of name -> bytes (a name ending in "->target" is a symlink)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            if "->" in name:
                info.name, info.linkname = name.split("->")
                info.type = tarfile.SYMTYPE
            else:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class FetchTest(unittest.TestCase):
    def setUp(self):
        self.bucket = Bucket().__enter__()
        self.addCleanup(self.bucket.__exit__)
        self.dest = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dest)

    def release(self, models):
        self.bucket.objects["/v1.4.0/checksum.json"] = json.dumps(
            {name: hashlib.sha256(data).hexdigest() for name, data in models.items()}).encode()
        for name, data in models.items():
            self.bucket.objects[f"/v1.4.0/{name}.tar.gz"] = data
        return self.bucket.url + "/v1.4.0"

    def test_fetches_checks_and_marks(self):
        model = archive({"checkpoint": b"model_checkpoint_path: \"model\"\n", "model.index": b"index"})
        url = self.release({"2stems": model, "4stems": model})
        self.assertEqual(fetch_models.fetch(url, self.dest, ("2stems", "4stems")), ["2stems", "4stems"])
        for name in ("2stems", "4stems"):
            d = os.path.join(self.dest, name)
            self.assertEqual(sorted(os.listdir(d)), [".probe", "checkpoint", "model.index"])
        self.assertEqual(sorted(os.listdir(self.dest)), ["2stems", "4stems"])  # no leftovers

        # A model already there is not fetched again.
        before = len(self.bucket.requests)
        self.assertEqual(fetch_models.fetch(url, self.dest, ("2stems",)), [])
        self.assertEqual(self.bucket.requests[before:], [("GET", "/v1.4.0/checksum.json")])

    def test_refuses_a_corrupt_archive(self):
        url = self.release({"2stems": archive({"checkpoint": b"x"})})
        self.bucket.objects["/v1.4.0/2stems.tar.gz"] += b"tampered"
        with self.assertRaisesRegex(SystemExit, "2stems.tar.gz has sha256"):
            fetch_models.fetch(url, self.dest, ("2stems",))
        self.assertEqual(os.listdir(self.dest), [])

    def test_refuses_members_leaving_the_model_directory(self):
        for files in ({"../evil": b"x"}, {"/etc/evil": b"x"}, {"link->/etc/passwd": b""}):
            with self.subTest(files=list(files)):
                url = self.release({"2stems": archive(files)})
                with self.assertRaisesRegex(SystemExit, "refusing archive member"):
                    fetch_models.fetch(url, self.dest, ("2stems",))
                self.assertEqual(os.listdir(self.dest), [])

    def test_refuses_a_model_the_release_does_not_list(self):
        url = self.release({"2stems": archive({"checkpoint": b"x"})})
        with self.assertRaisesRegex(SystemExit, "no checksum for 5stems"):
            fetch_models.fetch(url, self.dest, ("5stems",))


if __name__ == "__main__":
    unittest.main()
