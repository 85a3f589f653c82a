// The render view: asks for a video of the song (POST /api/v1/renders),
// follows the render job and plays the MP4.
import { byId } from './dom.js';
import { report } from './alerts.js';

export class RenderView {
  constructor(api, watcher, jobs) {
    this.api = api;
    this.watcher = watcher;
    this.jobs = jobs;
    this.file = null;
    this.renderId = null;
    this.seq = 0;
    byId('render-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#render();
    });
  }

  /** load shows the latest render of file, if it has one. */
  async load(file) {
    const seq = ++this.seq;
    this.file = file;
    this.renderId = null;
    this.#reset();
    try {
      const { renders } = await this.api.json('GET', '/api/v1/renders?limit=50');
      const latest = renders.find((r) => r.request?.master_file_id === file.id);
      if (seq === this.seq && latest) this.#follow(latest, seq).catch((err) => report('Show the render', err));
    } catch (err) {
      report('List renders', err);
    }
  }

  /** progress moves the progress bar while the current render runs. */
  progress(job) {
    if (job.id !== this.renderId) return;
    const bar = byId('render-progress');
    bar.hidden = job.status === 'completed';
    bar.value = job.progress ?? 0;
    if (job.status === 'failed') this.#state(`The render failed: ${job.error || 'no reason given'}`, 'error');
    else if (job.status !== 'completed') this.#state(`Rendering… ${job.progress ?? 0} % (${job.status})`);
  }

  async #render() {
    const file = this.file;
    const button = byId('render-button');
    button.disabled = true;
    try {
      const { render } = await this.api.json('POST', '/api/v1/renders', {
        body: {
          project_name: file.file_name.replace(/\.[^.]+$/, ''),
          composition: 'RayboxMain',
          codec: 'h264',
          master_file_id: file.id,
          analysis_file_ids: [file.id],
          aspect_ratio: byId('render-aspect').value,
          fps: Number(byId('render-fps').value),
        },
      });
      this.#reset();
      await this.#follow(render, this.seq);
    } catch (err) {
      report(`Render ${file.file_name}`, err);
    } finally {
      button.disabled = false;
    }
  }

  async #follow(render, seq) {
    this.renderId = render.id;
    this.jobs.label(render.id, render.project_name || this.file.file_name);
    const job = { id: render.id, kind: 'render', status: render.status, progress: render.progress, error: render.error, updated_at: render.updated_at };
    this.watcher.watch(job);
    this.progress(job);
    let done;
    try {
      done = await this.watcher.until(render.id);
    } catch (err) {
      if (seq === this.seq) this.#state(`The render is gone: ${err.message}`, 'error');
      return;
    }
    if (seq !== this.seq) return;
    if (done.status !== 'completed') {
      this.#state(`The render ${done.status}: ${done.error || 'no reason given'}`, 'error');
      return;
    }
    const { render: full } = await this.api.json('GET', `/api/v1/renders/${render.id}`);
    if (!full.output?.download_url) {
      this.#state('The render completed without an output file.', 'error');
      return;
    }
    const url = await this.api.mediaURL(full.output.download_url);
    if (seq !== this.seq) return;
    const video = byId('render-video');
    video.src = url;
    video.hidden = false;
    const link = byId('render-download');
    link.href = url;
    link.download = `${full.project_name || 'render'}.mp4`;
    link.hidden = false;
    this.#state(`Rendered ${full.request?.aspect_ratio || ''} at ${full.request?.fps || 30} fps.`);
  }

  #reset() {
    const video = byId('render-video');
    video.hidden = true;
    video.removeAttribute('src');
    byId('render-download').hidden = true;
    byId('render-progress').hidden = true;
    this.#state('');
  }

  #state(text, kind = '') {
    const el = byId('render-state');
    el.textContent = text;
    el.dataset.kind = kind;
  }
}
