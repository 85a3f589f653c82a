// The jobs table: every job of this session as the watcher last saw it.
import { byId, h } from './dom.js';

const kindNames = {
  audio_analysis: 'Analysis', stem_separation: 'Stem separation', render: 'Render', midi_parse: 'MIDI parse',
};

const modeText = {
  connecting: 'Connecting to the event stream…',
  stream: 'Live: server-sent events from GET /api/v1/events.',
  reconnecting: 'The event stream dropped: reconnecting (missed events are resumed with Last-Event-ID)…',
  poll: 'Live: polling GET /api/v1/jobs/{id} every second (this API has no event stream).',
  stopped: 'Not following jobs.',
};

export class JobsView {
  /** describe names what a job works on (a file name), given the job. */
  constructor(describe) {
    this.describe = describe;
    this.labels = new Map();
  }

  /** label names a job's subject when the job itself cannot (a render's project). */
  label(id, text) {
    this.labels.set(id, text);
  }

  /** update shows one job's latest state, adding its row on first sight. */
  update(job) {
    const body = byId('jobs-body');
    let row = body.querySelector(`tr[data-job-id="${CSS.escape(job.id)}"]`);
    if (!row) {
      row = h('tr', { dataset: { jobId: job.id } });
      body.prepend(row);
    }
    const kind = kindNames[job.kind] || job.kind || 'Job';
    const subject = this.labels.get(job.id) || this.describe(job) || job.id.slice(0, 8);
    const progress = Number.isFinite(job.progress) ? job.progress : (job.status === 'completed' ? 100 : 0);
    row.dataset.kind = job.kind || '';
    row.dataset.status = job.status;
    row.replaceChildren(
      h('td', {}, kind),
      h('td', { class: 'file', title: subject }, subject),
      h('td', {}, h('span', { class: 'status', dataset: { status: job.status } }, job.status),
        job.error ? h('span', { class: 'error' }, job.error) : null),
      h('td', {}, h('progress', { max: 100, value: progress, 'aria-label': `${kind} of ${subject}: ${progress} %` }), ` ${progress} %`),
      h('td', {}, job.updated_at ? new Date(job.updated_at).toLocaleTimeString() : ''),
    );
    byId('jobs-empty').hidden = true;
  }

  /** mode says how the page follows jobs (stream, polling…). */
  mode(mode) {
    const el = byId('live-mode');
    el.dataset.mode = mode;
    el.textContent = modeText[mode] || mode;
  }

  clear() {
    byId('jobs-body').replaceChildren();
    byId('jobs-empty').hidden = false;
    this.labels.clear();
  }
}
