// One chart panel: a visible title, the chart's toggles, a <canvas> the Rust
// code draws into, a hover tooltip and a place for an error. The panel draws
// nothing itself: the figure calls `source.draw(kind, canvas, panel.options())` (engine.js).
//
// The canvas is sized to its CSS box times devicePixelRatio before each draw
// (`fit()`), has role="img" and an aria-label naming the chart, and can be
// focused: arrow keys then move a probe point whose description (the same text
// as the hover tooltip) is read out politely.
// Texts are messages of the charts catalogue (www/i18n/<lang>/charts.json);
// the Rust charts get the page's language as the `lang` option, and
// `panel.relabel(view)` rewrites the panel's own texts after a switch.

import { el } from './controls.js';
import { language, t } from './i18n.js';

/**
 * An object whose properties read their message at each access (so in the
 * current language): `texts({title: messageKey})`; a nested object nests.
 */
function texts(keys) {
  const properties = Object.entries(keys).map(([name, key]) => [
    name,
    { enumerable: true, get: () => (typeof key === 'string' ? t(key) : texts(key)) },
  ]);
  return Object.defineProperties({}, Object.fromEntries(properties));
}

/** Title, accessible name and a one-line reading hint per chart kind, in the current language. */
export const CHART_INFO = {
  activations: texts({
    title: 'charts.panel_activations_title',
    label: 'charts.panel_activations_label',
    hint: 'charts.panel_activations_hint',
    hints: { histograms: 'charts.panel_activations_hint_histograms' },
  }),
  gradients: texts({
    title: 'charts.panel_gradients_title',
    label: 'charts.panel_gradients_label',
    hint: 'charts.panel_gradients_hint',
    hints: { histograms: 'charts.panel_gradients_hint_histograms' },
  }),
  summary: texts({
    title: 'charts.panel_summary_title',
    label: 'charts.panel_summary_label',
    hint: 'charts.panel_summary_hint',
    overlayHint: 'charts.panel_summary_overlay_hint',
  }),
  training: texts({
    title: 'charts.panel_training_title',
    label: 'charts.panel_training_label',
    hint: 'charts.panel_training_hint',
    overlayHint: 'charts.panel_training_overlay_hint',
  }),
  decision: texts({
    title: 'charts.panel_decision_title',
    label: 'charts.panel_decision_label',
    hint: 'charts.panel_decision_hint',
  }),
  normalized: texts({
    title: 'charts.panel_normalized_title',
    label: 'charts.panel_normalized_label',
    hint: 'charts.panel_normalized_hint',
  }),
  overtime: texts({
    title: 'charts.panel_overtime_title',
    label: 'charts.panel_overtime_label',
    hint: 'charts.panel_overtime_hint',
  }),
  diagnosis: texts({
    title: 'charts.panel_diagnosis_title',
    label: 'charts.panel_diagnosis_label',
    hint: 'charts.panel_diagnosis_hint',
  }),
};

let counter = 0;

/**
 * The options query the Rust chart `kind` reads, for a view {view, gradscale,
 * layer, tensor, timelayer, timetensor}, with the page's language (`lang`).
 */
export function chartOptions(kind, view) {
  const own = {
    activations: `view=${view.view}`,
    gradients: `view=${view.view}&scale=${view.gradscale}`,
    normalized: `layer=${view.layer}&tensor=${view.tensor}`,
    overtime: `timelayer=${view.timelayer}&timetensor=${view.timetensor}`,
  }[kind];
  return [own, `lang=${language()}`].filter(Boolean).join('&');
}

/**
 * A labelled group of radio buttons; `legend` and each label are message keys
 * or, as [text], words that stay as they are; `values` are [value, label];
 * `onPick(value)` on change. `set.relabel()` rewrites them in the current language.
 */
function segmented(legend, name, values, current, onPick) {
  const word = (label) => (Array.isArray(label) ? label[0] : t(label));
  const caption = el('legend', { text: word(legend) });
  const set = el('fieldset', { class: 'segmented' }, [caption]);
  const labels = [];
  for (const [value, label] of values) {
    const id = `${name}-${value}`;
    const input = el('input', { type: 'radio', name, id, value, checked: value === current });
    input.addEventListener('change', () => input.checked && onPick(value));
    labels.push([el('label', { htmlFor: id, text: word(label) }), label]);
    set.append(input, labels.at(-1)[0]);
  }
  set.relabel = () => {
    caption.textContent = word(legend);
    for (const [element, label] of labels) element.textContent = word(label);
  };
  return set;
}

/**
 * The reading hint of chart `info` in view `view` (some charts read differently
 * as histograms; a comparison's overlay of A and B, `overlay`, has its own).
 */
const hintFor = (info, view, overlay = false) => (overlay && info.overlayHint) || (info.hints && info.hints[view.view]) || info.hint;

/**
 * Creates the panel for chart `kind`. `state.view` is the shared view object
 * ({view, gradscale, layer}); `onView(key, value)` reports a toggle;
 * `describe(panel, x, y)` returns the text under canvas pixel (x, y).
 */
export function createChart(kind, { view, onView, describe }) {
  const info = CHART_INFO[kind] || { title: kind, label: `${kind} chart`, hint: '' };
  const uid = `chart-${kind}-${++counter}`;
  const canvas = el('canvas', { role: 'img', 'aria-label': info.label, tabIndex: 0, width: 600, height: 360 });
  const tooltip = el('div', { class: 'chart-tooltip', hidden: true, 'aria-hidden': 'true' });
  const spoken = el('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  const error = el('p', { class: 'chart-error', hidden: true });
  const tools = el('div', { class: 'chart-tools' });
  const hint = el('p', { class: 'chart-hint', text: hintFor(info, view) });
  const heading = el('h3', { class: 'chart-title', id: `${uid}-title`, text: info.title });
  const element = el('section', { class: `chart chart-${kind}`, 'aria-labelledby': heading.id }, [
    el('div', { class: 'chart-head' }, [heading, tools]),
    el('div', { class: 'chart-canvas' }, [canvas, tooltip, error]),
    hint,
    spoken,
  ]);
  element.dataset.kind = kind;

  const radios = {};
  if (kind === 'activations' || kind === 'gradients') {
    const views = [['heatmap', 'charts.panel_heatmap'], ['histograms', 'charts.panel_histograms']];
    radios.view = segmented('charts.panel_view', `${uid}-view`, views, view.view, (v) => onView('view', v));
    tools.append(radios.view);
  }
  if (kind === 'gradients') {
    const scales = [['linear', 'charts.panel_linear'], ['symlog', 'charts.panel_symlog']];
    radios.gradscale = segmented('charts.panel_scale', `${uid}-scale`, scales, view.gradscale, (v) =>
      onView('gradscale', v),
    );
    tools.append(radios.gradscale);
  }
  // The chart's tensor radios and layer select, and the view keys they set.
  const [tensorKey, layerKey, tensors] = {
    normalized: ['tensor', 'layer', [['x', ['x']], ['xhat', ['x̂']], ['y', ['γx̂+β']]]],
    overtime: ['timetensor', 'timelayer', [['pre', ['a']], ['out', ['h']], ['grad', ['dL/dh']]]],
  }[kind] || [];
  let layerSelect = null;
  let layerLabel = null;
  if (tensorKey) {
    radios[tensorKey] = segmented('charts.panel_show', `${uid}-tensor`, tensors, view[tensorKey], (v) => onView(tensorKey, v));
    tools.append(radios[tensorKey]);
    layerSelect = el('select', { id: `${uid}-layer` });
    layerSelect.addEventListener('change', () => onView(layerKey, Number(layerSelect.value)));
    layerLabel = el('label', { htmlFor: layerSelect.id, text: t('charts.panel_layer') });
    tools.append(el('div', { class: 'chart-layer' }, [layerLabel, layerSelect]));
  }
  const overlay = () => Boolean(element.closest('.compare-overlay'));

  /** Rewrites the panel's texts in the current language (a comparison's overlay has its own). */
  function relabel(currentView) {
    heading.textContent = info.title;
    // A comparison's side, before the title (style.css): A, B, or the overlay's "A and B".
    const side = element.dataset.side;
    heading.dataset.sideLabel = side ? (overlay() && side === 'A' ? t('charts.panel_a_and_b') : side) : '';
    hint.textContent = hintFor(info, currentView, overlay());
    const label = overlay() ? t('charts.panel_overlay_label', { label: info.label }) : info.label;
    canvas.setAttribute('aria-label', label);
    for (const set of Object.values(radios)) set.relabel();
    if (layerLabel) layerLabel.textContent = t('charts.panel_layer');
  }

  /** Shows `view` in the toggles and offers layers 1..depth. */
  function sync(nextView, depth) {
    hint.textContent = hintFor(info, nextView, overlay());
    for (const [key, set] of Object.entries(radios)) {
      for (const input of set.querySelectorAll('input')) input.checked = input.value === nextView[key];
    }
    if (layerSelect) {
      if (layerSelect.options.length !== depth) {
        layerSelect.replaceChildren(
          ...Array.from({ length: depth }, (_, i) => el('option', { value: i + 1, text: `${i + 1}` })),
        );
      }
      layerSelect.value = String(Math.min(nextView[layerKey], depth));
    }
  }

  const options = (currentView) => chartOptions(kind, currentView);

  /**
   * The canvas's size for its CSS box x devicePixelRatio, or null when it is
   * not laid out. A read of the layout: a chart set reads every panel's before
   * it resizes any (chartset.js), so that a draw of all charts costs one
   * layout, not one per chart.
   */
  function measure() {
    if (canvas.clientWidth === 0) return null;
    const ratio = window.devicePixelRatio || 1;
    return [Math.max(1, Math.round(canvas.clientWidth * ratio)), Math.max(1, Math.round(canvas.clientHeight * ratio))];
  }

  /** Sizes the canvas to `size` (measure()'s); true if it changed. */
  function resize(size) {
    if (!size || (canvas.width === size[0] && canvas.height === size[1])) return false;
    [canvas.width, canvas.height] = size;
    return true;
  }

  /** Sizes the canvas to its CSS box x devicePixelRatio; true if it changed. */
  const fit = () => resize(measure());

  /** Shows `text` (null: none); changes the DOM only when it differs (a change would cost the next read a layout). */
  function setError(text) {
    const shown = text ? t('charts.panel_error', { error: text }) : '';
    if (error.textContent === shown && error.hidden === !text) return;
    error.hidden = !text;
    error.textContent = shown;
  }

  // Hover and keyboard probing share one point, in CSS pixels of the canvas.
  let probe = null;
  function showProbe(speak = false) {
    if (!probe) {
      tooltip.hidden = true;
      return;
    }
    const scale = canvas.width / Math.max(1, canvas.clientWidth);
    const text = describe(panel, probe.x * scale, probe.y * scale);
    tooltip.hidden = !text;
    tooltip.textContent = text;
    if (text) {
      const left = Math.min(probe.x + 12, canvas.clientWidth - tooltip.offsetWidth - 4);
      tooltip.style.left = `${Math.max(4, left)}px`;
      tooltip.style.top = `${probe.y > canvas.clientHeight / 2 ? probe.y - tooltip.offsetHeight - 10 : probe.y + 14}px`;
    }
    if (speak) spoken.textContent = text;
  }
  canvas.addEventListener('pointermove', (event) => {
    probe = { x: event.offsetX, y: event.offsetY };
    showProbe();
  });
  canvas.addEventListener('pointerleave', () => {
    probe = null;
    showProbe();
  });
  canvas.addEventListener('blur', () => {
    probe = null;
    showProbe();
  });
  canvas.addEventListener('keydown', (event) => {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (!moves[event.key]) return;
    event.preventDefault();
    const [dx, dy] = moves[event.key];
    const base = probe || { x: canvas.clientWidth / 2, y: canvas.clientHeight / 2 };
    probe = {
      x: Math.min(canvas.clientWidth - 1, Math.max(0, base.x + dx * canvas.clientWidth * 0.04)),
      y: Math.min(canvas.clientHeight - 1, Math.max(0, base.y + dy * canvas.clientHeight * 0.05)),
    };
    showProbe(true);
  });

  const panel = { kind, element, canvas, options, fit, measure, resize, setError, sync, relabel, refreshProbe: () => probe && showProbe() };
  return panel;
}
