// The API client. Every request of the console goes through here, with the
// bearer token, and every error becomes an ApiError carrying the API's
// {"error":{"code","message"}} (or what the transport said).

/** An error answered by the API, or a transport failure (status 0). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** Reads the API's error shape from a failed response. */
export async function errorFrom(res) {
  let code = `http_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  let text = '';
  try { text = await res.text(); } catch { /* the body is gone: keep the status */ }
  try {
    const body = JSON.parse(text);
    if (body?.error?.message) {
      code = body.error.code || code;
      message = body.error.message;
    }
  } catch {
    if (text.trim()) message = text.trim().slice(0, 300);
  }
  return new ApiError(res.status, code, message);
}

// Extensions the API accepts as audio, for browsers that leave File.type empty.
const audioTypes = {
  wav: 'audio/wav', mp3: 'audio/mpeg', flac: 'audio/flac', ogg: 'audio/ogg', m4a: 'audio/mp4', aac: 'audio/aac',
};

/** The MIME type to declare for a file: the browser's, else by extension. */
export function mimeOf(file) {
  if (file.type) return file.type;
  const ext = file.name.split('.').pop().toLowerCase();
  return audioTypes[ext] || 'application/octet-stream';
}

export class Api {
  #token = '';

  /** onUnauthorized runs when the API answers 401 (an expired or bad token). */
  constructor({ onUnauthorized } = {}) {
    this.onUnauthorized = onUnauthorized;
  }

  set token(t) { this.#token = t || ''; }
  get token() { return this.#token; }

  /** Headers with the bearer token and any extra ones. */
  headers(extra = {}) {
    const h = new Headers(extra);
    if (this.#token) h.set('Authorization', `Bearer ${this.#token}`);
    return h;
  }

  /** send makes a request and answers {status, body}; non-2xx throws an ApiError. */
  async send(method, path, { body, signal } = {}) {
    const init = { method, headers: this.headers(), signal, cache: 'no-store' };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers.set('Content-Type', 'application/json');
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new ApiError(0, 'network', `Cannot reach the API (${method} ${path}): ${err.message}`);
    }
    if (!res.ok) {
      const err = await errorFrom(res);
      if (res.status === 401) this.onUnauthorized?.(err);
      throw err;
    }
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  }

  /** json is send's body alone. */
  async json(method, path, opts) {
    return (await this.send(method, path, opts)).body;
  }

  /**
   * upload runs the API's upload flow for a File: declare it (POST
   * /api/v1/files), PUT the bytes to the signed URL with the headers it
   * requires, then complete it (POST /api/v1/files/{id}/complete), which
   * checks the bytes and enqueues the analysis. Answers {file, jobs}.
   */
  async upload(file, { onStep = () => {}, onProgress = () => {} } = {}) {
    onStep('Declaring the upload…');
    const declared = await this.json('POST', '/api/v1/files', {
      body: { file_name: file.name, file_size: file.size, mime_type: mimeOf(file) },
    });
    onStep('Uploading…');
    await put(declared.upload, file, onProgress);
    onStep('Checking the file…');
    return this.json('POST', `/api/v1/files/${declared.file.id}/complete`);
  }

  /**
   * mediaURL turns an authenticated download link (a 302 to a signed,
   * expiring URL) into that signed URL, which <audio> and <video> can load
   * without headers. It asks for one byte and drops the body.
   */
  async mediaURL(path) {
    const ctl = new AbortController();
    let res;
    try {
      res = await fetch(path, { headers: this.headers({ Range: 'bytes=0-0' }), signal: ctl.signal, cache: 'no-store' });
    } catch (err) {
      throw new ApiError(0, 'network', `Cannot reach the API (GET ${path}): ${err.message}`);
    }
    if (!res.ok) throw await errorFrom(res);
    const url = res.url;
    ctl.abort();
    return url;
  }
}

// Headers a page may not set on a request; the browser sets them itself.
const forbidden = new Set(['content-length', 'host', 'connection']);

/** put sends the bytes to a signed upload URL, reporting progress 0..1. */
function put(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method || 'PUT', upload.url);
    for (const [k, v] of Object.entries(upload.headers || {})) {
      if (!forbidden.has(k.toLowerCase())) xhr.setRequestHeader(k, v);
    }
    xhr.upload.onprogress = (ev) => { if (ev.lengthComputable) onProgress(ev.loaded / ev.total); };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
        return;
      }
      if (xhr.status < 200 || xhr.status > 599) {
        reject(new ApiError(xhr.status, `http_${xhr.status}`, `The upload failed with HTTP ${xhr.status}.`));
        return;
      }
      errorFrom(new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText })).then(reject, reject);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload was interrupted: the storage server did not answer.'));
    xhr.send(file);
  });
}
