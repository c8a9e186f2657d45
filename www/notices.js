// A figure's notices: bad input, refused values, divergence, failures. One
// region with role="alert", so each new notice is announced; each notice has a
// key (a newer one with the same key replaces it) and a Dismiss button. Text
// only: values from the URL or the API are never inserted as HTML.

import { el } from './controls.js';

/** Returns { element, notify(key, text, tone), clear(key) }; tone is 'warning' or 'error'. */
export function createNotices() {
  const element = el('div', { class: 'notices', role: 'alert' });
  const items = new Map();

  function clear(key) {
    items.get(key)?.remove();
    items.delete(key);
  }

  function notify(key, text, tone = 'warning') {
    clear(key);
    if (!text) return;
    const dismiss = el('button', { type: 'button', class: 'dismiss', 'aria-label': 'Dismiss', text: '×' });
    const item = el('div', { class: `notice notice-${tone}` }, [el('p', { text }), dismiss]);
    dismiss.addEventListener('click', () => clear(key));
    items.set(key, item);
    element.append(item);
  }

  return { element, notify, clear };
}
