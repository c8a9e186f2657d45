// A figure's notices: bad input, refused values, divergence, failures. One
// region with role="alert", so each new notice is announced; each notice has a
// key (a newer one with the same key replaces it) and a Dismiss button. Text
// only: values from the URL or the API are never inserted as HTML.
// A notice's text may be a function that writes it in the current language
// (i18n.js): `relabel()` rewrites those after a language switch.

import { el } from './controls.js';
import { t } from './i18n.js';

/** Returns { element, notify(key, text, tone), clear(key), relabel() }; tone is 'warning' or 'error'. */
export function createNotices() {
  const element = el('div', { class: 'notices', role: 'alert' });
  const items = new Map(); // key -> {item, text}

  function clear(key) {
    items.get(key)?.item.remove();
    items.delete(key);
  }

  const write = (text) => (typeof text === 'function' ? text() : text);

  function notify(key, text, tone = 'warning') {
    clear(key);
    if (!text) return;
    const dismiss = el('button', { type: 'button', class: 'dismiss', 'aria-label': t('page.dismiss'), text: '×' });
    const item = el('div', { class: `notice notice-${tone}` }, [el('p', { text: write(text) }), dismiss]);
    dismiss.addEventListener('click', () => clear(key));
    items.set(key, { item, text });
    element.append(item);
  }

  /** Rewrites every notice in the current language (those given as plain text stay as they are). */
  function relabel() {
    for (const { item, text } of items.values()) {
      item.querySelector('p').textContent = write(text);
      item.querySelector('.dismiss').setAttribute('aria-label', t('page.dismiss'));
    }
  }

  return { element, notify, clear, relabel };
}
