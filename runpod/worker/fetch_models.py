"""Fetches Spleeter's pretrained models into MODEL_PATH at image build time.

Each model is the archive <variant>.tar.gz of Spleeter's model release,
checked against the sha256 the release's checksum.json gives for it (what
Spleeter itself checks), unpacked into MODEL_PATH/<variant> and marked with
the .probe file that tells Spleeter the model is present, so it never
downloads at job time. Spleeter's own downloader is not used: it counts on
httpx following redirects, which the release assets need and which the httpx
that the RunPod SDK's FastAPI requires no longer does by default.

Usage: python fetch_models.py [release URL]
"""

import hashlib
import json
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request

from job_input import VARIANTS

RELEASE = "https://github.com/deezer/spleeter/releases/download/v1.4.0"
PROBE = ".probe"  # spleeter.model.provider.ModelProvider.MODEL_PROBE_PATH
TIMEOUT = 120


def fetch(release, dest, names=tuple(VARIANTS)):
    """Fetches the models names from release into dest/<name>, a model
    whose directory already has its probe excepted; returns the names
    fetched."""
    with urllib.request.urlopen(f"{release}/checksum.json", timeout=TIMEOUT) as res:
        checksums = json.load(res)
    fetched = []
    for name in names:
        target = os.path.join(dest, name)
        if os.path.exists(os.path.join(target, PROBE)):
            continue
        if name not in checksums:
            raise SystemExit(f"{release}/checksum.json has no checksum for {name}")
        with tempfile.TemporaryDirectory(dir=dest) as tmp:
            archive = os.path.join(tmp, "model.tar.gz")
            digest = hashlib.sha256()
            with urllib.request.urlopen(f"{release}/{name}.tar.gz", timeout=TIMEOUT) as res, open(archive, "wb") as out:
                while chunk := res.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != checksums[name]:
                raise SystemExit(f"{name}.tar.gz has sha256 {digest.hexdigest()}, the release says {checksums[name]}")
            unpacked = os.path.join(tmp, name)
            extract(archive, unpacked)
            with open(os.path.join(unpacked, PROBE), "w") as probe:
                probe.write("OK")
            shutil.rmtree(target, ignore_errors=True)
            os.replace(unpacked, target)
        fetched.append(name)
    return fetched


def extract(archive, dest):
    """Unpacks archive into dest, refusing members that are not plain files
    or directories or that would land outside dest."""
    root = os.path.realpath(dest)
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        for m in members:
            path = os.path.realpath(os.path.join(root, m.name))
            if not (m.isfile() or m.isdir()) or os.path.commonpath([root, path]) != root:
                raise SystemExit(f"refusing archive member {m.name!r}")
        os.makedirs(root, exist_ok=True)
        tar.extractall(root, members=members)


if __name__ == "__main__":
    model_path = os.environ.get("MODEL_PATH", "pretrained_models")
    os.makedirs(model_path, exist_ok=True)
    for model in fetch(sys.argv[1] if len(sys.argv) > 1 else RELEASE, model_path):
        print(f"fetched {model} into {model_path}")
