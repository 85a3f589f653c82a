"""The job input of the GPU worker contract (runpod/doc.go), checked.

Every check mirrors the Go stand-in's (runpod/runpodtest/validate.go), so a
job the Go client may submit is a job this worker accepts. Messages name the
field at fault and never repeat a URL: presigned URLs are credentials, and
messages end up in the job's status.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

# The stems of each Spleeter variant, as Spleeter names them.
VARIANTS = {
    "2stems": ("vocals", "accompaniment"),
    "4stems": ("vocals", "drums", "bass", "other"),
    "5stems": ("vocals", "drums", "bass", "piano", "other"),
}

SAMPLE_RATES = (44100, 48000)

# The Content-Type each format is uploaded with: runpod.ContentType in Go,
# which the caller presigns the PUT URLs for.
CONTENT_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg"}


class BadInput(Exception):
    """The job cannot be done as asked; the message says why, for a person."""


@dataclass(frozen=True)
class Request:
    """A checked job input."""

    audio_url: str
    variant: str
    stems: tuple  # the stems wanted, in the order asked
    sample_rate: int
    format: str
    outputs: dict  # stem -> presigned PUT URL

    @property
    def content_type(self):
        """The Content-Type every stem is uploaded with."""
        return CONTENT_TYPES[self.format]


def parse(raw):
    """Returns the Request in a job's input, or raises BadInput."""
    if not isinstance(raw, dict):
        raise BadInput("The job input is not a JSON object.")
    audio_url = _url("audio_url", raw.get("audio_url"))
    model = raw.get("model")
    if model != "spleeter":
        if model is None:
            raise BadInput("The job input has no model.")
        raise BadInput(f"The model {_show(model)} is not spleeter.")
    variant = raw.get("variant")
    if not isinstance(variant, str) or variant not in VARIANTS:
        if variant is None:
            raise BadInput("The job input has no variant.")
        raise BadInput(f"Unknown variant {_show(variant)}: expected 2stems, 4stems or 5stems.")
    names = VARIANTS[variant]
    stems = raw.get("stems")
    if not isinstance(stems, list) or not stems:
        raise BadInput("The job input lists no stems.")
    outputs = raw.get("outputs")
    if not isinstance(outputs, dict):
        raise BadInput("The job input has no outputs.")
    for i, stem in enumerate(stems):
        if stem not in names:
            raise BadInput(f"The stem {_show(stem)} is not one of {', '.join(names)} of {variant}.")
        if stem in stems[:i]:
            raise BadInput(f"The stem {stem} is listed twice.")
        _url(f"outputs.{stem}", outputs.get(stem))
    for name in sorted(outputs, key=str):
        if name not in stems:
            raise BadInput(f"outputs has a URL for {_show(name)}, which is not a requested stem.")
    rate = raw.get("sample_rate")
    if type(rate) is not int or rate not in SAMPLE_RATES:
        raise BadInput(f"The sample_rate {_show(rate)} is not 44100 or 48000.")
    fmt = raw.get("format")
    if not isinstance(fmt, str) or fmt not in CONTENT_TYPES:
        raise BadInput(f"The format {_show(fmt)} is not wav or mp3.")
    return Request(audio_url, variant, tuple(stems), rate, fmt, {s: outputs[s] for s in stems})


def _url(field, value):
    """Returns value if it is an absolute http(s) URL, else raises BadInput."""
    if value is None or value == "":
        raise BadInput(f"The job input has no {field}.")
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"{field} is not an absolute http(s) URL.")
    return value


def _show(value):
    """A short rendering of an input value for a message: strings quoted."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > 40:
        text = text[:40] + "…"
    return f'"{text}"' if isinstance(value, str) else text
