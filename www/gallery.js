// The chart gallery (see gallery.html): draws every chart of several configs,
// times each draw, and shows the hover text under the pointer.

import init, { Scope } from '../pkg/normscope.js';

const DEFAULT_CONFIGS = [
  '',
  'depth=64&activation=relu&init=kaiming_normal',
  'depth=64&activation=relu&init=xavier_uniform',
  'norm=batch&batch=2',
  'norm=group&groups=4&depth=12&residual=pre',
  'norm=rms&activation=gelu&dataset=moons',
  'dataset=gaussian&norm=layer',
  'activation=linear&init=normal&scale=100&depth=64',
  'depth=1&width=4&batch=4&dataset=xor',
];

/** Panels: a title, the chart kind and its options string. */
const PANELS = [
  ['activations', 'view=heatmap'],
  ['activations', 'view=histograms'],
  ['gradients', 'view=heatmap&scale=symlog'],
  ['gradients', 'view=histograms&scale=linear'],
  ['summary', ''],
  ['training', ''],
  ['decision', ''],
  ['normalized', 'layer=2'],
];

const params = new URLSearchParams(location.search);
const configs = params.has('configs') ? params.get('configs').split('|') : DEFAULT_CONFIGS;
const steps = Number(params.get('steps') ?? 150);
const reps = Number(params.get('reps') ?? 15);
const [cssW, cssH] = (params.get('size') || '440x280').split('x').map(Number);
const only = params.get('charts') ? params.get('charts').split(',') : null;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node[k] = v;
  node.append(...children);
  return node;
}

/** Draws one panel `reps` times; returns the median draw time in ms. */
function timeDraw(scope, kind, canvas, options) {
  scope.draw(kind, canvas, options);
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    scope.draw(kind, canvas, options);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Median time of one Play frame: one step, then each of `canvases` drawn. */
function timeFrame(scope, canvases) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    scope.step(1);
    for (const [kind, canvas, options] of canvases) scope.draw(kind, canvas, options);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Median time of one training step plus the statistics of the new state. */
function timeStep(scope) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    scope.step(1);
    scope.statsJson();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function section(query) {
  const scope = new Scope(query);
  const taken = scope.step(steps);
  const row = el('div', { className: 'row' });
  const heading = el('h2', { textContent: `${query || '(default config)'} · ${taken} steps` });
  const timings = {};
  const drawn = [];
  for (const [kind, options] of PANELS) {
    if (only && !only.includes(kind)) continue;
    const ratio = window.devicePixelRatio || 1;
    const canvas = el('canvas', { width: Math.round(cssW * ratio), height: Math.round(cssH * ratio) });
    canvas.style.width = `${cssW}px`;
    canvas.style.height = `${cssH}px`;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${kind} ${options}`);
    const time = el('span');
    const hover = el('span', { className: 'hover' });
    row.append(el('figure', {}, [canvas, el('figcaption', {}, [el('span', { textContent: `${kind} ${options}` }), hover, time])]));
    try {
      const ms = timeDraw(scope, kind, canvas, options);
      timings[`${kind} ${options}`.trim()] = Number(ms.toFixed(2));
      time.textContent = `${ms.toFixed(2)} ms`;
      drawn.push([kind, canvas, options]);
    } catch (error) {
      time.className = 'error';
      time.textContent = String(error.message || error);
    }
    canvas.addEventListener('mousemove', (event) => {
      const scale = canvas.width / canvas.clientWidth;
      hover.textContent = scope.describe(kind, canvas.width, canvas.height, event.offsetX * scale, event.offsetY * scale, options);
    });
  }
  // Play frames change the state: time them on a twin, so the panels show
  // `steps`. One frame draws the six page charts (heatmap views); the page
  // redraws the decision chart less often, so frames are timed with and without.
  const twin = new Scope(query);
  twin.step(steps);
  const page = drawn.filter(([, , options]) => !options.includes('histograms') && options !== 'view=heatmap&scale=linear');
  const frame = {
    stepMs: timeStep(twin),
    frameMs: timeFrame(twin, page),
    frameWithoutDecisionMs: timeFrame(twin, page.filter(([kind]) => kind !== 'decision')),
  };
  twin.free();
  for (const [kind, canvas, options] of drawn) scope.draw(kind, canvas, options);
  return { query, heading, row, timings, frame };
}

async function main() {
  await init();
  const gallery = document.getElementById('gallery');
  const results = [];
  for (const query of configs) {
    try {
      const result = section(query);
      gallery.append(result.heading, result.row);
      const frame = Object.fromEntries(Object.entries(result.frame).map(([k, v]) => [k, Number(v.toFixed(2))]));
      results.push({ config: query || 'default', ...frame, draws: result.timings });
    } catch (error) {
      gallery.append(el('h2', { textContent: query }), el('p', { className: 'error', textContent: String(error.message || error) }));
    }
  }
  const text = results.map((r) => JSON.stringify(r)).join('\n');
  document.getElementById('timings').textContent = text;
  console.log(text);
  window.galleryResults = results;
  document.getElementById('status').textContent = `Drew ${results.length} configs at ${cssW}x${cssH} CSS px (devicePixelRatio ${window.devicePixelRatio}).`;
  document.documentElement.dataset.state = 'ready';
}

main().catch((error) => {
  document.getElementById('status').textContent = `Failed: ${error.message || error}`;
  document.documentElement.dataset.state = 'error';
});
