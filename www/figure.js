// One normscope figure: a Scope, its chart panels, its controls, its own
// animation loop. Several figures can share a page (and the one wasm module).
//
//   import { mount } from './www/figure.js';
//   const figure = await mount(document.querySelector('#fig'), {
//     config: 'depth=20&init=torch_default',   // query string or {depth: 20, ...}
//     charts: ['activations', 'gradients'],    // default: every chart
//     controls: ['norm'],                      // 'all' (default), or [] for none
//   });
//   figure.update({ norm: 'layer' }); figure.play(); figure.pause(); figure.destroy();
//   const png = await figure.exportPng('gradients');   // also exportCsv(), exportSnapshot()
//
// docs/embedding.md documents every option (view, compact, exports, actions...).
//
// The figure never computes statistics: it steps the Scope and asks Rust to draw.
// A network whose step costs more than WORKER_FLOPS trains in a Web Worker
// (remote.js), so the page keeps its frame rate; the charts are still drawn
// here, from the frames the worker sends.
// Every wasm call is guarded; a failure becomes a visible message, never an
// uncaught exception. `onChange({query, view, config})` reports each accepted change.

import { createChartSet } from './chartset.js';
import { CHART_INFO } from './charts.js';
import { buildControls, el } from './controls.js';
import { createExportMenu, figureExports } from './exports.js';
import { Loop } from './loop.js';
import { createNotices } from './notices.js';
import { RemoteScope, WORKER_FLOPS, workersAvailable } from './remote.js';
import { statusText } from './status.js';
import { checkNames, checkView, defaultView } from './state.js';
import { load, message } from './wasm.js';

let figures = 0;
/** A compact figure with more controls than this shows them beside the charts. */
const ROW_CONTROLS = 6;

/** Turns a config given as a query string or a plain object into URLSearchParams. */
function toParams(config) {
  if (!config) return new URLSearchParams();
  if (typeof config === 'string') return new URLSearchParams(config);
  return new URLSearchParams(Object.entries(config).map(([key, value]) => [key, String(value)]));
}

/** The config key an error message names ("... for 'groups': ..."), if any. */
function keyOf(text) {
  const match = /(?:for|key) '([a-z_]+)'/.exec(text);
  return match ? match[1] : null;
}

/** Mounts a figure into `element`; resolves to its handle. Throws if wasm cannot start. */
export async function mount(element, options = {}) {
  const ns = await load(options.wasmUrl);
  const id = `fig${++figures}`;
  // Unknown chart or control names are dropped and named in a notice.
  const [kinds, chartsError] = options.charts ? checkNames('charts', options.charts, ns.kinds) : [ns.kinds, null];
  const keys = ns.schema.map((row) => row.name);
  const [listed, controlsError] = options.controls ? checkNames('controls', options.controls, keys, true) : [keys, null];
  const shown = !listed ? [] : listed.length < keys.length ? listed : null; // null: every control
  const view = { ...defaultView(), ...(options.view || {}) };
  let scope = null;
  let query = '';
  let config = {};
  let draft = new URLSearchParams();
  let generation = 0;
  let rebuildMs = 0;
  let rebuildStarted = 0;
  let workers = workersAvailable(ns); // false once a worker has failed
  let lastAction = 'rebuild'; // what the status line reports timings of

  // --- DOM -----------------------------------------------------------------
  const { element: notices, notify } = createNotices();
  const playButton = el('button', { type: 'button', class: 'primary', text: 'Play' });
  const stepButton = el('button', { type: 'button', text: 'Step' });
  const resetButton = el('button', { type: 'button', text: 'Reset' });
  const speed = el('input', { type: 'range', id: `${id}-speed`, min: 1, max: 50, step: 1, value: options.speed || 10 });
  const speedValue = el('output', { htmlFor: speed.id, class: 'control-value', value: speed.value });
  const status = el('p', { class: 'status' });
  const jump = el('a', { class: 'jump', href: `#${id}-controls`, text: 'Settings ↓' });
  const shownKinds = kinds || ns.kinds;
  const titled = shownKinds.map((kind) => ({ kind, title: CHART_INFO[kind]?.title || kind }));
  const exportMenu = options.exports === false ? null : createExportMenu(titled, (what) => exporter.download(what));
  const actions = [...(exportMenu ? [exportMenu] : []), ...(options.actions || [])];
  const toolbar = el('div', { class: 'toolbar' }, [
    el('div', { class: 'buttons' }, [playButton, stepButton, resetButton]),
    ...(shown && shown.length === 0 ? [] : [jump]),
    el('div', { class: 'speed' }, [el('label', { htmlFor: speed.id, text: 'Speed (steps per frame)' }), speed, speedValue]),
    status,
    ...(actions.length ? [el('div', { class: 'actions' }, actions)] : []),
  ]);
  const grid = el('div', { class: 'chart-grid' });
  const controls =
    shown && shown.length === 0 ? null : buildControls(ns.schema, { only: shown, idPrefix: id, onChange: onControl });
  if (controls) controls.element.id = `${id}-controls`;
  // A compact figure puts a few controls in a row above the charts, many in a column beside them.
  const side = options.compact && controls && (shown ? shown.length : keys.length) > ROW_CONTROLS;
  const classes = ['figure', controls ? '' : 'figure-no-controls', options.compact ? 'figure-compact' : '', side ? 'figure-side' : ''];
  const root = el('div', { class: classes.filter(Boolean).join(' ') }, [
    notices,
    toolbar,
    el('div', { class: 'figure-body' }, [grid, ...(controls ? [controls.element] : [])]),
  ]);
  element.replaceChildren(root);

  root.dataset.charts = String(shownKinds.length);
  const charts = createChartSet(grid, shownKinds, {
    state: () => ({ scope, generation, view }),
    onView: setViewKey,
  });
  const drawCharts = charts.draw;

  // --- status ------------------------------------------------------------------
  function showStatus() {
    if (!scope) return;
    let stats = null;
    try {
      stats = scope.stats();
    } catch (error) {
      notify('stats', `Statistics unavailable: ${message(error)}`, 'error');
    }
    const remote = scope instanceof RemoteScope;
    status.textContent = statusText({ steps: scope.steps, stats, perf: loop.perf(), playing: lastAction === 'play', rebuildMs, remote, ready: !remote || scope.ready });
  }

  // --- the scope -----------------------------------------------------------------
  /**
   * A Scope for `checked` ({query, config, flopsPerStep}): on the page, or in
   * a worker when a step is costly and workers work here (the figure's worker
   * is kept while its configs stay costly). Throws as `new Scope()` does.
   */
  function build(checked) {
    if (workers && checked.flopsPerStep > WORKER_FLOPS) {
      if (scope instanceof RemoteScope) {
        scope.rebuild(checked);
        return scope;
      }
      try {
        return new RemoteScope(ns, checked, { layer: () => view.layer, onFrame: frameArrived, onError: workerFailed });
      } catch (error) {
        trainHere(error); // e.g. a policy that forbids workers
      }
    }
    return new ns.Scope(checked.query);
  }

  /** A worker's new frame: redraw from it (the first after a rebuild, fully). */
  function frameArrived(remote, first) {
    if (remote !== scope) return;
    generation += 1;
    if (first) {
      drawCharts();
      rebuildMs = performance.now() - rebuildStarted;
      root.classList.remove('building');
      checkDiverged();
      showStatus();
    } else if (!loop.playing) {
      // Outside Play (Step, a layer pick, a step still on its way at Pause)
      // nothing else redraws or reports: do both here.
      drawCharts({ force: false });
      checkDiverged();
      showStatus();
    }
  }

  /** From now on this figure trains on the page, and says why. */
  function trainHere(error) {
    workers = false;
    notify('worker', `Training on the page instead of in a worker (${message(error)}); big networks will be slow.`);
  }

  /** The worker failed to load or to answer: rebuild the same state on the page. */
  function workerFailed(error) {
    if (!workers) return;
    trainHere(error);
    scope?.free();
    scope = null;
    rebuild(new URLSearchParams(query));
  }

  /** Builds a Scope from `next` (URLSearchParams); on success it replaces the old one. */
  function rebuild(next) {
    const started = performance.now();
    let fresh;
    try {
      fresh = build(ns.checkQuery(next.toString()));
    } catch (error) {
      return message(error);
    }
    if (fresh !== scope) scope?.free();
    scope = fresh;
    generation += 1;
    rebuildStarted = started;
    const remote = scope instanceof RemoteScope;
    root.classList.toggle('building', remote);
    query = scope.query();
    config = scope.config();
    draft = new URLSearchParams(query);
    if (view.layer > config.depth) view.layer = config.depth;
    controls?.set(config);
    controls?.clearErrors();
    notify('config', null);
    notify('diverged', null);
    charts.sync(view, config.depth);
    if (!remote) drawCharts();
    rebuildMs = performance.now() - started;
    lastAction = 'rebuild';
    showStatus();
    options.onChange?.({ query, view: { ...view }, config });
    return null;
  }

  /** Tries the draft; on a refused value, marks the control, keeps the last good state and returns the error. */
  function applyDraft() {
    const error = rebuild(draft);
    if (!error) return null;
    controls?.showError(keyOf(error), error);
    notify('config', `Not applied: ${error}. The charts still show the last valid settings.`);
    return error;
  }

  // A change rebuilds at once; further changes in the same frame (a dragged
  // slider) are coalesced into one rebuild in the next animation frame.
  let pendingRebuild = 0;
  let rebuiltThisFrame = false;
  function onControl(key, text) {
    draft.set(key, text);
    if (!rebuiltThisFrame) {
      rebuiltThisFrame = true;
      requestAnimationFrame(() => (rebuiltThisFrame = false));
      applyDraft();
    } else if (!pendingRebuild) {
      pendingRebuild = requestAnimationFrame(() => {
        pendingRebuild = 0;
        applyDraft();
      });
    }
  }

  function setViewKey(key, value) {
    const [checked, error] = checkView(key, value, config.depth || 1);
    if (error) {
      notify('view', error);
      return;
    }
    notify('view', null);
    view[key] = checked;
    charts.sync(view, config.depth);
    // A worker's frames carry one layer's matrix: ask for the new layer's.
    if (key === 'layer' && scope instanceof RemoteScope) scope.refresh();
    drawCharts({ force: false });
    options.onChange?.({ query, view: { ...view }, config });
  }

  // --- the loop -------------------------------------------------------------------
  const loop = new Loop({
    maxSteps: () => Number(speed.value),
    step: (n, playing) => {
      const stopped = (error) => {
        notify('step', `Training stopped: ${message(error)}`, 'error');
        return 0;
      };
      try {
        // A worker's step never rejects: its failures go to workerFailed.
        return scope instanceof RemoteScope ? scope.step(n, playing) : scope.step(n);
      } catch (error) {
        return stopped(error);
      }
    },
    draw: (throttle) => drawCharts({ force: false, throttle }),
    after: () => checkDiverged(),
    status: showStatus,
    onState: (playing) => {
      if (playing) lastAction = 'play';
      else drawCharts({ force: false }); // catch up on charts throttled during Play
      // A worker's decision regions lag during Play: fetch the current ones.
      if (!playing && scope instanceof RemoteScope) scope.refresh();
      playButton.textContent = playing ? 'Pause' : 'Play';
      root.classList.toggle('playing', playing);
    },
  });

  function checkDiverged() {
    const diverged = scope && scope.diverged();
    if (!diverged) return false;
    loop.pause();
    notify('diverged', `Training ${diverged}: a value became infinite or NaN. Press Reset to start again, or lower the learning rate.`, 'error');
    showStatus();
    return true;
  }

  playButton.addEventListener('click', () => (loop.playing ? handle.pause() : handle.play()));
  stepButton.addEventListener('click', () => handle.step());
  resetButton.addEventListener('click', () => handle.reset());
  speed.addEventListener('input', () => (speedValue.value = speed.value));

  // --- start ------------------------------------------------------------------------
  draft = toParams(options.config);
  const startError = applyDraft();
  if (startError) {
    // A refused config must not leave an empty figure: fall back to the defaults.
    rebuild(new URLSearchParams());
    notify('config', `Not applied: ${startError}. Showing the default settings.`);
  }
  for (const [index, text] of (options.notices || []).entries()) notify(`given-${index}`, text);
  for (const [key, error] of [['charts', chartsError], ['controls', controlsError]]) {
    if (error) notify(`option-${key}`, `In mount(): ${error}. Unknown names are left out.`);
  }

  const exporter = figureExports({
    kinds: ns.kinds,
    render: charts.render,
    scope: () => scope,
    notify: (text) => notify('export', text, 'error'),
  });

  const handle = {
    element: root,
    /** Applies config keys (object or query) over the current ones; returns an error text or null. */
    update(next, { replace = false } = {}) {
      const params = toParams(next);
      draft = replace ? params : new URLSearchParams(query);
      if (!replace) for (const [key, value] of params) draft.set(key, value);
      return applyDraft();
    },
    play() {
      if (checkDiverged()) return;
      loop.play();
    },
    pause: () => loop.pause(),
    step(n = 1) {
      loop.pause();
      loop.stepOnce(n);
    },
    reset() {
      const wasPlaying = loop.playing;
      loop.pause();
      rebuild(new URLSearchParams(query));
      if (wasPlaying) loop.play();
    },
    setView: setViewKey,
    notify: (key, text) => notify(key, text),
    query: () => query,
    config: () => ({ ...config }),
    view: () => ({ ...view }),
    get playing() {
      return loop.playing;
    },
    get steps() {
      return scope ? scope.steps : 0;
    },
    /** The loop's perf(), rebuildMs, and where training runs ('page' or 'worker', with its ms per step and per frame). */
    perf: () => {
      const remote = scope instanceof RemoteScope;
      const worker = remote ? { workerStepMs: scope.timing.stepMs, workerFrameMs: scope.timing.frameMs } : {};
      return { ...loop.perf(), rebuildMs, engine: remote ? 'worker' : 'page', ...worker };
    },
    ...exporter, // exportPng(kind), exportCsv(), exportSnapshot(), download(what)
    destroy() {
      loop.pause();
      if (pendingRebuild) cancelAnimationFrame(pendingRebuild);
      charts.destroy();
      exportMenu?.destroy();
      scope?.free();
      scope = null;
      element.replaceChildren();
    },
  };
  return handle;
}
