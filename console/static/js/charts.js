// Canvas drawing of an analysis: a waveform with its markers, curves over
// time and heat maps. Each function sizes its canvas to the element's box at
// the device's pixel ratio (so it is sharp on phones and laptops alike),
// draws, and returns what it drew, so the page can say it in words.

const font = '11px system-ui, "DejaVu Sans", sans-serif';

/** A colour custom property of the page (console.css defines them). */
function color(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function surface(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, canvas.clientWidth);
  const h = Math.max(1, canvas.clientHeight);
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h, dpr };
}

/** The plotting rectangle inside a canvas of w×h, leaving room for axes. */
function plotArea(w, h, left = 48) {
  const bottom = 18;
  return { x: left, y: 6, w: Math.max(1, w - left - 8), h: Math.max(1, h - 6 - bottom) };
}

/** A round step (1, 2 or 5 × 10^k) giving about `count` ticks over span. */
function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

function timeLabel(t, step) {
  if (t < 60 || step < 1) return `${Number(t.toFixed(step < 1 ? 1 : 0))} s`;
  const m = Math.floor(t / 60);
  return `${m}:${String(Math.round(t - 60 * m)).padStart(2, '0')}`;
}

/** Vertical grid lines and labels in seconds along the bottom of a. */
function timeAxis(ctx, a, duration, grid = true) {
  if (!(duration > 0)) return;
  ctx.font = font;
  ctx.fillStyle = color('--axis');
  ctx.strokeStyle = color('--grid');
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const step = niceStep(duration, a.w / 80);
  for (let i = 0; i * step <= duration + 1e-9; i++) {
    const t = i * step;
    const x = Math.round(a.x + (t / duration) * a.w) + 0.5;
    if (grid) {
      ctx.beginPath();
      ctx.moveTo(x, a.y);
      ctx.lineTo(x, a.y + a.h);
      ctx.stroke();
    }
    ctx.fillText(timeLabel(t, step), Math.min(Math.max(x, a.x + 10), a.x + a.w - 10), a.y + a.h + 3);
  }
}

/** Horizontal grid lines and value labels along the left of a. */
function valueAxis(ctx, a, lo, hi, format) {
  ctx.font = font;
  ctx.fillStyle = color('--axis');
  ctx.strokeStyle = color('--grid');
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const step = niceStep(hi - lo, a.h / 32);
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) {
    const y = Math.round(a.y + a.h - ((v - lo) / (hi - lo)) * a.h) + 0.5;
    ctx.beginPath();
    ctx.moveTo(a.x, y);
    ctx.lineTo(a.x + a.w, y);
    ctx.stroke();
    ctx.fillText(format(v), a.x - 5, y);
  }
}

/** Keeps the markers that fall on the track (finite, 0..duration). */
function onTrack(times, duration) {
  return (times || []).filter((t) => Number.isFinite(t) && t >= 0 && t <= duration);
}

/**
 * drawWaveform draws the signed waveform (min/max per bucket) with sections
 * as bands, onsets as ticks, beats as thin lines and downbeats as strong
 * ones, and answers how many of each it drew.
 */
export function drawWaveform(canvas, { min, max, duration, beats, downbeats, onsets, sections }) {
  const { ctx, w, h } = surface(canvas);
  const a = plotArea(w, h, 8);
  const X = (t) => a.x + (t / duration) * a.w;
  const drawn = { beats: 0, downbeats: 0, onsets: 0, sections: 0 };
  if (!(duration > 0)) return drawn;

  const bands = (sections || []).filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end) && s.end > s.start && s.start < duration);
  ctx.font = font;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  bands.forEach((s, i) => {
    const x0 = X(Math.max(0, s.start));
    const x1 = X(Math.min(duration, s.end));
    ctx.fillStyle = color(i % 2 ? '--section-alt' : '--section');
    ctx.fillRect(x0, a.y, x1 - x0, a.h);
    ctx.fillStyle = color('--muted');
    if (x1 - x0 > 24) ctx.fillText(String(s.label || i + 1), x0 + 4, a.y + 2, x1 - x0 - 8);
  });
  drawn.sections = bands.length;

  timeAxis(ctx, a, duration);

  const n = Math.min(min?.length || 0, max?.length || 0);
  if (n > 0) {
    let peak = 0;
    for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(min[i]), Math.abs(max[i]));
    peak ||= 1;
    const mid = a.y + a.h / 2;
    const half = (a.h / 2) * 0.92;
    ctx.fillStyle = color('--wave');
    for (let px = 0; px < a.w; px++) {
      const i0 = Math.floor((px / a.w) * n);
      const i1 = Math.max(i0 + 1, Math.floor(((px + 1) / a.w) * n));
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = i0; i < i1 && i < n; i++) {
        lo = Math.min(lo, min[i]);
        hi = Math.max(hi, max[i]);
      }
      if (hi < lo) continue;
      const top = mid - (hi / peak) * half;
      ctx.fillRect(a.x + px, top, 1, Math.max(1, ((hi - lo) / peak) * half));
    }
  }

  const line = (times, css, width, from, to) => {
    ctx.strokeStyle = color(css);
    ctx.lineWidth = width;
    ctx.beginPath();
    for (const t of times) {
      const x = Math.round(X(t)) + (width % 2 ? 0.5 : 0);
      ctx.moveTo(x, from);
      ctx.lineTo(x, to);
    }
    ctx.stroke();
    return times.length;
  };
  drawn.onsets = line(onTrack(onsets, duration), '--onset', 1, a.y + a.h - 12, a.y + a.h);
  drawn.beats = line(onTrack(beats, duration), '--beat', 1, a.y + 14, a.y + a.h - 14);
  drawn.downbeats = line(onTrack(downbeats, duration), '--downbeat', 2, a.y, a.y + a.h);
  return drawn;
}

/**
 * drawCurves draws series over time on one value axis. Each series is
 * {values, css} with one value per frame at times (frame starts); a pixel
 * column shows the mean of its frames. refs are horizontal reference lines
 * {value, css}. Answers the value range drawn.
 */
export function drawCurves(canvas, { times, duration, series, format = (v) => String(v), floor = -Infinity, refs = [] }) {
  const { ctx, w, h } = surface(canvas);
  const a = plotArea(w, h);
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const v of s.values || []) {
      if (Number.isFinite(v) && v >= floor) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  for (const r of refs) {
    if (Number.isFinite(r.value) && r.value >= floor) {
      lo = Math.min(lo, r.value);
      hi = Math.max(hi, r.value);
    }
  }
  if (!(duration > 0) || !Number.isFinite(lo)) return { lo: NaN, hi: NaN, points: 0 };
  if (hi - lo < 1e-9) { hi = lo + 1; }
  const pad = (hi - lo) * 0.06;
  lo -= pad;
  hi += pad;
  valueAxis(ctx, a, lo, hi, format);
  timeAxis(ctx, a, duration);
  const Y = (v) => a.y + a.h - ((v - lo) / (hi - lo)) * a.h;
  let points = 0;
  for (const s of series) {
    const values = s.values || [];
    const n = values.length;
    if (!n) continue;
    const at = (i) => (times && times.length === n ? times[i] : (i / n) * duration);
    ctx.strokeStyle = color(s.css);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let i = 0;
    let started = false;
    for (let px = 0; px < a.w; px++) {
      const tEnd = ((px + 1) / a.w) * duration;
      let sum = 0;
      let count = 0;
      while (i < n && at(i) < tEnd) {
        const v = values[i++];
        if (Number.isFinite(v)) {
          sum += Math.max(v, floor);
          count++;
        }
      }
      if (!count) continue;
      const y = Y(sum / count);
      if (started) ctx.lineTo(a.x + px + 0.5, y);
      else ctx.moveTo(a.x + px + 0.5, y);
      started = true;
      points++;
    }
    ctx.stroke();
  }
  ctx.setLineDash([5, 4]);
  for (const r of refs) {
    if (!Number.isFinite(r.value)) continue;
    ctx.strokeStyle = color(r.css);
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(a.x, Math.round(Y(r.value)) + 0.5);
    ctx.lineTo(a.x + a.w, Math.round(Y(r.value)) + 0.5);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  return { lo, hi, points };
}

// Colour map of the heat maps (dark violet → orange → pale yellow).
const stops = [
  [0, [9, 8, 24]], [0.2, [52, 16, 95]], [0.4, [120, 28, 109]], [0.6, [192, 58, 76]],
  [0.8, [240, 127, 35]], [1, [252, 240, 160]],
];

function heat(v) {
  const x = Math.min(1, Math.max(0, v));
  for (let k = 1; k < stops.length; k++) {
    const [p1, c1] = stops[k];
    if (x <= p1) {
      const [p0, c0] = stops[k - 1];
      const f = (x - p0) / (p1 - p0);
      return c0.map((c, j) => Math.round(c + f * (c1[j] - c)));
    }
  }
  return stops[stops.length - 1][1];
}

/**
 * drawHeatmap draws columns (arrays of `rows` values, evenly spread over
 * duration) as a heat map, row 0 at the bottom. labels name rows (every row
 * when they fit); highlight marks one row (the key's tonic on the chroma).
 * log compresses the values (a spectrogram). Answers the columns drawn.
 */
export function drawHeatmap(canvas, { columns, duration, rows, labels = [], highlight = -1, log = false, smooth = false }) {
  const { ctx, w, h, dpr } = surface(canvas);
  const a = plotArea(w, h, 36);
  const n = columns?.length || 0;
  if (!n || !rows || !(duration > 0)) return { columns: 0 };
  let peak = 0;
  for (const col of columns) for (const v of col) if (Number.isFinite(v)) peak = Math.max(peak, v);
  peak ||= 1;
  const norm = log ? (v) => Math.log1p((99 * v) / peak) / Math.log(100) : (v) => v / peak;
  const cols = Math.max(1, Math.min(n, Math.round(a.w * dpr)));
  const off = document.createElement('canvas');
  off.width = cols;
  off.height = rows;
  const octx = off.getContext('2d');
  const img = octx.createImageData(cols, rows);
  for (let c = 0; c < cols; c++) {
    const j0 = Math.floor((c / cols) * n);
    const j1 = Math.max(j0 + 1, Math.floor(((c + 1) / cols) * n));
    for (let r = 0; r < rows; r++) {
      let v = 0;
      for (let j = j0; j < j1 && j < n; j++) {
        const x = columns[j][r];
        if (Number.isFinite(x)) v = Math.max(v, x);
      }
      const [R, G, B] = heat(norm(v));
      const p = ((rows - 1 - r) * cols + c) * 4;
      img.data[p] = R;
      img.data[p + 1] = G;
      img.data[p + 2] = B;
      img.data[p + 3] = 255;
    }
  }
  octx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = smooth;
  ctx.drawImage(off, a.x, a.y, a.w, a.h);

  ctx.font = font;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const rowH = a.h / rows;
  const every = Math.max(1, Math.ceil(12 / rowH));
  labels.forEach((label, r) => {
    if (!label || (r % every && r !== highlight && r !== rows - 1)) return;
    const y = a.y + a.h - (r + 0.5) * rowH;
    ctx.fillStyle = r === highlight ? color('--downbeat') : color('--axis');
    ctx.fillText(r === highlight ? `▸ ${label}` : label, a.x - 5, y);
  });
  timeAxis(ctx, a, duration, false);
  return { columns: cols };
}
