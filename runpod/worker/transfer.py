"""Reading the source and writing the stems through presigned URLs.

Only the standard library: the worker holds no storage credentials and needs
no storage client. A URL never appears in an error: presigned URLs are
credentials, and errors end up in the job's status. Transient failures
(connection errors, 429 and 5xx answers) are retried a few times with a short
backoff; anything else fails at once.
"""

import http.client
import os
import re
import time
import urllib.error
import urllib.request

from job_input import BadInput

# How many times a transfer is tried, how long the waits between tries are
# (seconds, doubling), and how long a socket may stay silent.
ATTEMPTS = 3
BACKOFF = 1.0
TIMEOUT = 60

CHUNK = 1 << 20


class TransferError(Exception):
    """A download or upload failed; the message says how, without the URL."""


def download(url, path, max_bytes, on_progress=lambda fraction: None):
    """Downloads url to path, refusing a source larger than max_bytes.

    on_progress gets the fraction done, when the answer has a Content-Length.
    Raises BadInput for a source too large, TransferError when the storage
    answers an error or cannot be reached.
    """

    def once():
        with urllib.request.urlopen(url, timeout=TIMEOUT) as res:
            declared = res.headers.get("Content-Length")
            total = int(declared) if declared and declared.isdigit() else None
            if total is not None and total > max_bytes:
                raise BadInput(f"The audio is {_size(total)}; the limit is {_size(max_bytes)}.")
            done = 0
            with open(path, "wb") as out:
                while chunk := res.read(CHUNK):
                    done += len(chunk)
                    if done > max_bytes:
                        raise BadInput(f"The audio is larger than {_size(max_bytes)}.")
                    out.write(chunk)
                    if total:
                        on_progress(min(done / total, 1.0))
            if total is not None and done != total:
                raise _Retry(f"the download ended after {done} of {total} bytes")

    _retrying("Downloading the audio", once)


def upload(url, path, content_type, what):
    """PUTs the file at path to url in one request with Content-Type and
    Content-Length (never chunked: presigned S3 PUTs refuse that); what names
    the file in errors. Returns the number of bytes sent."""
    size = os.path.getsize(path)

    def once():
        with open(path, "rb") as body:
            req = urllib.request.Request(url, data=body, method="PUT", headers={
                "Content-Type": content_type,
                "Content-Length": str(size),
            })
            with urllib.request.urlopen(req, timeout=TIMEOUT) as res:
                res.read(CHUNK)  # S3 answers an empty body

    _retrying(f"Uploading {what}", once)
    return size


class _Retry(Exception):
    """A transient failure worth another try."""


def _retrying(what, once):
    """Runs once up to ATTEMPTS times while it fails transiently; raises
    TransferError naming what when it fails for good."""
    wait = BACKOFF
    for attempt in range(1, ATTEMPTS + 1):
        try:
            once()
            return
        except urllib.error.HTTPError as err:
            reason = _answer(err)
            transient = err.code == 429 or err.code >= 500
        except _Retry as err:
            reason, transient = str(err), True
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            # Refused, reset or cut connections, DNS failures and socket
            # timeouts; the URL is not part of any of these messages.
            reason = str(getattr(err, "reason", err)) or type(err).__name__
            transient = True
        if not transient or attempt == ATTEMPTS:
            raise TransferError(f"{what} failed: {reason}.")
        time.sleep(wait)
        wait *= 2


def _answer(err):
    """Describes an error answer: its status and the S3 error code, if any."""
    text = f"the storage answered {err.code} {err.reason}"
    try:
        body = err.read(4096).decode("utf-8", "replace")
    except OSError:
        body = ""
    code = re.search(r"<Code>([A-Za-z]+)</Code>", body)
    if code:
        text += f" ({code.group(1)})"
    if err.code == 403:
        text += "; the presigned URL may have expired or been signed for other headers"
    return text


def _size(n):
    """n bytes in words."""
    return f"{n} bytes" if n < 1 << 20 else f"{n / (1 << 20):.0f} MB"

