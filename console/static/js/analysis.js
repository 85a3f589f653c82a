// The analysis view: reads GET /api/v1/files/{id}/analysis (the document
// described in the README's Analysis section) and shows it as pictures.
// Fields another version of the analysis adds (downbeats, time_signature,
// sections) are drawn when present.
import { drawCurves, drawHeatmap, drawWaveform } from './charts.js';
import { byId, clock, h } from './dom.js';
import { report } from './alerts.js';

const pitchClasses = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
const pitchLabels = ['C', 'C♯', 'D', 'D♯', 'E', 'F', 'F♯', 'G', 'G♯', 'A', 'A♯', 'B'];

/** Seconds from a list of numbers or of {time} objects; undefined if absent. */
function seconds(list) {
  if (!Array.isArray(list)) return undefined;
  return list.map((x) => (typeof x === 'number' ? x : x?.time)).filter(Number.isFinite);
}

/**
 * readAnalysis turns the API's analysis document into what the view draws.
 * Markers come from analysisData (beats, onsets, downbeats), else from
 * waveformData.markers of the same type.
 */
export function readAnalysis(doc) {
  const d = doc.analysisData || {};
  const wf = doc.waveformData || {};
  const summary = d.summary || {};
  const markers = Array.isArray(wf.markers) ? wf.markers : [];
  const ofType = (type) => markers.filter((m) => m.type === type).map((m) => m.time).filter(Number.isFinite);
  const frameTimes = Array.isArray(d.frameTimes) ? d.frameTimes : [];
  const duration = summary.duration || doc.metadata?.duration || wf.duration || frameTimes[frameTimes.length - 1] || 0;
  let chroma = Array.isArray(d.chromaVectors) ? d.chromaVectors : undefined;
  if (!chroma && Array.isArray(d.chroma)) { // only the dominant pitch class per frame: one-hot columns
    chroma = d.chroma.map((p) => pitchClasses.map((_, i) => (i === p.pitch ? p.confidence || 1 : 0)));
  }
  const sections = (d.sections ?? summary.sections ?? [])
    .map((s) => ({ start: Number(s.start), end: Number(s.end), label: s.label, loudness: s.loudness_lufs, energy: s.energy }))
    .filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end));
  return {
    duration,
    summary,
    version: doc.metadata?.analysisVersion,
    frameTimes,
    series: d,
    beats: seconds(d.beats) ?? ofType('beat'),
    downbeats: seconds(d.downbeats) ?? seconds(summary.downbeats) ?? ofType('downbeat'),
    onsets: seconds(d.onsets) ?? ofType('onset'),
    sections,
    meter: d.time_signature ?? summary.time_signature ?? null,
    waveform: { min: wf.min || [], max: wf.max || [] },
    chroma,
    spectrum: Array.isArray(d.amplitudeSpectrum) ? d.amplitudeSpectrum : undefined,
  };
}

const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)} %` : '');
const fixed = (x, n = 1) => (Number.isFinite(x) ? x.toFixed(n) : '–');

function setValue(id, main, detail) {
  byId(id).replaceChildren(main, ...(detail ? [h('small', {}, detail)] : []));
}

/** AnalysisView loads, draws and redraws the analysis of the selected file. */
export class AnalysisView {
  constructor(api, watcher) {
    this.api = api;
    this.watcher = watcher;
    this.seq = 0;
    this.model = null;
    this.file = null;
    this.frame = 0;
    new ResizeObserver(() => this.#scheduleRedraw()).observe(byId('analysis'));
    this.#wirePlayer();
  }

  /** load shows the analysis of file, waiting for its job if it runs. */
  async load(file) {
    const seq = ++this.seq;
    this.file = file;
    this.model = null;
    byId('analysis-file').textContent = file.file_name;
    byId('analysis-body').hidden = true;
    byId('analysis-body').dataset.drawn = 'false';
    this.#state('Loading the analysis…');
    const audio = byId('master-audio');
    audio.removeAttribute('src');
    this.api.mediaURL(`/api/v1/files/${file.id}/download`)
      .then((url) => { if (seq === this.seq) audio.src = url; })
      .catch((err) => report(`Play ${file.file_name}`, err));
    const stem = file.stem_type || 'master';
    for (let attempt = 0; attempt < 3 && seq === this.seq; attempt++) {
      let res;
      try {
        res = await this.api.send('GET', `/api/v1/files/${file.id}/analysis?stem=${encodeURIComponent(stem)}`);
      } catch (err) {
        if (seq !== this.seq) return;
        if (err.status === 404) {
          this.#offerAnalysis(file, err.message, seq);
          return;
        }
        this.#state(`The analysis could not be read: ${err.message}`, 'error');
        report(`Read the analysis of ${file.file_name}`, err);
        return;
      }
      if (seq !== this.seq) return;
      if (res.status === 200) {
        this.#show(res.body);
        return;
      }
      if (!(await this.#wait(res.body.job, seq))) return;
    }
  }

  /** wait follows an analysis job to its end; true when it completed. */
  async #wait(job, seq) {
    this.#state(`Analysing… (${job.status})`);
    this.watcher.watch({ ...job, file_id: this.file.id });
    let done;
    try {
      done = await this.watcher.until(job.id);
    } catch (err) {
      if (seq === this.seq) this.#state(`The analysis job is gone: ${err.message}`, 'error');
      return false;
    }
    if (seq !== this.seq) return false;
    if (done.status !== 'completed') {
      this.#state(`The analysis ${done.status}: ${done.error || 'no reason given'}`, 'error');
      return false;
    }
    return true;
  }

  #offerAnalysis(file, message, seq) {
    const button = h('button', { type: 'button', id: 'analyse-button' }, 'Analyse it');
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const { job } = await this.api.json('POST', `/api/v1/files/${file.id}/analysis`);
        if (await this.#wait(job, seq)) this.load(file);
      } catch (err) {
        report(`Analyse ${file.file_name}`, err);
        button.disabled = false;
      }
    });
    const state = byId('analysis-state');
    state.dataset.kind = '';
    state.replaceChildren(message, ' ', button);
  }

  #state(text, kind = '') {
    const el = byId('analysis-state');
    el.textContent = text;
    el.dataset.kind = kind;
  }

  #show(doc) {
    this.model = readAnalysis(doc);
    byId('analysis-state').textContent = '';
    byId('analysis-body').hidden = false;
    this.#summary();
    this.#sections();
    this.draw();
  }

  #summary() {
    const { summary: s, beats, onsets, meter, duration, version } = this.model;
    if (s.bpm > 0) setValue('summary-tempo', `${fixed(s.bpm)} BPM`, `confidence ${pct(s.bpm_confidence)}`);
    else setValue('summary-tempo', 'no steady beat');
    if (s.key) setValue('summary-key', `${s.key} ${s.mode || ''}`.trim(), `confidence ${pct(s.key_confidence)}`);
    else setValue('summary-key', 'none');
    byId('summary-meter-box').hidden = !meter;
    if (meter) {
      const n = meter.beats_per_bar ?? meter.beatsPerBar;
      setValue('summary-meter', `${n} beats per bar`, Number.isFinite(meter.confidence) ? `confidence ${pct(meter.confidence)}` : '');
    }
    setValue('summary-loudness', `${fixed(s.loudness_lufs)} LUFS`, `range ${fixed(s.loudness_range_lu)} LU`);
    setValue('summary-peak', `${fixed(s.true_peak_dbtp)} dBTP`, `sample peak ${fixed(s.peak_dbfs)} dBFS`);
    setValue('summary-duration', clock(duration), `${beats.length} beats · ${onsets.length} onsets`);
    const rate = s.sample_rate ? `${(s.sample_rate / 1000).toFixed(1)} kHz` : '–';
    setValue('summary-format', rate, [s.channels ? `${s.channels} ch` : '', version ? `analysis ${version}` : ''].filter(Boolean).join(' · '));
  }

  #sections() {
    const { sections } = this.model;
    byId('sections-box').hidden = sections.length === 0;
    byId('sections-list').replaceChildren(...sections.map((s, i) => h('li', {},
      h('strong', {}, String(s.label || `Section ${i + 1}`)), ` ${clock(s.start)}–${clock(s.end)}`,
      Number.isFinite(s.loudness) ? ` · ${s.loudness.toFixed(1)} LUFS` : '')));
  }

  /** draw (re)draws every chart at the canvases' current size. */
  draw() {
    const m = this.model;
    if (!m) return;
    const canvas = byId('waveform');
    const drawn = drawWaveform(canvas, { ...m.waveform, duration: m.duration, beats: m.beats, downbeats: m.downbeats, onsets: m.onsets, sections: m.sections });
    Object.assign(canvas.dataset, {
      beats: drawn.beats, downbeats: drawn.downbeats, onsets: drawn.onsets, sections: drawn.sections,
    });
    const legend = canvas.closest('figure');
    legend.querySelector('.key.downbeat').hidden = drawn.downbeats === 0;
    legend.querySelector('.key.section').hidden = drawn.sections === 0;
    canvas.setAttribute('aria-label', `Waveform of ${this.file.file_name}, ${clock(m.duration)}: ${drawn.beats} beats, `
      + `${drawn.downbeats} downbeats, ${drawn.onsets} onsets and ${drawn.sections} sections marked`);

    const s = m.series;
    const curve = (id, series, opts) => {
      const c = byId(id);
      const present = series.filter((x) => Array.isArray(x.values) && x.values.length);
      c.closest('figure').hidden = present.length === 0;
      if (!present.length) return;
      const r = drawCurves(c, { times: m.frameTimes, duration: m.duration, series: present, ...opts });
      c.dataset.points = r.points;
    };
    curve('loudness', [{ values: s.loudness, css: '--loudness' }], {
      floor: -70, format: (v) => `${Math.round(v)}`, refs: [{ value: m.summary.loudness_lufs, css: '--integrated' }],
    });
    curve('spectral', [{ values: s.spectralCentroid, css: '--centroid' }, { values: s.spectralRolloff, css: '--rolloff' }], {
      floor: 0, format: (v) => (v >= 1000 ? `${(v / 1000).toFixed(v % 1000 ? 1 : 0)}k` : `${Math.round(v)}`),
    });
    curve('bands', [{ values: s.bass, css: '--bass' }, { values: s.mid, css: '--mid' }, { values: s.treble, css: '--treble' }], {
      floor: 0, format: (v) => v.toFixed(2),
    });

    const chroma = byId('chroma');
    chroma.closest('figure').hidden = !m.chroma;
    if (m.chroma) {
      const r = drawHeatmap(chroma, {
        columns: m.chroma, rows: 12, duration: m.duration, labels: pitchLabels, highlight: pitchClasses.indexOf(m.summary.key),
      });
      chroma.dataset.columns = r.columns;
    }
    const spec = byId('spectrogram');
    spec.closest('figure').hidden = !m.spectrum;
    if (m.spectrum) {
      const rows = m.spectrum[0]?.length || 0;
      const r = drawHeatmap(spec, { columns: m.spectrum, rows, duration: m.duration, log: true, smooth: true, labels: ['low', ...Array(Math.max(0, rows - 2)).fill(''), 'high'] });
      spec.dataset.columns = r.columns;
    }
    byId('analysis-body').dataset.drawn = 'true';
    this.#playhead();
  }

  #scheduleRedraw() {
    if (!this.model || this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  // The song plays under the waveform: a playhead follows it and a click on
  // the waveform seeks.
  #wirePlayer() {
    const audio = byId('master-audio');
    const box = byId('waveform-box');
    let raf = 0;
    const tick = () => {
      this.#playhead();
      raf = audio.paused ? 0 : requestAnimationFrame(tick);
    };
    audio.addEventListener('play', () => { if (!raf) raf = requestAnimationFrame(tick); });
    audio.addEventListener('seeked', () => this.#playhead());
    box.addEventListener('click', (ev) => {
      const d = this.model?.duration;
      if (!d || !Number.isFinite(audio.duration)) return;
      const rect = box.getBoundingClientRect();
      const frac = (ev.clientX - rect.left - 8) / Math.max(1, rect.width - 16);
      audio.currentTime = Math.min(Math.max(frac, 0), 1) * Math.min(d, audio.duration);
    });
  }

  #playhead() {
    const audio = byId('master-audio');
    const head = byId('playhead');
    const d = this.model?.duration;
    if (!d || !(audio.currentTime > 0)) {
      head.hidden = true;
      return;
    }
    const w = byId('waveform-box').clientWidth;
    head.hidden = false;
    head.style.left = `${8 + Math.min(audio.currentTime / d, 1) * (w - 16)}px`;
  }
}
