// The "Embed" dialog of the full page: tick the charts and the controls an
// embedded figure shows, see it live in a scaled preview, copy the <iframe>
// snippet or the link. The embed URL is absolute (this page's address) and
// holds the figure's exact config, seed included, and its view; with "include
// the current step" ticked also `step=N`, so the embed trains to that step on load.
//
// A native modal <dialog>: it traps focus, Escape closes it, and focus goes
// back to the button that opened it. Built once with createElement; every
// value shown is set as text or as a property, never parsed as HTML.
// Its words come from the catalogue, in the language of the moment it opens
// (a switch while it is open rewrites it). The embed carries the page's
// language as `lang` (the iframe's src, mount()'s `lang` option) when the
// language was chosen or is not English.

import { CHART_INFO } from './charts.js';
import { el, keyText } from './controls.js';
import { language, onLanguage, t } from './i18n.js';
import { DIAGNOSIS, EMBED_DEFAULTS, defaultView, pageUrl, toSearch } from './state.js';

/** Frame sizes offered, width x height in CSS pixels; the first is the default. */
const SIZES = [
  [800, 500],
  [960, 600],
  [640, 480],
];
/** Wait after the last tick before reloading the preview. */
const PREVIEW_DELAY_MS = 250;
/** The preview is scaled down to at most this height, so the snippet stays in view. */
const PREVIEW_MAX_HEIGHT = 340;

/** Copies `text`; without clipboard access (an insecure page, a denied permission) selects it in `field`. */
export async function copyText(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field.value = text;
    field.hidden = false;
    field.focus();
    field.select();
    return false;
  }
}

/** Escapes text for a double-quoted HTML attribute. */
const attribute = (text) =>
  String(text).replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * A URL for a double-quoted attribute, readable: its `&` separators stay bare,
 * which HTML allows wherever they cannot start a character reference (`&#`,
 * or `&name;`); those, quotes and angle brackets are escaped.
 */
const urlAttribute = (url) =>
  url.replace(/&(?=#|[A-Za-z0-9]+;)/g, '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The embed URL for a figure's query and view, the chosen charts and controls, and the language (none: the reader's browser's). */
export function embedUrl({ query, view, step = 0, charts, controls, allControls, lang }) {
  // `controls=all` reads better than every key spelled out, and stays right if keys are added.
  const shown = controls.length === 0 ? undefined : controls.length === allControls.length ? ['all'] : controls;
  return pageUrl(toSearch({ query, view, step, page: { embed: true, charts, controls: shown, lang } }));
}

/** The <iframe> snippet: absolute src, size, a title naming what it shows, lazy loading, no border. */
export function embedSnippet({ url, width, height, charts, config, versus = '' }) {
  const titles = charts.map((kind) => CHART_INFO[kind]?.title || kind).join(', ');
  const against = versus ? `; B: ${versus.replaceAll('vs.', '').replaceAll('=', ' = ').replaceAll('&', ', ')}` : '';
  const what = `depth ${config.depth}, ${config.activation}, ${config.init} init, norm: ${config.norm}${against}`;
  const title = `normscope: ${titles} (${what})`;
  return (
    `<iframe src="${urlAttribute(url)}" width="${width}" height="${height}" ` +
    `title="${attribute(title)}" loading="lazy" style="border:0"></iframe>`
  );
}

/**
 * The mount() call for a page that loads normscope's modules itself
 * (docs/embedding.md): A's `config`, B's differences as `compare` (from the
 * `vs.` keys), the view when not the default, and the charts and controls.
 */
export function mountSnippet({ query, versus = '', view, charts, controls, lang }) {
  const options = [`config: ${JSON.stringify(query)}`];
  if (versus) {
    const pairs = [...new URLSearchParams(versus)].map(([key, value]) => [key.replace(/^vs\./, ''), value]);
    options.push(`compare: ${JSON.stringify(Object.fromEntries(pairs))}`);
  }
  const changed = Object.fromEntries(Object.entries(view).filter(([key, value]) => String(value) !== String(defaultView()[key])));
  if (Object.keys(changed).length) options.push(`view: ${JSON.stringify(changed)}`);
  options.push(`charts: ${JSON.stringify(charts)}`, `controls: ${JSON.stringify(controls)}`);
  if (lang) options.push(`lang: '${lang}'`);
  const module = new URL('www/figure.js', pageUrl('')).href;
  return `import { mount } from '${module}';\nmount(document.getElementById('figure'), {\n  ${options.join(',\n  ')},\n});`;
}

let dialog = null; // built at the first open

/**
 * A fieldset of checkboxes, one per [name, label()]; `checked` names start
 * ticked. `legend` and the labels are functions (the current language's text);
 * `relabel()` rewrites them.
 */
function checkboxes(legend, idPrefix, entries, checked, onChange) {
  const labels = [];
  const boxes = entries.map(([name, label]) => {
    const input = el('input', { type: 'checkbox', id: `${idPrefix}-${name}`, value: name, checked: checked.includes(name) });
    input.addEventListener('change', onChange);
    const node = el('label', { htmlFor: input.id, text: label() });
    labels.push([node, label]);
    return el('div', { class: 'embed-check' }, [input, node]);
  });
  const legendNode = el('legend', { text: legend() });
  const element = el('fieldset', { class: 'embed-set' }, [legendNode, el('div', { class: 'embed-checks' }, boxes)]);
  const inputs = () => [...element.querySelectorAll('input[type="checkbox"]')];
  const relabel = () => {
    legendNode.textContent = legend();
    for (const [node, label] of labels) node.textContent = label();
  };
  return { element, inputs, relabel, picked: () => inputs().filter((i) => i.checked).map((i) => i.value) };
}

/**
 * Builds the dialog for module `ns` and returns { element, open(figure, opener, lang) };
 * `lang` is the language the embed carries (undefined: none).
 */
function build(ns, copy) {
  let figure = null;
  let opener = null;
  let lang;
  let timer = 0;
  const update = () => refresh();
  // Every fixed text with its catalogue key, written by relabel().
  const words = [];
  const word = (node, key) => (words.push([node, key]), node);
  const charts = checkboxes(
    () => t('page.embed_charts'),
    'embed-chart',
    [...ns.kinds, DIAGNOSIS].map((kind) => [kind, () => CHART_INFO[kind]?.title || kind]),
    EMBED_DEFAULTS.charts,
    update,
  );
  const controls = checkboxes(
    () => t('page.embed_controls'),
    'embed-control',
    ns.schema.map((row) => [row.name, () => keyText('label', row.name, row.label)]),
    EMBED_DEFAULTS.controls,
    update,
  );
  const setAll = (on) => {
    for (const input of controls.inputs()) input.checked = on;
    refresh();
  };
  const allButton = word(el('button', { type: 'button' }), 'page.embed_all');
  const noneButton = word(el('button', { type: 'button' }), 'page.embed_none');
  allButton.addEventListener('click', () => setAll(true));
  noneButton.addEventListener('click', () => setAll(false));
  controls.element.append(el('div', { class: 'embed-quick' }, [allButton, noneButton]));

  const atStep = el('input', { type: 'checkbox', id: 'embed-step' });
  const atStepLabel = el('label', { htmlFor: atStep.id });
  atStep.addEventListener('change', update);
  // Comparing (compare.js): the embed shows A and B unless this is unticked.
  const withB = el('input', { type: 'checkbox', id: 'embed-compare', checked: true });
  const withBLabel = el('label', { htmlFor: withB.id });
  const withBRow = el('div', { class: 'embed-check', hidden: true }, [withB, withBLabel]);
  withB.addEventListener('change', update);
  const startChecks = el('div', { class: 'embed-checks' }, [el('div', { class: 'embed-check' }, [atStep, atStepLabel]), withBRow]);
  startChecks.style.gridTemplateColumns = 'minmax(0, 1fr)'; // one box: the whole row
  const size = el('select', { id: 'embed-size' }, SIZES.map(([w, h], i) => el('option', { value: i, text: `${w} × ${h} px` })));
  size.addEventListener('change', update);
  const frame = el('iframe', { class: 'embed-frame' });
  const frameBox = el('div', { class: 'embed-frame-box' }, [frame]);
  const link = el('input', { type: 'text', id: 'embed-link', readOnly: true, spellcheck: false });
  const snippet = el('textarea', { id: 'embed-snippet', readOnly: true, rows: 5, spellcheck: false });
  const mountCall = el('textarea', { id: 'embed-mount', readOnly: true, rows: 5, spellcheck: false });
  const feedback = el('p', { class: 'embed-feedback', role: 'status' });
  const warning = word(el('p', { class: 'embed-warning', hidden: true }), 'page.embed_warning');
  const copySnippet = word(el('button', { type: 'button', class: 'primary' }), 'page.embed_copy_snippet');
  const copyLink = word(el('button', { type: 'button' }), 'page.embed_copy_link');
  const copyMount = word(el('button', { type: 'button' }), 'page.embed_copy_mount');
  const close = word(el('button', { type: 'button' }), 'page.embed_close');
  const heading = word(el('h2', { id: 'embed-title' }), 'page.embed_title');
  const element = el('dialog', { class: 'embed-dialog', 'aria-labelledby': heading.id }, [
    el('div', { class: 'embed-inner' }, [
      heading,
      word(el('p', { class: 'embed-lead' }), 'page.embed_lead'),
      ...(location.protocol === 'file:' ? [word(el('p', { class: 'embed-local' }), 'page.embed_local')] : []),
      el('div', { class: 'embed-columns' }, [
        el('div', { class: 'embed-options' }, [
          charts.element,
          controls.element,
          el('fieldset', { class: 'embed-set' }, [word(el('legend'), 'page.embed_start'), startChecks]),
          el('div', { class: 'embed-size' }, [word(el('label', { htmlFor: size.id }), 'page.embed_size'), size]),
        ]),
        el('div', { class: 'embed-preview' }, [
          word(el('p', { class: 'embed-preview-label' }), 'page.embed_preview'),
          frameBox,
          warning,
          word(el('label', { htmlFor: snippet.id }), 'page.embed_html'),
          snippet,
          word(el('label', { htmlFor: link.id }), 'page.embed_link'),
          link,
          word(el('label', { htmlFor: mountCall.id }), 'page.embed_mount'),
          mountCall,
          el('div', { class: 'embed-buttons' }, [copySnippet, copyLink, copyMount, feedback, close]),
        ]),
      ]),
    ]),
  ]);

  /** Writes every fixed text in the current language. */
  function relabel() {
    for (const [node, key] of words) node.textContent = t(key);
    frame.title = t('page.embed_preview_title');
    charts.relabel();
    controls.relabel();
  }
  relabel();

  /** Recomputes the link and snippet; reloads the preview a moment after the last change. */
  function refresh() {
    if (!figure) return;
    const picked = charts.picked();
    const [width, height] = SIZES[Number(size.value)] || SIZES[0];
    const steps = figure.steps;
    atStepLabel.textContent = t('page.include_step', { steps });
    const compared = ns.compareQuery(figure.query());
    const bKeys = [...new URLSearchParams(compared.query)].filter(([key]) => key.startsWith('vs.'));
    const versus = compared.b ? new URLSearchParams(bKeys).toString() : '';
    withBRow.hidden = !versus;
    withBLabel.textContent = t('page.embed_with_b', { versus: versus.replaceAll('&', ', ') });
    const query = versus && withB.checked ? compared.query : compared.a;
    const url = embedUrl({
      query,
      view: figure.view(),
      step: atStep.checked ? steps : 0,
      charts: picked,
      controls: controls.picked(),
      allControls: ns.schema.map((row) => row.name),
      lang,
    });
    const usable = picked.length > 0;
    warning.hidden = usable;
    copySnippet.disabled = copyLink.disabled = copyMount.disabled = !usable;
    link.value = usable ? url : '';
    const b = versus && withB.checked ? versus : '';
    snippet.value = usable ? embedSnippet({ url, width, height, charts: picked, config: figure.config(), versus: b }) : '';
    mountCall.value = usable ? mountSnippet({ query: compared.a, versus: b, view: figure.view(), charts: picked, controls: controls.picked(), lang }) : '';
    feedback.textContent = '';
    frame.width = String(width);
    frame.height = String(height);
    fitPreview();
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (usable && frame.src !== url) frame.src = url;
    }, PREVIEW_DELAY_MS);
  }

  /** Scales the preview frame down to the width of its column. */
  function fitPreview() {
    const [width, height] = [Number(frame.width), Number(frame.height)];
    const available = frameBox.parentElement.clientWidth || width;
    const scale = Math.min(1, available / width, PREVIEW_MAX_HEIGHT / height);
    frame.style.transform = `scale(${scale})`;
    frameBox.style.width = `${Math.round(width * scale)}px`;
    frameBox.style.height = `${Math.round(height * scale)}px`;
  }

  for (const [button, field, what] of [[copySnippet, snippet, 'snippet'], [copyLink, link, 'link'], [copyMount, mountCall, 'mount']]) {
    button.addEventListener('click', async () => {
      feedback.textContent = t((await copy(field.value, field)) ? `page.embed_copied_${what}` : `page.embed_select_${what}`);
    });
  }
  onLanguage(() => {
    relabel();
    if (element.open) refresh();
  });
  close.addEventListener('click', () => element.close());
  // A click on the backdrop (outside the inner box) closes, as Escape does.
  element.addEventListener('click', (event) => event.target === element && element.close());
  element.addEventListener('close', () => {
    clearTimeout(timer);
    frame.removeAttribute('src'); // a frame out of the document stops its figure
    frame.remove();
    opener?.focus();
  });
  window.addEventListener('resize', () => element.open && fitPreview());

  return {
    element,
    open(nextFigure, nextOpener, nextLang) {
      figure = nextFigure;
      opener = nextOpener;
      lang = nextLang;
      element.showModal();
      if (!frame.isConnected) frameBox.append(frame);
      refresh();
      charts.inputs()[0]?.focus();
    },
  };
}

/**
 * Opens the Embed dialog for `figure` (a mount() handle) on the page's module
 * `ns`; focus returns to `opener` when it closes. `copyText` may be replaced.
 * `lang`: the page's `lang` key, if given; the embed carries it, or the
 * language shown when that is not English.
 */
export function openEmbedDialog({ ns, figure, opener, copy = copyText, lang }) {
  if (!dialog) {
    dialog = build(ns, copy);
    document.body.append(dialog.element);
  }
  dialog.open(figure, opener, lang ?? (language() === 'en' ? undefined : language()));
}
