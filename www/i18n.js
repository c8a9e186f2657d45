// The page's languages (issue 12): English and Simplified Chinese.
//
// Every text a user reads comes from a message catalogue (www/i18n/<lang>/*.json,
// gathered in www/i18n/catalogues.js), so a string lives in one place:
//   - dynamic texts (built by the page's scripts): `t('page.copy_link', {step})`;
//   - index.html's static texts: the element carries `data-i18n="static.key"`
//     (its text) or `data-i18n-html="static.key_html"` (its inline markup:
//     <code>, <a>, <em>, MathML), and `data-i18n-attrs="aria-label=static.key"`
//     for attributes. Their English is index.html itself: `localize()` reads it
//     once into the English catalogue, so switching back restores it;
//   - the Rust charts read the charts domain themselves (src/web/i18n.rs) and
//     take the language as an option.
// A missing key falls back to English, then to the key itself (the completeness
// test, tests/node/i18n.test.mjs, keeps that from happening).

import { CATALOGUES } from './i18n/catalogues.js';

/** The languages, in the order the header's switch lists them. */
export const LANGUAGES = ['en', 'zh'];

/** The value of <html lang> per language. */
const HTML_LANG = { en: 'en', zh: 'zh-CN' };

let current = 'en';
const listeners = new Set();
let harvested = false;

/** The language the page follows when the URL names none: zh-* gives Chinese, anything else English. */
export function browserLanguage(languages = globalThis.navigator?.languages ?? []) {
  const first = String(languages[0] ?? '').toLowerCase();
  return first === 'zh' || first.startsWith('zh-') ? 'zh' : 'en';
}

/** The current language. */
export function language() {
  return current;
}

/** Replaces each {name} in `text` by `params[name]` (left as is when absent). */
export function format(text, params = {}) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** The message `key` in the current language (English, then the key, when missing). */
export function t(key, params) {
  const text = CATALOGUES[current][key] ?? CATALOGUES.en[key];
  if (text === undefined) {
    console.warn(`normscope: no message "${key}"`);
    return key;
  }
  return format(text, params);
}

/** Whether `key` has a message (in English, which every key must have). */
export function has(key) {
  return key in CATALOGUES.en;
}

/** Reads index.html's English static texts into the English catalogue, once. */
function harvest(root) {
  if (harvested) return;
  harvested = true;
  for (const node of root.querySelectorAll('[data-i18n]')) CATALOGUES.en[node.dataset.i18n] = node.textContent;
  for (const node of root.querySelectorAll('[data-i18n-html]')) CATALOGUES.en[node.dataset.i18nHtml] = node.innerHTML;
  for (const node of root.querySelectorAll('[data-i18n-attrs]')) {
    for (const [attribute, key] of attributePairs(node)) CATALOGUES.en[key] = node.getAttribute(attribute) ?? '';
  }
}

function attributePairs(node) {
  return node.dataset.i18nAttrs.split(',').map((pair) => pair.trim().split('='));
}

/** Puts the current language's static texts into every marked element under `root`. */
export function localize(root = document) {
  harvest(document);
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-html]')) node.innerHTML = t(node.dataset.i18nHtml);
  for (const node of root.querySelectorAll('[data-i18n-attrs]')) {
    for (const [attribute, key] of attributePairs(node)) node.setAttribute(attribute, t(key));
  }
}

/**
 * Switches the page to `lang` (one of LANGUAGES): sets <html lang>, rewrites the
 * static texts and tells every listener (controls, status, charts redraw). The
 * network is not touched.
 */
export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) throw new Error(`unknown language ${JSON.stringify(lang)}`);
  harvest(document);
  current = lang;
  document.documentElement.lang = HTML_LANG[lang];
  localize(document);
  for (const listener of listeners) listener(lang);
}

/** Calls `listener(lang)` after every switch; returns the function that stops it. */
export function onLanguage(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
