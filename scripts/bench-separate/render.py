"""Renders arrangements to per-stem WAVs whose sum is the mix.

    /usr/bin/python3 render.py OUT SET            # SET: train, tones, synth, fonts2, kits, mixed, dev, holdout… (see SETS)
    /usr/bin/python3 render.py OUT SET --songs N  # fewer songs

Each song gets OUT/SET/<name>/{drums,bass,other,mix}.wav (32-bit float
stereo, 44.1 kHz; mix = drums + bass + other exactly) and meta.json. Every
stem is rendered on its own, with FluidSynth or TiMidity++ and the set's
soundfonts (several songs' stems one after the other in one run, cut apart,
see render_songs).

Sets never share a seed. train and dev use the soundfonts in TRAIN_FONTS and
every style (tones adds synthetic-tone songs to train, synth writes
synthesized songs to OUT/synth, see tones.py; kits plays train's drums
on recorded kits, see kits.py; mixed renders each stem of a song on
another renderer, one of them always an FM synthesizer); holdout and holdout2
use other soundfonts and synthesizers (HOLDOUT_FONTS), holdout2 only to
report a model already chosen. fonts2 renders train's kind of songs (other
seeds) on HOLDOUT_FONTS, for a model that has heard every Debian soundfont:
with it in training, holdout and holdout2 test unheard arrangements on
heard fonts, and kits and mixed are the only unheard timbres.
"""

import argparse
import json
import math
import os
import random
import struct
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arrange import TPQ, arrange, tempo, write_midi  # noqa: E402
from kits import AvlKit, all_kits, avl_events, play_hydrogen  # noqa: E402
from tones import synth_song, tone_song  # noqa: E402

RATE = 44100
SF2 = "/usr/share/sounds/sf2/"
SF3 = "/usr/share/sounds/sf3/"
DEV_FONTS = [("fluidsynth", SF2 + "FluidR3_GM.sf2"), ("fluidsynth", SF3 + "MuseScore_General.sf3"),
             ("fluidsynth", SF2 + "sf_GMbank.sf2")]
# Training uses every Debian soundfont but the held-out ones, and TiMidity++
# on FluidR3_GM (its own envelopes, filters and reverb), so that no one
# font's drum kit or bass patches stand for drums and bass.
TRAIN_FONTS = DEV_FONTS + [("fluidsynth", SF3 + "FluidR3Mono_GM.sf3"), ("fluidsynth", SF3 + "MuseScore_General_Lite.sf3"),
                           ("timidity", "/etc/timidity/fluidr3_gm.cfg")]
# An FM synthesizer's General MIDI set: timbres no sample-based font has.
OPL3 = ("fluidsynth", SF2 + "OPL-3_FM_128M.sf2")
HOLDOUT_FONTS = [("fluidsynth", SF2 + "TimGM6mb.sf2"), ("timidity", "/etc/timidity/freepats.cfg")]
SETS = {  # name: (first seed, songs, seconds, fonts)
    "train": (1000, 240, 20.0, TRAIN_FONTS),
    "tones": (700000, 40, 20.0, None),  # synthetic-tone songs (tones.py), written to train/
    "synth": (710000, 150, 20.0, None),  # synthesized kits, basses and parts (tones.synth_song), in synth/
    "mixed": (740000, 128, 20.0, TRAIN_FONTS),  # each stem on one of OPL3 and two of these (see main)
    "kits": (730000, 128, 20.0, TRAIN_FONTS),  # drums on recorded kits (kits.py), the rest as train
    "fonts2": (760000, 96, 20.0, HOLDOUT_FONTS),  # train's kind of songs on the holdout's renderers
    "dev": (500000, 32, 30.0, DEV_FONTS),
    "holdout": (900000, 32, 30.0, HOLDOUT_FONTS),
    "holdout2": (950000, 32, 30.0, HOLDOUT_FONTS),  # reported only, never used to choose
}


def read_wav(path):
    """Returns a WAV's samples as float32 (frames, channels)."""
    with open(path, "rb") as f:
        data = f.read()
    pos, fmt, pcm = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif cid == b"data":
            pcm = body
        pos += 8 + size + (size & 1)
    tag, ch, rate, _, _, bits = fmt
    assert rate == RATE, (path, rate)
    if tag == 3:
        x = np.frombuffer(pcm, "<f4")
    elif bits == 16:
        x = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768
    elif bits == 32:
        x = np.frombuffer(pcm, "<i4").astype(np.float32) / 2**31
    else:
        raise ValueError(f"{path}: {bits}-bit tag {tag}")
    return x[: len(x) // ch * ch].reshape(-1, ch)


def write_wav(path, x):
    """Writes (frames, 2) float32 samples as an IEEE-float WAV."""
    x = np.ascontiguousarray(x, "<f4")
    ch = x.shape[1]
    hdr = b"RIFF" + struct.pack("<I", 36 + x.nbytes) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 3, ch, RATE, RATE * 4 * ch, 4 * ch, 32) + b"data" + struct.pack("<I", x.nbytes)
    with open(path, "wb") as f:
        f.write(hdr + x.tobytes())


def render(synth, font, mid, wav):
    """Renders mid to a stereo WAV at RATE with synth and font."""
    if synth == "fluidsynth":
        cmd = ["fluidsynth", "-ni", "-q", "-g", "0.4", "-r", str(RATE), "-O", "float", "-T", "wav", "-F", wav, font, mid]
    else:
        cmd = ["timidity", "-c", font, "-Ow", "--output-stereo", "-s", str(RATE), "-o", wav, mid]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    x = read_wav(wav)
    return np.repeat(x, 2, axis=1) if x.shape[1] == 1 else x


def save(dirname, stems, meta, seed):
    """Aligns the stems, sets their balance (drums 0 to −12 dB, bass 0 to
    −8 dB, drawn from seed: renders alone put drums and bass louder than
    most mixes), scales them together to a 0.9 peak mix and writes them."""
    n = max(len(s) for s in stems.values())
    rng = np.random.default_rng(seed)
    gain_db = {"drums": rng.uniform(-12, 0), "bass": rng.uniform(-8, 0), "other": 0.0}
    meta["gain_db"] = gain_db
    for k, s in stems.items():
        stems[k] = np.pad(s, ((0, n - len(s)), (0, 0))) * 10 ** (gain_db[k] / 20)
    mix = sum(stems.values())
    g = 0.9 / max(1e-9, float(np.abs(mix).max()))
    os.makedirs(dirname, exist_ok=True)
    for k, s in stems.items():
        write_wav(os.path.join(dirname, k + ".wav"), s * g)
    write_wav(os.path.join(dirname, "mix.wav"), sum(s * g for s in stems.values()))
    with open(os.path.join(dirname, "meta.json"), "w") as f:
        json.dump(meta, f)


GAP_SECONDS = 3.0  # silence after each stem of a batch render, for its reverb to die away
BATCH = 8  # songs per synthesizer run


def kit_drums(kit, song, frames, tmp):
    """song's drum part played on kit (kits.py), frames long."""
    if not isinstance(kit, AvlKit):
        return play_hydrogen(kit, song.parts["drums"], song.bpm, TPQ, frames)
    mid, wav = os.path.join(tmp, "kit.mid"), os.path.join(tmp, "kit.wav")
    write_midi(mid, song.bpm, avl_events(song.parts["drums"]), frames / RATE * song.bpm / 60)
    x = render("fluidsynth", kit.path, mid, wav)[:frames]
    return np.pad(x, ((0, frames - len(x)), (0, 0)))


def render_batch(songs, synth, font, tmp):
    """Renders songs with one synthesizer run: every stem of every song, one
    after the other with GAP_SECONDS between them, cut apart afterwards
    (loading a soundfont takes longer than rendering a song). Returns a
    dict of stems per song."""
    events, tick, start, cuts = [], 0, 0.0, []
    for song in songs:
        beats = song.end_beats + math.ceil(GAP_SECONDS * song.bpm / 60)
        for part in ("drums", "bass", "other"):
            events.append(tempo(tick, song.bpm))
            events += [(tick, 0xB0 | ch, 121, 0) for ch in range(16)]  # reset controllers
            events += [(tick + e[0],) + e[1:] for e in song.parts[part]]
            length = beats * 60 / song.bpm
            cuts.append((start, length))
            tick, start = tick + beats * TPQ, start + length
    mid, wav = os.path.join(tmp, "batch.mid"), os.path.join(tmp, "batch.wav")
    write_midi(mid, None, events, tick / TPQ)
    x = render(synth, font, mid, wav)
    out = []
    for k in range(len(songs)):
        stems = {}
        for j, part in enumerate(("drums", "bass", "other")):
            t0, length = cuts[3 * k + j]
            a = int(round(t0 * RATE))
            stems[part] = x[a:a + int(round(length * RATE))]
        out.append(stems)
    return out


def font_name(font):
    """A renderer's soundfont or configuration as a file name part."""
    return os.path.basename(font).split(".")[0]


def render_songs(out, seeds, seconds, renderers, tmp, kit=None):
    """Renders and saves the songs of seeds on renderers, (synth, font)
    pairs: with one, every stem on it; with several, each stem of each song
    on one of them drawn from the song's seed. With a kit the drums are
    played on it instead, at the level the renderer gave them."""
    songs = [arrange(seed, seconds=seconds) for seed in seeds]
    runs = [render_batch(songs, synth, font, tmp) for synth, font in renderers]
    for k, (seed, song) in enumerate(zip(seeds, songs)):
        rng = random.Random(seed)
        pick = {part: rng.randrange(len(runs)) for part in ("drums", "bass", "other")}
        stems = {part: runs[i][k][part] for part, i in pick.items()}
        fonts = {part: renderers[i][1] for part, i in pick.items()}
        synth, font = renderers[pick["other"]]
        name = f"{seed}-{song.style}-{font_name(font) if len(runs) == 1 else 'mixed'}"
        if kit is not None:
            drums = kit_drums(kit, song, len(stems["drums"]), tmp)
            level = np.sqrt(np.mean(stems["drums"] ** 2) / max(1e-12, np.mean(drums ** 2)))
            stems["drums"] = drums * np.float32(level if level > 0 else 1)
            fonts["drums"] = kit.path
            name += "-" + kit.name
        save(os.path.join(out, name.replace(" ", "_")), stems,
             dict(seed=seed, style=song.style, bpm=song.bpm, synth=synth, font=font, fonts=fonts), seed)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("set", choices=sorted(SETS))
    ap.add_argument("--songs", type=int)
    a = ap.parse_args()
    first, songs, seconds, fonts = SETS[a.set]
    songs = a.songs or songs
    out = os.path.join(a.out, a.set)
    if a.set == "tones":
        out = os.path.join(a.out, "train")
        for seed in range(first, first + songs):
            save(os.path.join(out, f"{seed}-tones"), tone_song(seed, seconds), dict(seed=seed, style="tones"), seed)
        print(f"tones: {songs} songs in {out}")
        return
    if a.set == "synth":
        for seed in range(first, first + songs):
            save(os.path.join(out, f"{seed}-synth"), synth_song(seed, seconds), dict(seed=seed, style="synth"), seed)
        print(f"synth: {songs} songs in {out}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        if a.set == "kits":
            kits = all_kits()
            per = -(-songs // len(kits))
            for k, kit in enumerate(kits):
                render_songs(out, [first + k * per + i for i in range(per)], seconds, [fonts[k % len(fonts)]], tmp, kit)
            print(f"kits: {len(os.listdir(out))} songs in {out}")
            return
        if a.set == "mixed":
            for b in range(first, first + songs, BATCH):
                renderers = [OPL3] + random.Random(b).sample(fonts, 2)
                render_songs(out, list(range(b, min(b + BATCH, first + songs))), seconds, renderers, tmp)
            print(f"mixed: {len(os.listdir(out))} songs in {out}")
            return
        for f, (synth, font) in enumerate(fonts):
            seeds = [first + i for i in range(f, songs, len(fonts))]
            for b in range(0, len(seeds), BATCH):
                render_songs(out, seeds[b:b + BATCH], seconds, [(synth, font)], tmp)
    print(f"{a.set}: {len(os.listdir(out))} songs in {out}")


if __name__ == "__main__":
    main()
