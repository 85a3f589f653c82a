// The stems view: asks for a separation (POST /api/v1/stem-jobs), follows
// it, and plays each stem from results.stems, whose files are analysed in
// turn (their analysis jobs show in the jobs table).
import { byId, h } from './dom.js';
import { report } from './alerts.js';

const order = ['vocals', 'drums', 'bass', 'piano', 'other', 'accompaniment'];

export class StemsView {
  constructor(api, watcher, jobs) {
    this.api = api;
    this.watcher = watcher;
    this.jobs = jobs;
    this.file = null;
    this.jobId = null;
    this.seq = 0;
    byId('stems-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#separate();
    });
  }

  /** load shows the latest separation of file, if it has one. */
  async load(file) {
    const seq = ++this.seq;
    this.file = file;
    this.jobId = null;
    byId('stems-list').replaceChildren();
    this.#state('');
    try {
      const { jobs } = await this.api.json('GET', '/api/v1/stem-jobs?limit=50');
      const latest = jobs.find((j) => j.file_id === file.id);
      if (seq === this.seq && latest) this.#follow(latest, seq).catch((err) => report('Show the stems', err));
    } catch (err) {
      report('List stem separations', err);
    }
  }

  /** progress updates the state line while the current separation runs. */
  progress(job) {
    if (job.id === this.jobId && job.status !== 'completed') {
      this.#state(job.status === 'failed' ? `The separation failed: ${job.error || 'no reason given'}` : `Separating… ${job.progress ?? 0} %`,
        job.status === 'failed' ? 'error' : '');
    }
  }

  async #separate() {
    const file = this.file;
    const button = byId('stems-button');
    button.disabled = true;
    try {
      const { job } = await this.api.json('POST', '/api/v1/stem-jobs', {
        body: { file_id: file.id, config: { model_variant: byId('stems-variant').value } },
      });
      byId('stems-list').replaceChildren();
      await this.#follow(job, this.seq);
    } catch (err) {
      report(`Separate ${file.file_name}`, err);
    } finally {
      button.disabled = false;
    }
  }

  async #follow(job, seq) {
    this.jobId = job.id;
    this.jobs.label(job.id, this.file.file_name);
    this.watcher.watch(job);
    this.progress(job);
    let done;
    try {
      done = await this.watcher.until(job.id);
    } catch (err) {
      if (seq === this.seq) this.#state(`The separation is gone: ${err.message}`, 'error');
      return;
    }
    if (seq !== this.seq) return;
    if (done.status !== 'completed') {
      this.#state(`The separation ${done.status}: ${done.error || 'no reason given'}`, 'error');
      return;
    }
    const full = done.results?.stems && Object.values(done.results.stems)[0]?.download_url
      ? done : (await this.api.json('GET', `/api/v1/stem-jobs/${job.id}`)).job;
    if (seq === this.seq) this.#show(full);
  }

  #show(job) {
    const stems = Object.entries(job.results?.stems || {})
      .sort(([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
    this.#state(`${stems.length} stems (${job.config?.model_variant || 'separation'}).`);
    const base = this.file.file_name.replace(/\.[^.]+$/, '');
    byId('stems-list').replaceChildren(...stems.map(([name, stem]) => {
      const audio = h('audio', { controls: true, preload: 'metadata', dataset: { stem: name }, 'aria-label': `Play the ${name} stem` });
      const link = h('a', { download: `${base}-${name}.wav`, hidden: true }, 'Download');
      const meta = h('span', { class: 'meta' }, '');
      this.api.mediaURL(stem.download_url).then((url) => {
        audio.src = url;
        link.href = url;
        link.hidden = false;
      }, (err) => report(`Play the ${name} stem`, err));
      this.#analysis(name, stem.file_id, meta);
      return h('li', { dataset: { stem: name } },
        h('div', { class: 'stem-head' }, h('span', { class: 'stem-name' }, name), meta, link), audio);
    }));
  }

  /** analysis shows a stem's tempo once its own analysis is done. */
  async #analysis(name, fileID, meta) {
    const path = `/api/v1/files/${fileID}/analysis?stem=${encodeURIComponent(name)}`;
    try {
      let res = await this.api.send('GET', path);
      if (res.status === 202) {
        meta.textContent = 'analysing…';
        this.jobs.label(res.body.job.id, `${this.file.file_name} · ${name}`);
        this.watcher.watch({ ...res.body.job, file_id: fileID });
        const done = await this.watcher.until(res.body.job.id);
        if (done.status !== 'completed') {
          meta.textContent = `analysis ${done.status}`;
          return;
        }
        res = await this.api.send('GET', path);
      }
      const s = res.body?.analysisData?.summary;
      meta.textContent = s ? `${s.bpm > 0 ? `${s.bpm.toFixed(0)} BPM · ` : ''}${s.loudness_lufs.toFixed(1)} LUFS` : '';
    } catch (err) {
      if (err.status !== 404) report(`Read the analysis of the ${name} stem`, err);
    }
  }

  #state(text, kind = '') {
    const el = byId('stems-state');
    el.textContent = text;
    el.dataset.kind = kind;
  }
}
