// Errors are shown, never swallowed: every failure lands in the alert list
// at the top of the page with what was being done, the API's error code
// and its message.
import { byId, h } from './dom.js';

/**
 * report shows err (an ApiError or any Error) as an alert. what says what
 * the page was doing ("Upload song.wav"). The same alert is not repeated.
 */
export function report(what, err) {
  const list = byId('alerts');
  const code = err?.code || (err?.name === 'TypeError' ? 'network' : 'error');
  const message = err?.message || String(err);
  const key = `${what}|${code}|${message}`;
  for (const li of list.children) if (li.dataset.key === key) return;
  console.warn(`${what}: ${code}: ${message}`);
  const li = h('li', { class: 'alert', dataset: { key, code } },
    h('span', { class: 'what' }, h('strong', {}, what), ': ', message, ' ', h('code', {}, code)),
    h('button', { type: 'button', class: 'quiet', 'aria-label': 'Dismiss this error', onclick: () => li.remove() }, '×'));
  list.append(li);
}

/** Removes every alert (after signing in again, say). */
export function clearAlerts() {
  byId('alerts').replaceChildren();
}
