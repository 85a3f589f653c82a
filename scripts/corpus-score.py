#!/usr/bin/python3
"""corpus-score: run phonoglyph's analyser, aubio 0.4.9 and essentia.js over
the corpus built by `go run ./cmd/corpus build` and print Markdown tables
scored with mir_eval. Called by scripts/bench-accuracy; see BENCHMARKS.md.

usage: corpus-score.py --corpus ROOT --worker BIN --essentia MODULE --essentia-script JS --cache DIR
       [--sets dev,holdout,...] [--jobs 2] [--details FILE] [--only-cached] [--also LABEL=BIN]
       corpus-score.py --corpus ROOT --worker BIN --no-peers [--also LABEL=BIN] ...

Peer outputs are cached per track under --cache (they never change for a
given corpus version); the analyser runs every time. Fields the analyser
does not emit (yet) print as "—".
"""
import argparse, json, math, os, statistics, subprocess, sys, warnings
from concurrent.futures import ThreadPoolExecutor
import numpy as np
import mir_eval

warnings.filterwarnings('ignore')  # mir_eval warns on empty estimates; they score 0
DASH = '—'
SEMI = {'C': 0, 'C#': 1, 'DB': 1, 'D': 2, 'D#': 3, 'EB': 3, 'E': 4, 'FB': 4, 'E#': 5, 'F': 5, 'F#': 6, 'GB': 6, 'G': 7,
        'G#': 8, 'AB': 8, 'A': 9, 'A#': 10, 'BB': 10, 'B': 11, 'CB': 11, 'B#': 0}
NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B']


def run(cmd, out=None):
    """Runs cmd; returns stdout (and writes it to out when given)."""
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()[-300:]}")
    if out:
        tmp = f'{out}.{os.getpid()}.tmp'
        with open(tmp, 'w') as f:
            f.write(p.stdout)
        os.replace(tmp, out)
    return p.stdout


def nums(text):
    out = []
    for line in text.splitlines():
        try:
            out.append(float(line.split()[0]))
        except (ValueError, IndexError):
            pass
    return out


def cached(path, cmd):
    if not os.path.exists(path):
        run(cmd, path)
    return open(path).read()


def peers(args, track_dir, key):
    """aubio and essentia.js on one mix.wav, cached."""
    d = os.path.join(args.cache, key)
    os.makedirs(d, exist_ok=True)
    wav = os.path.join(track_dir, 'mix.wav')
    tempo = nums(cached(os.path.join(d, 'aubio-tempo.txt'), ['aubio', 'tempo', '-i', wav]))
    aubio = {'bpm': tempo[0] if tempo else None,
             'beats': nums(cached(os.path.join(d, 'aubio-beat.txt'), ['aubio', 'beat', '-i', wav])),
             'onsets': nums(cached(os.path.join(d, 'aubio-onset.txt'), ['aubio', 'onset', '-i', wav]))}
    p = os.path.join(d, 'essentia.json')
    if not os.path.exists(p):
        env = dict(os.environ, ESSENTIA=args.essentia)
        r = subprocess.run(['node', args.essentia_script, wav], capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise RuntimeError(f'essentia.js on {wav}: {r.stderr.strip()[-300:]}')
        tmp = f'{p}.{os.getpid()}.tmp'
        with open(tmp, 'w') as f:
            f.write(r.stdout.strip().splitlines()[-1])
        os.replace(tmp, p)
    return aubio, json.load(open(p))


def ours(args, path):
    return json.loads(run([args.worker, 'analyze', path]))


def key_name(tonic, mode):
    if not tonic or not mode:
        return None
    t = SEMI.get(str(tonic).strip().upper())
    m = str(mode).strip().lower()
    if t is None or m not in ('major', 'minor'):
        return None
    return f'{NAMES[t]} {m}'


def trim(x):
    return mir_eval.beat.trim_beats(np.array(sorted(x), dtype=float))


def beat_scores(ref, est):
    r, e = trim(ref), trim(est)
    if len(r) < 2:
        return None, None
    f = mir_eval.beat.f_measure(r, e, f_measure_threshold=0.07)
    cmlt = mir_eval.beat.continuity(r, e)[1] if len(e) >= 2 else 0.0
    return f, cmlt


def tempo_class(est, ref):
    if not est or not ref:
        return 'none'
    q = est / ref
    for name, m in (('ok', 1), ('x2', 2), ('x1/2', 0.5), ('x3', 3), ('x1/3', 1 / 3), ('x3/2', 1.5), ('x2/3', 2 / 3)):
        if abs(q / m - 1) <= 0.01:
            return name
    return 'wrong'


def level_class(est, tempo_map):
    """The metrical level of a bpm on a track whose tempo changes: 'ok' when
    it lies within the tempi the map plays (±4 %), else the ratio to them
    it shows (×2, ×1/2, ...), or 'wrong'."""
    if not est:
        return 'none'
    bpms = [m['bpm'] for m in tempo_map]
    lo, hi = min(bpms) / 1.04, max(bpms) * 1.04
    for name, m in (('ok', 1), ('x2', 2), ('x1/2', 0.5), ('x3', 3), ('x1/3', 1 / 3), ('x3/2', 1.5), ('x2/3', 2 / 3)):
        if lo <= est / m <= hi:
            return name
    return 'wrong'


def grid_bpm(beats, span=8, band=0.02, tol=0.08):
    """The tempo of a beat list, the one it keeps for longest. Every run of
    `span` inter-beat intervals gives their mean; of the bands of run means
    within ±band of each other, the two holding the most runs (not
    overlapping) are candidates, and the one whose runs cover the most time
    (counting only intervals within ±tol of the band's median) wins; 60 /
    its median. A single interval is quantised to the analysis frame (11.6
    ms: 3 % of a beat at 160 BPM), so its median cannot resolve the 1 % the
    check asks; the mean over a run of 8 can. Taking the band that lasts
    longest ignores a skipped beat and, on a track that steps between two
    tempi, names the part played longer (a median over all runs falls
    between the two)."""
    if len(beats) < 4:
        return None
    b = np.array(sorted(beats))
    k = min(span, len(b) - 1)
    runs = (b[k:] - b[:-k]) / k
    srt = np.sort(runs[runs > 0])
    if not len(srt):
        return None
    cum = np.concatenate(([0], np.cumsum(srt)))
    lo = np.searchsorted(srt, srt / (1 + 2 * band))
    weight = cum[np.arange(len(srt)) + 1] - cum[lo]
    first = int(np.argmax(weight))
    bands = [(lo[first], first)]
    other = [(w, i) for i, w in enumerate(weight) if srt[i] < srt[lo[first]] or srt[lo[i]] > srt[first]]
    if other:
        _, i = max(other)
        bands.append((lo[i], i))
    d = np.diff(b)

    def covered(bd):
        vlo, vhi = srt[bd[0]], srt[bd[1]]
        m = float(np.median(srt[bd[0]:bd[1] + 1]))
        mask = np.zeros(len(d), bool)
        for i, v in enumerate(runs):
            if vlo <= v <= vhi:
                mask[i:i + k] = True
        return float(d[mask & (np.abs(d / m - 1) <= tol)].sum())

    best = max(bands, key=covered)
    return 60 / float(np.median(srt[best[0]:best[1] + 1]))


def bar_positions(truth, downbeats):
    """Where the emitted downbeats fall: the truth's bar position of the
    nearest true beat within 70 ms, or 'off', counted ("off:2 1:50 3:4")."""
    beats, pos = np.array(truth['beats']), truth['beat_positions']
    counts = {}
    for d in downbeats:
        i = int(np.argmin(np.abs(beats - d))) if len(beats) else -1
        k = str(pos[i]) if i >= 0 and abs(beats[i] - d) <= 0.07 else 'off'
        counts[k] = counts.get(k, 0) + 1
    return ' '.join(f'{k}:{counts[k]}' for k in sorted(counts))


def score(truth, est):
    """One system on one track: a dict of metric → value (None = not emitted)."""
    s = {}
    steady = truth['tempo_kind'] in ('steady', 'drift')
    bpm = est.get('bpm')
    s['tempo_class'] = tempo_class(bpm, truth['bpm']) if steady else None
    s['level_class'] = level_class(bpm, truth['tempo_map']) if not steady and truth.get('tempo_map') else None
    s['beatF'], s['cmlt'] = beat_scores(truth['beats'], est.get('beats') or [])
    s['mapF'] = s['beatF'] if not steady and truth['tempo_kind'] != 'map' else None
    g = grid_bpm(est.get('beats') or [])
    s['grid'] = None if not bpm or not g else abs(bpm / g - 1) <= 0.01
    if 'downbeats' in est and est['downbeats'] is not None:
        s['downF'] = beat_scores(truth['downbeats'], est['downbeats'])[0]
        s['barPos'] = bar_positions(truth, est['downbeats'])
    else:
        s['downF'] = s['barPos'] = None
    ts = est.get('time_signature')
    if truth.get('time_signature') in ('3/4', '4/4') and isinstance(ts, dict) and ts.get('beats_per_bar'):
        s['meter'] = int(ts['beats_per_bar']) == truth['beats_per_bar']
    else:
        s['meter'] = None
    s['onsetF'] = mir_eval.onset.f_measure(np.array(truth['onsets']), np.array(sorted(est.get('onsets') or []), dtype=float),
                                           window=0.05)[0] if truth['onsets'] else None
    ref_key, est_key = truth.get('key'), key_name(est.get('key'), est.get('mode'))
    if ref_key and est.get('key') is not None:
        s['key'] = ref_key == est_key
        s['keyW'] = mir_eval.key.weighted_score(ref_key, est_key) if est_key else 0.0
    else:
        s['key'] = s['keyW'] = None
    secs = est.get('sections')
    if isinstance(secs, list) and truth['sections']:
        ref_iv = np.array([[x['start'], x['end']] for x in truth['sections']])
        est_iv = np.array([[x['start'], x['end']] for x in secs]) if secs else np.zeros((0, 2))
        s['secF'] = mir_eval.segment.detection(ref_iv, est_iv, window=0.5, trim=True)[2] if len(est_iv) else 0.0
    else:
        s['secF'] = None
    return s


def mean(vals, fmt='%.3f'):
    v = [x for x in vals if x is not None]
    return fmt % statistics.mean(v) if v else DASH


def frac(vals):
    v = [x for x in vals if x is not None]
    return f'{sum(1 for x in v if x)}/{len(v)}' if v else DASH


def tempo_cell(scores, key='tempo_class'):
    c = [s[key] for s in scores if s.get(key) is not None]
    if not c:
        return DASH, DASH
    ok = sum(1 for x in c if x == 'ok')
    errs = ' '.join(f'{k.replace("x", "×")}:{c.count(k)}' for k in ('x2', 'x1/2', 'x3', 'x1/3', 'x3/2', 'x2/3', 'wrong', 'none') if c.count(k))
    return f'{ok}/{len(c)}', errs or '0'


PEER_FILES = ('aubio-tempo.txt', 'aubio-beat.txt', 'aubio-onset.txt', 'essentia.json')
SYSTEMS = ('phonoglyph', 'aubio 0.4.9', 'essentia.js 0.1.3')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--worker', required=True)
    ap.add_argument('--also', action='append', default=[], metavar='LABEL=BIN',
                    help='another build of cmd/worker to score side by side (a branch under work)')
    ap.add_argument('--essentia')
    ap.add_argument('--essentia-script')
    ap.add_argument('--cache')
    ap.add_argument('--no-peers', action='store_true',
                    help='score only the phonoglyph builds (--worker, --also), without aubio and essentia.js')
    ap.add_argument('--sets', default='dev,holdout,planetblupi,long')
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--details', help='also write a per-track table to this file')
    ap.add_argument('--only-cached', action='store_true',
                    help='score only the tracks whose peer outputs are all cached (a partial run: the counts say how many)')
    args = ap.parse_args()
    if not args.no_peers and not (args.essentia and args.essentia_script and args.cache):
        ap.error('--essentia, --essentia-script and --cache are required unless --no-peers')
    args.cache = args.cache and os.path.join(args.cache, os.path.basename(os.path.normpath(args.corpus)))
    jobs = min(max(args.jobs, 1), 2)
    sets = [s for s in args.sets.split(',') if s]

    tracks = []  # (set, dir, truth)
    for name in dict.fromkeys(sets + ['controls']):  # controls once, named or not
        d = os.path.join(args.corpus, name)
        if not os.path.isdir(d):
            print(f'corpus-score: no set {name} under {args.corpus}', file=sys.stderr)
            continue
        for tid in sorted(os.listdir(d)):
            p = os.path.join(d, tid, 'truth.json')
            if not os.path.exists(p):
                continue
            pc = args.cache and os.path.join(args.cache, name, tid)
            if args.only_cached and pc and not all(os.path.exists(os.path.join(pc, f)) for f in PEER_FILES):
                continue
            tracks.append((name, os.path.join(d, tid), json.load(open(p))))

    also = [x.split('=', 1) for x in args.also]
    systems = ('phonoglyph',) + tuple(label for label, _ in also) + (() if args.no_peers else SYSTEMS[1:])
    none = {'bpm': None, 'beats': None, 'onsets': None}  # a peer not run: its cells print —

    def analyse(t):
        name, d, truth = t
        wav = os.path.join(d, 'mix.wav')
        a, e = (none, none) if args.no_peers else peers(args, d, f'{name}/{truth["id"]}')
        r = {'phonoglyph': ours(args, wav), 'aubio 0.4.9': a, 'essentia.js 0.1.3': e}
        for label, binary in also:
            r[label] = json.loads(run([binary, 'analyze', wav]))
        return t, r

    with ThreadPoolExecutor(jobs) as ex:
        results = list(ex.map(analyse, tracks))

    # Main table.
    print('| set | system | tempo ±1 % | octave and other errors | beat F | CMLt | beat F, tempo maps '
          '| level, tempo maps (±4 %) | bpm = beat grid '
          '| downbeat F | meter (3/4, 4/4) | onset F | key | key (mir_eval weighted) | section F (±0.5 s) |')
    print('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
    details = []
    for name in sets:
        rows = [(t, r) for t, r in results if t[0] == name]
        if not rows:
            continue
        for sysname in systems:
            sc = [score(t[2], r[sysname]) for t, r in rows]
            ok, errs = tempo_cell(sc)
            lok, lerrs = tempo_cell(sc, 'level_class')
            level = lok if lerrs in ('0', DASH) else f'{lok} ({lerrs})'
            label = f'{name} ({len(rows)})'
            print(f"| {label} | {sysname} | {ok} | {errs} | {mean(s['beatF'] for s in sc)} | {mean(s['cmlt'] for s in sc)} "
                  f"| {mean(s['mapF'] for s in sc)} | {level} | {frac(s['grid'] for s in sc)} | {mean(s['downF'] for s in sc)} "
                  f"| {frac(s['meter'] for s in sc)} | {mean(s['onsetF'] for s in sc)} | {frac(s['key'] for s in sc)} "
                  f"| {mean(s['keyW'] for s in sc)} | {mean(s['secF'] for s in sc)} |")
        for t, r in rows:
            details.append((t, r, {k: score(t[2], r[k]) if r[k] is not none else {} for k in r}))

    # Negative controls.
    ctl = [(t, r) for t, r in results if t[0] == 'controls']
    if ctl:
        print()
        print('| control | phonoglyph onsets | phonoglyph BPM | phonoglyph bpm_confidence | aubio onsets | aubio BPM '
              '| essentia.js onsets | essentia.js BPM | essentia.js confidence |')
        print('|---|---|---|---|---|---|---|---|---|')
        f2 = lambda x: DASH if x is None else '%.2f' % x
        n = lambda x: DASH if x is None else len(x)
        for t, r in ctl:
            o, a, e = r['phonoglyph'], r['aubio 0.4.9'], r['essentia.js 0.1.3']
            print(f"| {t[2]['id'].removeprefix('control-')} | {len(o.get('onsets') or [])} | {f2(o.get('bpm'))} | {f2(o.get('bpm_confidence'))} "
                  f"| {n(a['onsets'])} | {f2(a['bpm'])} | {n(e['onsets'])} | {f2(e['bpm'])} | {f2(e.get('bpm_confidence'))} |")

    # Per format: the same tracks in every upload format (the analyser only).
    fmt_tracks = [(t, r) for t, r in results if t[0] in ('dev', 'holdout')][::6][:6]
    if fmt_tracks:
        print()
        print(f'Per format (phonoglyph; {len(fmt_tracks)} tracks: ' + ', '.join(t[2]['id'] for t, _ in fmt_tracks) + ')')
        print()
        print('| format | tempo ±1 % | beat F | onset F | key | largest BPM difference from the WAV |')
        print('|---|---|---|---|---|---|')
        per = {}
        def fmt_job(item):
            (t, _), ext = item
            f = os.path.join(t[1], t[2]['files'][ext])
            return t[2]['id'], ext, ours(args, f)
        exts = ['wav', 'flac', 'mp3', 'ogg', 'm4a']
        with ThreadPoolExecutor(jobs) as ex:
            for tid, ext, o in ex.map(fmt_job, [(x, e) for x in fmt_tracks for e in exts]):
                per[(tid, ext)] = o
        for ext in exts:
            sc = [score(t[2], per[(t[2]['id'], ext)]) for t, _ in fmt_tracks]
            diff = max(abs((per[(t[2]['id'], ext)].get('bpm') or 0) - (per[(t[2]['id'], 'wav')].get('bpm') or 0)) for t, _ in fmt_tracks)
            tc = [s['tempo_class'] for s in sc if s['tempo_class'] is not None]
            print(f"| {ext} | {sum(1 for c in tc if c == 'ok')}/{len(tc)} | {mean(s['beatF'] for s in sc)} | {mean(s['onsetF'] for s in sc)} "
                  f"| {frac(s['key'] for s in sc)} | {diff:.2f} |")

    if args.details:
        with open(args.details, 'w') as f:
            bars = '/'.join(['phonoglyph'] + [label for label, _ in also])
            f.write('| track | style | meter | tempo | BPM | phonoglyph | aubio | essentia.js | beat F p/a/e | onset F p/a/e | key | phonoglyph key | essentia.js key '
                    f'| downbeat F {bars} | section F {bars} | phonoglyph downbeats on truth positions |\n')
            f.write('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n')
            f2 = lambda x: DASH if x is None else '%.1f' % x
            f3 = lambda x: DASH if x is None else '%.2f' % x
            for t, r, sc in details:
                tr = t[2]
                p, a, e = (r[k] for k in SYSTEMS)
                f.write(f"| {tr['id']} | {tr.get('style') or DASH} | {tr.get('time_signature') or DASH} | {tr['tempo_kind']} | {f2(tr['bpm'])} "
                        f"| {f2(p.get('bpm'))} | {f2(a.get('bpm'))} | {f2(e.get('bpm'))} "
                        f"| {'/'.join(f3(sc[k].get('beatF')) for k in SYSTEMS)} | {'/'.join(f3(sc[k].get('onsetF')) for k in SYSTEMS)} "
                        f"| {tr.get('key') or DASH} | {key_name(p.get('key'), p.get('mode')) or DASH} | {key_name(e.get('key'), e.get('mode')) or DASH} "
                        f"| {'/'.join(f3(sc[k].get('downF')) for k in ['phonoglyph'] + [label for label, _ in also])} "
                        f"| {'/'.join(f3(sc[k].get('secF')) for k in ['phonoglyph'] + [label for label, _ in also])} "
                        f"| {sc['phonoglyph'].get('barPos') or DASH} |\n")


if __name__ == '__main__':
    main()
