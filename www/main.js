// The page: reads the URL, mounts the main figure (every chart, every control),
// keeps the URL in step with it, and wires the presets and "Copy link".
//
// <html data-state> goes "loading" -> "ready" once the figure has drawn, or
// "error" with a visible message if normscope could not start.

import { mount } from './figure.js';
import { renderPresets } from './presets.js';
import { parse, toSearch, writeUrl } from './state.js';
import { load, message } from './wasm.js';

const root = document.documentElement;

function showFatal(text) {
  const box = document.getElementById('fatal');
  box.querySelector('.fatal-detail').textContent = text;
  box.hidden = false;
  document.getElementById('figure').replaceChildren();
}

function wireCopyLink() {
  const button = document.getElementById('copy-link');
  const feedback = document.getElementById('copy-feedback');
  const field = document.getElementById('link-field');
  button.addEventListener('click', async () => {
    const link = location.href;
    try {
      await navigator.clipboard.writeText(link);
      feedback.textContent = 'Link copied: it reproduces this exact state, seed included.';
      field.hidden = true;
    } catch {
      // No clipboard access (an insecure page, a denied permission): offer the
      // link selected, ready for Ctrl+C.
      field.value = link;
      field.hidden = false;
      field.focus();
      field.select();
      feedback.textContent = 'Copy the selected link.';
    }
  });
}

async function start() {
  const ns = await load();
  const state = parse(location.search, ns);
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
  document.getElementById('version').textContent = `normscope ${ns.version}`;
  // For the end-to-end tests and for curious readers in the console.
  window.normscope = { figure, version: ns.version };
  root.dataset.state = 'ready';
}

start().catch((error) => {
  showFatal(message(error));
  root.dataset.state = 'error';
});
