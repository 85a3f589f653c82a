// Small DOM helpers: the console builds its few dynamic elements by hand.

/** The element with this id (throws if the page lacks it: a bug, not input). */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`console: no element #${id}`);
  return el;
}

/**
 * h creates an element: h('li', {class: 'x', dataset: {id: 1}}, 'text', child).
 * Props named on* become listeners; dataset and attributes are set as given.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return el;
}

/** Formats seconds as m:ss.s (or h:mm:ss for long files). */
export function clock(seconds, decimals = 1) {
  if (!Number.isFinite(seconds)) return '–';
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  s -= minutes * 60;
  const sec = s.toFixed(hours ? 0 : decimals).padStart(hours ? 2 : decimals ? 3 + decimals : 2, '0');
  return hours ? `${sign}${hours}:${String(minutes).padStart(2, '0')}:${sec}` : `${sign}${minutes}:${sec}`;
}

/** A byte count for people: 1.7 MB. */
export function bytes(n) {
  if (!Number.isFinite(n)) return '';
  const units = ['B', 'kB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n.toFixed(i && n < 10 ? 1 : 0)} ${units[i]}`;
}
