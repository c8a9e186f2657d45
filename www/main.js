// The page: reads the URL, mounts the main figure (every chart, every control),
// keeps the URL in step with it, and wires the presets, "Copy link" and the
// Embed dialog.
//
// With `embed=1` in the URL the page is an embed: only the figure (the charts
// in `charts=`, default activations and gradients; the controls in
// `controls=`, default none) and a small "open in normscope" link to the full
// page with the same state. The rest of the page is removed before the wasm
// loads, so an iframe never shows it.
//
// <html data-state> goes "loading" -> "ready" once the figure has drawn, or
// "error" with a visible message if normscope could not start.

import { el } from './controls.js';
import { copyText, openEmbedDialog } from './embed-dialog.js';
import { mount } from './figure.js';
import { renderPresets } from './presets.js';
import { EMBED_DEFAULTS, pageUrl, parse, toSearch, writeUrl } from './state.js';
import { load, message } from './wasm.js';

const root = document.documentElement;
/** Only the figure in embed mode (the parser checks the value again and names a bad one). */
const embedded = ['1', 'true'].includes(new URLSearchParams(location.search).get('embed'));
if (embedded) {
  root.classList.add('embed');
  for (const selector of ['.skip-link', '.site-header', '.intro', '#presets', '#explainer', '.site-footer']) {
    document.querySelector(selector)?.remove();
  }
}

function showFatal(text) {
  const box = document.getElementById('fatal');
  box.querySelector('.fatal-detail').textContent = text;
  box.hidden = false;
  document.getElementById('figure').replaceChildren();
}

function wireCopyLink() {
  const feedback = document.getElementById('copy-feedback');
  const field = document.getElementById('link-field');
  document.getElementById('copy-link').addEventListener('click', async () => {
    const copied = await copyText(location.href, field);
    if (copied) field.hidden = true;
    feedback.textContent = copied ? 'Link copied: it reproduces this exact state, seed included.' : 'Copy the selected link.';
  });
}

/** Embed mode: the figure alone, compact, with a link to the full page. */
async function startEmbed(state) {
  const page = state.page;
  const open = el('a', { class: 'open-full', target: '_blank', rel: 'noopener', text: 'open in normscope ↗' });
  const sync = ({ query, view }) => {
    writeUrl(toSearch({ query, view, page }));
    open.href = pageUrl(toSearch({ query, view }));
  };
  const figure = await mount(document.getElementById('figure'), {
    config: state.query,
    view: state.view,
    charts: page.charts || EMBED_DEFAULTS.charts,
    controls: page.controls || EMBED_DEFAULTS.controls,
    notices: state.notices,
    compact: true,
    actions: [open],
    onChange: sync,
  });
  sync({ query: figure.query(), view: figure.view() });
  return figure;
}

/** The full page: every chart and control unless the URL names some, presets, explainer. */
async function startPage(ns, state) {
  const page = state.page;
  const sync = ({ query, view }) => writeUrl(toSearch({ query, view, page }));
  const figure = await mount(document.getElementById('figure'), {
    config: state.query,
    view: state.view,
    charts: page.charts,
    controls: page.controls,
    notices: state.notices,
    onChange: sync,
  });
  sync({ query: figure.query(), view: figure.view() });
  renderPresets(document.getElementById('preset-cards'), (query) => {
    figure.pause();
    figure.update(query, { replace: true });
    const calm = matchMedia('(prefers-reduced-motion: reduce)').matches;
    document.getElementById('figure').scrollIntoView({ behavior: calm ? 'auto' : 'smooth', block: 'start' });
  });
  document.getElementById('defaults').addEventListener('click', () => {
    figure.pause();
    figure.update('', { replace: true });
  });
  wireCopyLink();
  const embedButton = document.getElementById('embed-open');
  embedButton.addEventListener('click', () => openEmbedDialog({ ns, figure, opener: embedButton }));
  document.getElementById('version').textContent = `normscope ${ns.version}`;
  return figure;
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
