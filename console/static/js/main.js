// The console's entry point: signs in, lists and uploads songs, and hands
// the selected song to the analysis, stems and render views. Every request
// is a public API call (api.js); job status comes from events.js.
import { Api } from './api.js';
import { clearAlerts, report } from './alerts.js';
import { AnalysisView } from './analysis.js';
import { byId, bytes, h } from './dom.js';
import { JobWatcher } from './events.js';
import { JobsView } from './jobs-view.js';
import { RenderView } from './render.js';
import * as session from './session.js';
import { StemsView } from './stems.js';

const appSections = ['library', 'jobs', 'analysis', 'stems', 'render'];
const files = new Map(); // id → file, the caller's songs
let current = null;

const api = new Api({ onUnauthorized: (err) => signOut(`Your token was refused: ${err.message} Sign in again.`) });
const jobs = new JobsView((job) => files.get(job.file_id)?.file_name);
const watcher = new JobWatcher(api, {
  onChange: (job) => {
    jobs.update(job);
    stems.progress(job);
    renders.progress(job);
  },
  onMode: (mode) => jobs.mode(mode),
  onError: (err) => report('Follow jobs', err),
});
const analysis = new AnalysisView(api, watcher);
const stems = new StemsView(api, watcher, jobs);
const renders = new RenderView(api, watcher, jobs);

/** signIn checks a token with GET /api/v1/me and opens the console. */
async function signIn(token) {
  api.token = token;
  let me;
  try {
    me = await api.json('GET', '/api/v1/me');
  } catch (err) {
    api.token = '';
    session.forget();
    throw err;
  }
  if (me.guest) {
    api.token = '';
    throw new Error('That is a guest session: guests are read-only. Use a user token.');
  }
  session.remember(token);
  clearAlerts();
  const exp = session.claims(token).exp;
  byId('who-name').textContent = `user ${me.user_id.slice(0, 8)}…`;
  byId('who-name').title = `Your user id ${me.user_id}` + (exp ? `; the token expires ${new Date(exp * 1000).toLocaleString()}` : '');
  byId('who').hidden = false;
  byId('nav').hidden = false;
  byId('signin').hidden = true;
  for (const id of ['library', 'jobs']) byId(id).hidden = false;
  document.body.dataset.signedIn = 'true';
  watcher.start();
  await loadFiles();
  const wanted = new URLSearchParams(location.search).get('file');
  if (wanted && files.has(wanted)) select(files.get(wanted));
}

/** signOut forgets the token and shows the sign-in form with a reason. */
function signOut(reason) {
  if (document.body.dataset.signedIn !== 'true') return; // signIn reports its own failures
  watcher.stop();
  api.token = '';
  session.forget();
  current = null;
  files.clear();
  jobs.clear();
  for (const id of appSections) byId(id).hidden = true;
  byId('signin').hidden = false;
  byId('who').hidden = true;
  byId('nav').hidden = true;
  document.body.dataset.signedIn = 'false';
  history.replaceState(null, '', location.pathname);
  if (reason) report('Sign in', new Error(reason));
}

/** loadFiles lists the caller's uploaded songs (not stems or renders). */
async function loadFiles() {
  try {
    const { files: list } = await api.json('GET', '/api/v1/files?limit=50');
    files.clear();
    for (const f of list) {
      if (f.file_type === 'audio' && f.upload_status === 'completed' && (!f.stem_type || f.stem_type === 'master')) files.set(f.id, f);
    }
  } catch (err) {
    report('List your songs', err);
  }
  renderFiles();
}

function renderFiles() {
  const list = byId('files');
  list.replaceChildren(...[...files.values()].map((f) => h('li', {},
    h('button', {
      type: 'button', dataset: { fileId: f.id }, 'aria-current': current?.id === f.id ? 'true' : 'false',
      onclick: () => select(f),
    },
    h('span', { class: 'name' }, f.file_name),
    h('span', { class: 'meta' }, `${bytes(f.file_size)} · ${new Date(f.created_at).toLocaleString()}`)))));
  byId('files-empty').hidden = files.size > 0;
}

/** select opens a song in the analysis, stems and render views. */
function select(file) {
  current = file;
  renderFiles();
  history.replaceState(null, '', `?file=${encodeURIComponent(file.id)}`);
  for (const id of ['analysis', 'stems', 'render']) byId(id).hidden = false;
  analysis.load(file);
  stems.load(file);
  renders.load(file);
}

async function upload(ev) {
  ev.preventDefault();
  const input = byId('file-input');
  const file = input.files[0];
  if (!file) return;
  const button = byId('upload-button');
  const step = byId('upload-step');
  const bar = byId('upload-progress');
  button.disabled = true;
  byId('upload-status').hidden = false;
  bar.value = 0;
  try {
    const done = await api.upload(file, {
      onStep: (text) => { step.textContent = text; },
      onProgress: (p) => { bar.value = Math.round(p * 100); },
    });
    files.set(done.file.id, done.file);
    for (const job of done.jobs) watcher.watch({ ...job, file_id: done.file.id });
    step.textContent = `Uploaded ${done.file.file_name}.`;
    byId('upload-form').reset();
    select(done.file);
  } catch (err) {
    step.textContent = `The upload of ${file.name} failed.`;
    report(`Upload ${file.name}`, err);
  } finally {
    button.disabled = false;
  }
}

function wire() {
  byId('dev-signin').addEventListener('click', async (ev) => {
    ev.currentTarget.disabled = true;
    try {
      api.token = '';
      await signIn(await session.devToken(api));
    } catch (err) {
      report('Sign in with a development token', err);
    } finally {
      byId('dev-signin').disabled = false;
    }
  });
  byId('token-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = byId('token-input').value.trim().replace(/^Bearer\s+/i, '');
    try {
      await signIn(token);
      byId('token-input').value = '';
    } catch (err) {
      report('Sign in with a token', err);
    }
  });
  byId('sign-out').addEventListener('click', () => signOut());
  byId('upload-form').addEventListener('submit', upload);
}

async function boot() {
  wire();
  // The one-click sign-in exists in development only; /health says which this is.
  try {
    const res = await fetch('/health', { cache: 'no-store' });
    const health = await res.json();
    byId('signin-dev').hidden = health.environment === 'production';
  } catch {
    // No health answer: keep the button; a click says what is wrong.
  }
  const token = session.savedToken();
  if (token) {
    try {
      await signIn(token);
    } catch (err) {
      report('Sign in with the saved token', err);
    }
  }
  document.body.dataset.ready = 'true';
}

boot();
