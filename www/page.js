// The page: reads the URL, mounts the main figure (every chart, every control),
// keeps the URL in step with it, and wires the presets, "Copy link" and the
// Embed dialog. A link's `step=N` trains the figure to step N on load; the URL
// keeps it while the figure shows that run (not rewritten during Play), and
// Copy link adds the current step when its checkbox is ticked.
//
// With `embed=1` in the URL the page is an embed: only the figure (the charts
// in `charts=`, default activations and gradients; the controls in
// `controls=`, default none) and a small "open in normscope" link to the full
// page with the same state. The rest of the page is removed before the wasm
// loads, so an iframe never shows it.
//
// <html data-state> goes "loading" -> "ready" once the figure has drawn, or
// "error" with a visible message if normscope could not start.
//
// The language (issue 12): `lang=en|zh` in the URL, else the browser's
// (i18n.js browserLanguage()); an unknown value gives English and a notice.
// The header's switch (English / 中文) changes it at once: every figure
// rewrites its texts and redraws from the same state (figure.js), and the URL
// gets `lang`, which Copy link and the Embed dialog then carry.

import { el } from './controls.js';
import { copyText, openEmbedDialog } from './embed-dialog.js';
import { mount } from './figure.js';
import { LANGUAGES, browserLanguage, language, localize, onLanguage, setLanguage, t } from './i18n.js';
import { renderMistakes } from './mistakes.js';
import { renderPresets } from './presets.js';
import { EMBED_DEFAULTS, pageUrl, parse, toSearch, writeUrl } from './state.js';
import { load, message } from './wasm.js';

const root = document.documentElement;
// First, before embed mode removes sections: localize() reads index.html's English.
localize();
const given = new URLSearchParams(location.search);
/** The URL's language; none: the browser's; an unknown one: English (the parser names it in a notice). */
const initialLanguage = !given.has('lang') ? browserLanguage() : LANGUAGES.includes(given.get('lang')) ? given.get('lang') : 'en';
setLanguage(initialLanguage);
/** Only the figure in embed mode (the parser checks the value again and names a bad one). */
const embedded = ['1', 'true'].includes(given.get('embed'));
if (embedded) {
  root.classList.add('embed');
  // The page's h1 stays for screen readers (not shown), above the figure's headings.
  document.querySelector('main').prepend(Object.assign(document.querySelector('.site-header h1'), { className: 'visually-hidden' }));
  for (const selector of ['.skip-link', '.site-header', '.intro', '#presets', '#mistakes', '#explainer', '.site-footer']) {
    document.querySelector(selector)?.remove();
  }
}

function showFatal(text) {
  const box = document.getElementById('fatal');
  box.querySelector('h2').textContent = t('page.fatal_title');
  box.querySelector('.fatal-detail').textContent = text;
  box.querySelector('p:last-child').textContent = t('page.fatal_help');
  box.hidden = false;
  document.getElementById('figure').replaceChildren();
}

/**
 * "Copy link" copies this page's link; with "include the current step (N)"
 * ticked (at first only when the page was opened at a step), one that trains
 * to that step on load. Returns the checkbox's updater for the figure's onStatus.
 */
function wireCopyLink(figure, page, opened) {
  const feedback = document.getElementById('copy-feedback');
  const field = document.getElementById('link-field');
  const button = document.getElementById('copy-link');
  const box = el('input', { type: 'checkbox', id: 'copy-step', checked: opened > 0 });
  const label = el('label', { htmlFor: box.id });
  button.after(el('span', { class: 'copy-step' }, [box, label]));
  const update = ({ steps }) => (label.textContent = t('page.include_step', { steps }));
  update({ steps: figure.steps });
  onLanguage(() => {
    update({ steps: figure.steps });
    feedback.textContent = '';
  });
  button.addEventListener('click', async () => {
    const step = box.checked ? figure.steps : 0;
    const link = pageUrl(toSearch({ query: figure.query(), view: figure.view(), step, page }));
    const copied = await copyText(link, field);
    if (copied) field.hidden = true;
    feedback.textContent = copied ? t('page.link_copied', { step }) : t('page.link_select');
  });
  return update;
}

/** Embed mode: the figure alone, compact, with a link to the full page. */
async function startEmbed(state) {
  const page = state.page;
  const open = el('a', { class: 'open-full', target: '_blank', rel: 'noopener', text: t('page.open_full') });
  onLanguage(() => (open.textContent = t('page.open_full')));
  const sync = ({ query, view, step }) => {
    writeUrl(toSearch({ query, view, step, page }));
    open.href = pageUrl(toSearch({ query, view, step, page: { lang: page.lang } }));
  };
  const figure = await mount(document.getElementById('figure'), {
    config: state.query,
    view: state.view,
    step: state.step,
    charts: page.charts || EMBED_DEFAULTS.charts,
    controls: page.controls || EMBED_DEFAULTS.controls,
    notices: state.notices,
    compact: true,
    actions: [open],
    onChange: sync,
  });
  sync({ query: figure.query(), view: figure.view(), step: state.step });
  return figure;
}

/** The full page: every chart and control unless the URL names some, presets, explainer. */
async function startPage(ns, state) {
  const page = state.page;
  let last = {};
  const sync = (shown) => {
    last = shown;
    writeUrl(toSearch({ ...shown, page }));
  };
  let showStep = () => {};
  const figure = await mount(document.getElementById('figure'), {
    config: state.query,
    view: state.view,
    step: state.step,
    charts: page.charts,
    controls: page.controls,
    notices: state.notices,
    onChange: sync,
    onStatus: (status) => showStep(status),
  });
  sync({ query: figure.query(), view: figure.view(), step: state.step });
  const open = (query, view = {}) => {
    figure.pause();
    figure.update(query, { replace: true });
    for (const [key, value] of Object.entries(view)) figure.setView(key, value);
    const calm = matchMedia('(prefers-reduced-motion: reduce)').matches;
    document.getElementById('figure').scrollIntoView({ behavior: calm ? 'auto' : 'smooth', block: 'start' });
  };
  renderPresets(document.getElementById('preset-cards'), open);
  const refreshMistakes = renderMistakes(document.getElementById('mistakes'), open);
  document.getElementById('defaults').addEventListener('click', () => {
    figure.pause();
    figure.update('', { replace: true });
  });
  const copyStep = wireCopyLink(figure, page, state.step);
  showStep = (status) => {
    copyStep(status);
    refreshMistakes(figure);
  };
  const embedButton = document.getElementById('embed-open');
  embedButton.addEventListener('click', () => openEmbedDialog({ ns, figure, opener: embedButton, lang: page.lang }));
  wireLanguageSwitch((lang) => {
    page.lang = lang; // chosen: the URL, Copy link and the Embed dialog carry it from now on
    sync(last);
  });
  document.getElementById('version').textContent = `normscope ${ns.version}`;
  return figure;
}

/**
 * The header's switch: a labelled group of two buttons, English and 中文, the
 * current one pressed. `chosen(lang)` runs after a switch.
 */
function wireLanguageSwitch(chosen) {
  const buttons = [...document.querySelectorAll('.lang-switch button[data-lang]')];
  const press = () => buttons.forEach((button) => button.setAttribute('aria-pressed', String(button.dataset.lang === language())));
  press();
  onLanguage(press);
  for (const button of buttons) {
    button.addEventListener('click', () => {
      if (button.dataset.lang === language()) return;
      setLanguage(button.dataset.lang);
      chosen(button.dataset.lang);
    });
  }
}

async function start() {
  const ns = await load();
  const state = parse(location.search, ns);
  const figure = await (embedded ? startEmbed(state) : startPage(ns, state));
  // For the end-to-end tests and for curious readers in the console.
  window.normscope = { figure, version: ns.version };
  root.dataset.state = 'ready';
}

start().catch((error) => {
  showFatal(message(error));
  root.dataset.state = 'error';
});
