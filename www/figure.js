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
// Changing only BatchNorm's `mode` switches the displayed pass on the same
// network (Scope.setMode): step, history and optimizer state stay.
// The `step` option trains to that step before the charts show it (seek.js);
// the figure reports it in onChange until the config changes or Reset.
// Dragging Width under GroupNorm fits Groups to a divisor of the width and
// says so, so the drag never stops at a refused config.
// Every wasm call is guarded; a failure becomes a visible message, never an
// uncaught exception. `onChange({query, view, config, step})` reports each accepted change.

import { createChartSet } from './chartset.js';
import { CHART_INFO } from './charts.js';
import { buildControls, el, fitGroupsToWidth } from './controls.js';
import { createExportMenu, figureExports } from './exports.js';
import { Loop } from './loop.js';
import { createNotices } from './notices.js';
import { RemoteScope, WORKER_FLOPS, workersAvailable } from './remote.js';
import { trainTo } from './seek.js';
import { statusText } from './status.js';
import { changedKeys, checkNames, checkStep, checkView, defaultView, keyOf, toParams } from './state.js';
import { load, message } from './wasm.js';

let figures = 0;
/** A compact figure with more controls than this shows them beside the charts. */
const ROW_CONTROLS = 6;

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
  let builds = 0; // networks built so far (a mode switch builds none)
  let startStep = 0; // the step this network was trained to on load (0 once changed or Reset)
  let seek = null; // {target} while training to the start step
  let fitted = null; // {wanted, groups}: Groups fitted to the width, and the count asked for

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
  // A host named by aria-labelledby lends that name to the charts and settings, so that
  // several figures on one page have landmarks with distinct names.
  const host = element.getAttribute('aria-labelledby');
  const regions = host ? [...grid.querySelectorAll('.chart'), controls?.element].filter(Boolean) : [];
  for (const region of regions) region.setAttribute('aria-labelledby', `${host} ${region.getAttribute('aria-labelledby') || region.id}`);

  // --- status ------------------------------------------------------------------
  function showStatus() {
    if (!scope) return;
    let stats = null;
    try {
      if (!seek) stats = scope.stats(); // while training to a step, only the count shows
    } catch (error) {
      notify('stats', `Statistics unavailable: ${message(error)}`, 'error');
    }
    const remote = scope instanceof RemoteScope;
    const ready = !remote || scope.ready;
    const [playing, target] = [lastAction === 'play', seek ? seek.target : 0];
    status.textContent = statusText({ steps: scope.steps, stats, batch: config.batch, perf: loop.perf(), playing, rebuildMs, remote, ready, target });
    options.onStatus?.({ steps: scope.steps, playing: loop.playing });
  }

  /** Reports an accepted change (config, view or start step) to onChange. */
  function changed() {
    options.onChange?.({ query, view: { ...view }, config, step: startStep });
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
    if (seek) {
      showStatus(); // the charts wait for the start step
    } else if (first) {
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

  /** The worker failed to load or to answer: rebuild the same state on the page (and its start step). */
  function workerFailed(error) {
    if (!workers) return;
    trainHere(error);
    const target = seek ? seek.target : startStep;
    scope?.free();
    scope = null;
    if (!rebuild(new URLSearchParams(query)) && target > 0) seekTo(target);
  }

  /** Builds a Scope from `next` (URLSearchParams); on success it replaces the old one. */
  function rebuild(next) {
    const started = performance.now();
    let fresh;
    try {
      const checked = ns.checkQuery(next.toString());
      if (onlyModeChanges(checked)) return switchMode(checked);
      fresh = build(checked);
    } catch (error) {
      return message(error);
    }
    if (fresh !== scope) scope?.free();
    scope = fresh;
    generation += 1;
    builds += 1;
    startStep = 0;
    setSeek(null);
    rebuildStarted = started;
    const remote = scope instanceof RemoteScope;
    root.classList.toggle('building', remote);
    accepted(scope.query(), scope.config());
    notify('diverged', null);
    notify('step', null);
    if (config.norm !== 'group') groupsNote(null);
    charts.sync(view, config.depth);
    if (!remote) drawCharts();
    rebuildMs = performance.now() - started;
    lastAction = 'rebuild';
    showStatus();
    changed();
    return null;
  }

  /** Takes `query` and `config` as the figure's; shows them in the controls. */
  function accepted(nextQuery, nextConfig) {
    [query, config] = [nextQuery, nextConfig];
    draft = new URLSearchParams(query);
    if (view.layer > config.depth) view.layer = config.depth;
    controls?.set(config);
    controls?.clearErrors();
    notify('config', null);
  }

  /** Whether `checked` differs from the current config in BatchNorm's mode alone. */
  function onlyModeChanges(checked) {
    const keys = changedKeys(config, checked.config);
    return Boolean(scope) && keys.length === 1 && keys[0] === 'mode';
  }

  /** BatchNorm's mode is a display choice: switch the pass shown, keep the trained network. */
  function switchMode(checked) {
    scope.setMode(checked.config.mode); // a worker's frame comes back through frameArrived
    generation += 1;
    accepted(checked.query, checked.config);
    if (!(scope instanceof RemoteScope) && !seek) drawCharts();
    showStatus();
    changed();
    return null;
  }

  /** Enters (`{target}`) or leaves (null) the training to a start step: Play and Step wait. */
  function setSeek(next) {
    seek = next;
    root.classList.toggle('seeking', Boolean(seek));
    playButton.disabled = stepButton.disabled = Boolean(seek);
  }

  /**
   * Trains the network to step `target` before showing it: the charts wait,
   * dimmed, and the status line counts. A rebuild meanwhile ends it; a
   * divergence stops it there, with a notice.
   */
  async function seekTo(target) {
    const build = builds;
    const live = () => builds === build && scope !== null;
    setSeek({ target });
    startStep = target; // the URL keeps it from now on
    root.classList.add('building');
    showStatus();
    let reached = null;
    try {
      reached = await trainTo(scope, target, { remote: scope instanceof RemoteScope, progress: showStatus, live });
    } catch (error) {
      notify('step', `Training stopped: ${message(error)}`, 'error');
    }
    if (!live()) return null;
    setSeek(null);
    root.classList.remove('building');
    generation += 1;
    drawCharts();
    if (scope instanceof RemoteScope) scope.refresh(); // with the decision regions
    rebuildMs = performance.now() - rebuildStarted;
    if (reached !== null && reached < target && scope.diverged()) {
      notify('step', `Step ${target} not reached: training ${scope.diverged()}, so the figure stops there.`, 'error');
    }
    checkDiverged();
    showStatus();
    changed();
    return scope.steps;
  }

  /** Says why Groups changed: under its control, or in a notice when the figure has none. */
  function groupsNote(text) {
    if (controls?.has('groups')) controls.showNote('groups', text);
    else notify('groups', text);
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
    // Under GroupNorm a width change keeps Groups a divisor, and says so
    // under Groups (a notice above would shift the slider being dragged).
    const fit = key === 'width' && fitGroupsToWidth(draft, fitted);
    if (fit) {
      fitted = fit.fitted;
      groupsNote(fit.note);
    }
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
    changed();
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
  const [target, stepError] = options.step === undefined ? [0, null] : checkStep(options.step);
  if (stepError) notify('option-step', `In mount(): ${stepError}. Starting at step 0.`);
  const trained = target > 0 ? seekTo(target) : Promise.resolve(0);
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
    /** Resolves once the `step` option's training is done: to the step reached (null if a rebuild ended it). */
    trained,
    play() {
      if (seek || checkDiverged()) return;
      loop.play();
    },
    pause: () => loop.pause(),
    step(n = 1) {
      if (seek) return;
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
