"""Plays an arrangement's drum part on recorded drum kits that are not
General MIDI soundfonts: Debian's Hydrogen drum kits (hydrogen-drumkits,
played here by a small sampler) and the AVL kits (avldrums.lv2-soundfont,
played by FluidSynth). render.py's kits set uses them so that the model
hears drums that no soundfont of the evaluation has.

Hydrogen kits name their instruments freely ("Kick Lite 1", "Sabian Hat
Pedal", "Djembe1 Bass"); each General MIDI drum note the arrangements use is
given the first instrument whose name fits its kind, else a stand-in of a
near kind (a pedal hat for an open one, a tom for a conga), else the kit's
first instrument, so that percussion-only kits still play every part.
"""

import os
import re
import subprocess
import xml.etree.ElementTree as ET

import numpy as np

RATE = 44100
HYDROGEN = "/usr/share/hydrogen/data/drumkits"
AVL = ["/usr/share/sounds/sf2/Black_Pearl_4_LV2.sf2", "/usr/share/sounds/sf2/Red_Zeppelin_4_LV2.sf2"]

# Kinds of drum, in the order their names are tried: the first pattern
# that matches an instrument's name gives its kind.
KINDS = [
    ("pedal", r"pedal|\bpd\b|foot"),
    ("open", r"(hat|hh).*(open|\bop\b|semi)|open ?(hh|hat)"),
    ("hat", r"hat|\bhh\b|hh \d|shaker|maraca"),
    ("cowbell", r"cowbell|agogo|bell hit"),
    ("bell", r"bell|cup"),
    ("ride", r"ride"),
    ("crash", r"crash|china|splash|cymbal"),
    ("stick", r"stick|rim ?click|side|click|clave|woodblock"),
    ("clap", r"clap|snap"),
    ("snare", r"snare|slap|sd\b"),
    ("tom_hi", r"tom.*(hi|high|12)|tom ?1\b"),
    ("tom_mid", r"tom.*(mid|13)|tom ?2\b"),
    ("tom_lo", r"(^|[^s])tom"),  # not "stomp"
    ("kick", r"kick|bass ?drum|bassdrum|\bbd\b|thump|djembe\d? bass|dununba.*head hit"),
    ("conga", r"conga|djembe|tone|drum \d|sangban|kenkeni"),
    ("bongo", r"bongo"),
    ("tamb", r"tamb"),
]
NOTE_KIND = {35: "kick", 36: "kick", 37: "stick", 38: "snare", 40: "snare", 39: "clap", 42: "hat", 44: "pedal",
             46: "open", 49: "crash", 57: "crash", 51: "ride", 53: "bell", 41: "tom_lo", 43: "tom_lo",
             45: "tom_mid", 47: "tom_mid", 48: "tom_hi", 50: "tom_hi", 54: "tamb", 56: "cowbell", 82: "shaker",
             63: "conga", 64: "conga", 60: "bongo", 75: "stick"}
STAND_INS = {"kick": ["tom_lo", "conga"], "snare": ["clap", "stick"], "stick": ["snare"], "clap": ["snare"],
             "hat": ["pedal", "open", "tamb"], "pedal": ["hat"], "open": ["hat", "crash"],
             "crash": ["ride", "open"], "ride": ["crash", "hat"], "bell": ["ride", "cowbell"],
             "tom_lo": ["tom_mid", "conga", "kick"], "tom_mid": ["tom_lo", "tom_hi", "conga"],
             "tom_hi": ["tom_mid", "bongo", "conga"], "tamb": ["hat"], "shaker": ["hat", "tamb"],
             "cowbell": ["bell", "stick"], "conga": ["bongo", "tom_mid", "tom_hi", "tom_lo"], "bongo": ["conga", "tom_hi", "tom_mid"]}


def all_kits():
    """Every drum kit: the Hydrogen kits, then the AVL soundfonts."""
    folders = sorted(d for d in os.listdir(HYDROGEN) if os.path.exists(os.path.join(HYDROGEN, d, "drumkit.xml")))
    return [HydrogenKit(d) for d in folders] + [AvlKit(p) for p in AVL]


def decode(path):
    """An audio file in any format ffmpeg reads as float32 (frames, 2) at RATE."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "f32le", "-ac", "2", "-ar", str(RATE), "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(raw, "<f4").reshape(-1, 2)


def _text(el, tag, default):
    child = el.find(tag)
    return default if child is None or child.text is None else child.text


class AvlKit:
    """An AVL kit: a soundfont FluidSynth plays (see avl_events)."""

    def __init__(self, path):
        self.path, self.name = path, os.path.splitext(os.path.basename(path))[0]


class HydrogenKit:
    """A Hydrogen kit: per kind, an instrument's velocity layers and gains."""

    def __init__(self, folder):
        self.path, self.name = os.path.join(HYDROGEN, folder), folder
        root = ET.parse(os.path.join(self.path, "drumkit.xml")).getroot()
        ns = re.match(r"\{.*\}", root.tag)
        if ns:
            for el in root.iter():
                el.tag = el.tag[len(ns.group(0)):]
        self.instruments = []  # (kind or None, name, gain, pan, [(min, max, gain, file)])
        for ins in root.iter("instrument"):
            layers = [(float(_text(la, "min", 0)), float(_text(la, "max", 1)), float(_text(la, "gain", 1)),
                       _text(la, "filename", "")) for la in ins.iter("layer")]
            if not layers and ins.find("filename") is not None:
                layers = [(0.0, 1.0, 1.0, _text(ins, "filename", ""))]
            layers = [la for la in layers if la[3] and os.path.exists(os.path.join(self.path, la[3]))]
            name = _text(ins, "name", "").lower()
            if not layers or _text(ins, "isMuted", "false") == "true":
                continue
            kind = next((k for k, pat in KINDS if re.search(pat, name)), None)
            gain = float(_text(ins, "volume", 1)) * float(_text(ins, "gain", 1))
            pan = (float(_text(ins, "pan_L", 1)), float(_text(ins, "pan_R", 1)))
            self.instruments.append((kind, name, gain, pan, layers))
        self.cache = {}

    def instrument(self, note):
        """The instrument that plays GM drum note (see the module doc)."""
        want = NOTE_KIND.get(note, "snare")
        for kind in [want] + STAND_INS.get(want, []):
            for ins in self.instruments:
                if ins[0] == kind:
                    return ins
        return self.instruments[0]

    def sample(self, ins, velocity):
        """The samples of ins's layer for velocity (0..1) with its gains."""
        _, _, gain, pan, layers = ins
        layer = next((la for la in layers if la[0] <= velocity <= la[1]),
                     min(layers, key=lambda la: abs((la[0] + la[1]) / 2 - velocity)))
        path = os.path.join(self.path, layer[3])
        if path not in self.cache:
            self.cache[path] = decode(path)
        return self.cache[path] * (gain * layer[2]) * np.array(pan, np.float32)


def play_hydrogen(kit, events, bpm, tpq, frames):
    """The drum part events (tick, status, note, velocity…) of an
    arrangement at bpm played on kit, frames long. A closed or pedal hat
    chokes a ringing open hat, as a hi-hat does."""
    out = np.zeros((frames, 2), np.float32)
    opens = np.zeros((frames, 2), np.float32)  # open hats apart, for the choke
    ringing = None  # (start, end) of the last open hat
    for ev in sorted(e for e in events if e[1] & 0xF0 == 0x90 and len(e) > 3 and e[3] > 0):
        start = int(round(ev[0] / tpq * 60 / bpm * RATE))
        if start >= frames:
            continue
        ins = kit.instrument(ev[2])
        x = kit.sample(ins, ev[3] / 127)[: frames - start] * (ev[3] / 127)
        if ins[0] in ("hat", "pedal") and ringing and ringing[0] < start < ringing[1]:
            fade = min(ringing[1], start + 441) - start  # 10 ms
            opens[start:start + fade] *= np.linspace(1, 0, fade, dtype=np.float32)[:, None]
            opens[start + fade:ringing[1]] = 0
            ringing = None
        if ins[0] == "open":
            opens[start:start + len(x)] += x
            ringing = (start, start + len(x))
        else:
            out[start:start + len(x)] += x
    out += opens
    return out


def avl_events(events):
    """The drum part moved from the GM drum channel to channel 0, program 0:
    the AVL soundfonts hold their kit as a melodic preset."""
    moved = []
    for ev in events:
        status = ev[1]
        if status < 0xF0 and status & 0x0F == 9:
            if status & 0xF0 == 0xC0:
                ev = (ev[0], 0xC0, 0)
            else:
                ev = (ev[0], status & 0xF0) + tuple(ev[2:])
        moved.append(ev)
    return moved
