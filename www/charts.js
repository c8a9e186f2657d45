// One chart panel: a visible title, the chart's toggles, a <canvas> the Rust
// code draws into, a hover tooltip and a place for an error. The panel draws
// nothing itself: the figure calls `source.draw(kind, canvas, panel.options())` (engine.js).
//
// The canvas is sized to its CSS box times devicePixelRatio before each draw
// (`fit()`), has role="img" and an aria-label naming the chart, and can be
// focused: arrow keys then move a probe point whose description (the same text
// as the hover tooltip) is read out politely.

import { el } from './controls.js';

/** Title, accessible name and a one-line reading hint per chart kind. */
export const CHART_INFO = {
  activations: {
    title: 'Activation distribution per layer',
    label: 'Activation distribution per hidden layer: layer against value, density as colour, mean and std overlaid',
    hint: 'Each column is one layer’s outputs h; bright = many values. A similar spread at every depth does not yet mean the samples still differ: see the summary.',
    hints: {
      histograms:
        'Each row is one layer’s histogram of its outputs h, layer 1 at the top. A similar spread at every depth does not yet mean the samples still differ: see the summary.',
    },
  },
  gradients: {
    title: 'Gradient distribution per layer',
    label: 'Distribution of the gradient dL/dh of each hidden layer’s output, layer against value',
    hint: 'Each column is one layer’s dL/dh. Symlog is linear near 0 and logarithmic beyond (the axis gives where): a band that shrinks towards layer 1 is a vanishing gradient.',
    hints: {
      histograms:
        'Each row is one layer’s histogram of dL/dh, layer 1 at the top. Symlog is linear near 0 and logarithmic beyond (the axis gives where).',
    },
  },
  summary: {
    title: 'Per-layer summary',
    label: 'Per layer: activation std, spread across samples and gradient std on a log axis; the mean cosine between samples; the saturated or dead share',
    hint: 'std of h and dL/dh (log); dashed: h’s spread across samples, the input-dependent part. A flat std with cosine near 1 is collapse: all inputs give nearly the same h. Grey band: the mean-field prediction (infinite width) for plain networks at step 0.',
    overlayHint:
      'A (blue, solid) and B (vermillion, dashed) on the same axes: std of h, std of dL/dh (log) and the mean cosine between samples. A decade between the lines is a ratio of 10; hover reads out both.',
  },
  training: {
    title: 'Training',
    label: 'Loss and accuracy over training steps, and each layer’s update:data ratio over time',
    hint: 'Loss and accuracy; below, log10 of each layer’s update:data ratio, std(ΔW)/std(W), with the 10⁻³ guide line. Solid: each step’s training batch; dashed: 256 held-out points in eval mode.',
    overlayHint:
      'A (blue, solid) and B (vermillion, dashed): loss and accuracy on each step’s batch, dots for 256 held-out points in eval mode; below, the median update:data ratio over the layers, in a band from the smallest to the largest layer, with the 10⁻³ guide.',
  },
  decision: {
    title: 'Data and decision boundary',
    label: 'The two-dimensional dataset and the network’s decision regions',
    hint: 'Points are the data, the background the predicted class, evaluated in eval mode (BatchNorm uses its running statistics). The gaussian dataset has no 2-D picture.',
  },
  normalized: {
    title: 'What is normalized',
    label: 'One layer’s batch by width matrix at its normalization (input x, normalized x̂ or output γx̂ + β), with the cells that share a mean and variance outlined',
    hint: 'Rows are samples, columns units; the first line names the tensor x. Outlined cells share one mean and std: a column (BatchNorm), a row (LayerNorm, RMSNorm), a row segment (GroupNorm). Show x̂ or γx̂ + β to see what the norm makes of them.',
  },
  overtime: {
    title: 'Distribution over time',
    label: 'One hidden layer’s pre-activation a, output h or gradient dL/dh over the training steps: nested percentile bands and the median',
    hint: 'Shaded: the 0–100th, 7–93rd, 16–84th and 31–69th percentiles of the layer’s values on each step’s training batch, darker inside; the line is the median. A band that drifts while training goes on is what Ioffe & Szegedy called internal covariate shift.',
  },
  diagnosis: {
    title: 'Diagnosis',
    label: 'What the charts show, in sentences with numbers and layer indices',
    hint: 'Not a chart: the findings of the core’s diagnosis, each linked to the preset that explains it.',
  },
};

let counter = 0;

/** The options query the Rust chart `kind` reads, for a view {view, gradscale, layer, tensor, timelayer, timetensor}. */
export function chartOptions(kind, view) {
  if (kind === 'activations') return `view=${view.view}`;
  if (kind === 'gradients') return `view=${view.view}&scale=${view.gradscale}`;
  if (kind === 'normalized') return `layer=${view.layer}&tensor=${view.tensor}`;
  if (kind === 'overtime') return `timelayer=${view.timelayer}&timetensor=${view.timetensor}`;
  return '';
}

/** A labelled group of radio buttons; `values` are strings or [value, label]; `onPick(value)` on change. */
function segmented(legend, name, values, current, onPick) {
  const set = el('fieldset', { class: 'segmented' }, [el('legend', { text: legend })]);
  for (const entry of values) {
    const [value, text] = Array.isArray(entry) ? entry : [entry, entry];
    const id = `${name}-${value}`;
    const input = el('input', { type: 'radio', name, id, value, checked: value === current });
    input.addEventListener('change', () => input.checked && onPick(value));
    set.append(input, el('label', { htmlFor: id, text }));
  }
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
    radios.view = segmented('View', `${uid}-view`, ['heatmap', 'histograms'], view.view, (v) => onView('view', v));
    tools.append(radios.view);
  }
  if (kind === 'gradients') {
    radios.gradscale = segmented('Scale', `${uid}-scale`, ['linear', 'symlog'], view.gradscale, (v) =>
      onView('gradscale', v),
    );
    tools.append(radios.gradscale);
  }
  // The chart's tensor radios and layer select, and the view keys they set.
  const [tensorKey, layerKey, tensors] = {
    normalized: ['tensor', 'layer', [['x', 'x'], ['xhat', 'x̂'], ['y', 'γx̂+β']]],
    overtime: ['timetensor', 'timelayer', [['pre', 'a'], ['out', 'h'], ['grad', 'dL/dh']]],
  }[kind] || [];
  let layerSelect = null;
  if (tensorKey) {
    radios[tensorKey] = segmented('Show', `${uid}-tensor`, tensors, view[tensorKey], (v) => onView(tensorKey, v));
    tools.append(radios[tensorKey]);
    layerSelect = el('select', { id: `${uid}-layer` });
    layerSelect.addEventListener('change', () => onView(layerKey, Number(layerSelect.value)));
    tools.append(el('div', { class: 'chart-layer' }, [el('label', { htmlFor: layerSelect.id, text: 'Layer' }), layerSelect]));
  }

  /** Shows `view` in the toggles and offers layers 1..depth. */
  function sync(nextView, depth) {
    hint.textContent = hintFor(info, nextView, Boolean(element.closest('.compare-overlay')));
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

  /** Sizes the canvas to its CSS box x devicePixelRatio; true if it changed. */
  function fit() {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.clientWidth === 0 || (canvas.width === width && canvas.height === height)) return false;
    canvas.width = width;
    canvas.height = height;
    return true;
  }

  function setError(text) {
    error.hidden = !text;
    error.textContent = text ? `This chart could not be drawn: ${text}` : '';
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

  const panel = { kind, element, canvas, options, fit, setError, sync, refreshProbe: () => probe && showProbe() };
  return panel;
}
