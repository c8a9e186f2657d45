// One normscope figure: an engine, its chart panels, its controls, its own
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
// The figure never computes statistics: it drives one engine (engine.js) and
// draws the charts, the status line and the Diagnosis panel from the engine's
// source, plain data of one state. The engine trains on the page, or in a Web
// Worker when a step costs more than WORKER_FLOPS, so the page keeps its frame
// rate; the figure does not ask which. Its parts: figure-dom.js (elements),
// loop.js (Play), exports.js, status.js, diagnosis.js, seek.js (`step`).
// Changing only BatchNorm's `mode` switches the displayed pass on the same
// network (engine.setMode): step, history and optimizer state stay.
// The `step` option trains to that step before the charts show it (seek.js);
// the figure reports it in onChange until the config changes or Reset.
// Dragging Width under GroupNorm fits Groups to a divisor of the width and
// says so, so the drag never stops at a refused config.
// Every wasm call is guarded; a failure becomes a visible message, never an
// uncaught exception. `onChange({query, view, config, step})` reports each accepted change.

import { createChartSet } from './chartset.js';
import { CHART_INFO } from './charts.js';
import { fitGroupsToWidth } from './controls.js';
import { DIAGNOSIS } from './diagnosis.js';
import { createEngine, workersAvailable } from './engine.js';
import { figureExports } from './exports.js';
import { createFigureDom } from './figure-dom.js';
import { Loop } from './loop.js';
import { trainTo } from './seek.js';
import { statusText } from './status.js';
import { changedKeys, checkNames, checkStep, checkView, defaultView, keyOf, toParams } from './state.js';
import { load, message } from './wasm.js';

let figures = 0;

/** Mounts a figure into `element`; resolves to its handle. Throws if wasm cannot start. */
export async function mount(element, options = {}) {
  const ns = await load(options.wasmUrl);
  const id = `fig${++figures}`;
  // Unknown chart or control names are dropped and named in a notice.
  const panels = [...ns.kinds, DIAGNOSIS];
  const [named, chartsError] = options.charts ? checkNames('charts', options.charts, panels) : [panels, null];
  const kinds = named.filter((name) => name !== DIAGNOSIS);
  const keys = ns.schema.map((row) => row.name);
  const [listed, controlsError] = options.controls ? checkNames('controls', options.controls, keys, true) : [keys, null];
  const shown = !listed ? [] : listed.length < keys.length ? listed : null; // null: every control
  const view = { ...defaultView(), ...(options.view || {}) };
  let engine = null;
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

  const titled = kinds.map((kind) => ({ kind, title: CHART_INFO[kind]?.title || kind }));
  const dom = createFigureDom({
    schema: ns.schema,
    id,
    titled,
    shown,
    diagnosis: named.includes(DIAGNOSIS),
    options,
    onControl,
    onExport: (what) => exporter.download(what),
    onLink: (linked) => {
      loop.pause();
      handle.update(linked, { replace: true });
    },
  });
  const { root, notify, controls, buttons, status, diagnosis } = dom;
  element.replaceChildren(root);
  const charts = createChartSet(dom.grid, kinds, {
    state: () => ({ source: engine?.source ?? null, generation, view }),
    onView: setViewKey,
  });
  for (const canvas of dom.grid.querySelectorAll('canvas')) canvas.setAttribute('aria-describedby', diagnosis.descriptionId);
  const drawCharts = charts.draw;

  // --- status ------------------------------------------------------------------
  /** The status line and the Diagnosis panel, from the engine's source. */
  function showStatus() {
    if (!engine) return;
    const source = seek ? null : engine.source; // while training to a step, only the count shows
    let [stats, findings] = [null, null];
    try {
      stats = source ? source.stats() : null;
      findings = source ? source.diagnosis() : null;
    } catch (error) {
      notify('stats', `Statistics unavailable: ${message(error)}`, 'error');
    }
    const [playing, target] = [lastAction === 'play', seek ? seek.target : 0];
    const ready = Boolean(engine.source);
    status.textContent = statusText({ steps: engine.steps, stats, batch: config.batch, perf: loop.perf(), playing, rebuildMs, where: engine.where, ready, target });
    if (findings || !ready) diagnosis.update(findings);
    options.onStatus?.({ steps: engine.steps, playing: loop.playing });
  }

  /** Reports an accepted change (config, view or start step) to onChange. */
  function changed() {
    options.onChange?.({ query, view: { ...view }, config, step: startStep });
  }

  // --- the engine -----------------------------------------------------------------
  /**
   * The engine for `checked` ({query, config, flopsPerStep}): the figure's own,
   * rebuilt, when it runs where `checked` should. Throws as `new Scope()` does.
   */
  function build(checked) {
    const events = { layer: () => view.layer, onFrame: frameArrived, onError: workerFailed };
    try {
      return createEngine(ns, checked, { worker: workers, previous: engine, ...events });
    } catch (error) {
      if (!workers) throw error;
      trainHere(error); // e.g. a policy that forbids workers
      return createEngine(ns, checked, { worker: false, previous: engine, ...events });
    }
  }

  /** The engine's new source: redraw from it (the first after a rebuild, fully). */
  function frameArrived(from, first) {
    if (from !== engine) return;
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
      // Outside Play (Step, a layer pick, a mode switch, a step still on its
      // way at Pause) nothing else redraws or reports: do both here.
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
    engine?.free();
    engine = null;
    if (!rebuild(new URLSearchParams(query)) && target > 0) seekTo(target);
  }

  /** Builds a network from `next` (URLSearchParams); on success it replaces the old one. */
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
    if (fresh !== engine) engine?.free();
    engine = fresh;
    generation += 1;
    builds += 1;
    startStep = 0;
    setSeek(null);
    rebuildStarted = started;
    root.classList.add('building'); // until the engine's first frame (frameArrived)
    accepted(engine.query(), engine.config());
    notify('diverged', null);
    notify('step', null);
    if (config.norm !== 'group') groupsNote(null);
    charts.sync(view, config.depth);
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
    return Boolean(engine) && keys.length === 1 && keys[0] === 'mode';
  }

  /** BatchNorm's mode is a display choice: switch the pass shown, keep the trained network. */
  function switchMode(checked) {
    engine.setMode(checked.config.mode); // its source comes back through frameArrived
    accepted(checked.query, checked.config);
    showStatus();
    changed();
    return null;
  }

  /** Enters (`{target}`) or leaves (null) the training to a start step: Play and Step wait. */
  function setSeek(next) {
    seek = next;
    root.classList.toggle('seeking', Boolean(seek));
    buttons.play.disabled = buttons.step.disabled = Boolean(seek);
  }

  /**
   * Trains the network to step `target` before showing it: the charts wait,
   * dimmed, and the status line counts. A rebuild meanwhile ends it; a
   * divergence stops it there, with a notice.
   */
  async function seekTo(target) {
    const build = builds;
    const live = () => builds === build && engine !== null;
    setSeek({ target });
    startStep = target; // the URL keeps it from now on
    root.classList.add('building');
    showStatus();
    let reached = null;
    try {
      reached = await trainTo(engine, target, { progress: showStatus, live });
    } catch (error) {
      notify('step', `Training stopped: ${message(error)}`, 'error');
    }
    if (!live()) return null;
    setSeek(null);
    root.classList.remove('building');
    generation += 1;
    drawCharts();
    engine.refresh(); // e.g. a worker's decision regions, which lag while seeking
    rebuildMs = performance.now() - rebuildStarted;
    const diverged = engine.source?.diverged();
    if (reached !== null && reached < target && diverged) {
      notify('step', `Step ${target} not reached: training ${diverged}, so the figure stops there.`, 'error');
    }
    checkDiverged();
    showStatus();
    changed();
    return engine.steps;
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
    // A source may hold one layer's matrix (a worker's does): ask for the new layer's.
    if (key === 'layer') engine?.refresh();
    drawCharts({ force: false });
    changed();
  }

  // --- the loop -------------------------------------------------------------------
  const loop = new Loop({
    maxSteps: () => Number(dom.speed.value),
    blocking: () => engine.blocking,
    step: (n, playing) =>
      // A worker's step never rejects: its failures go to workerFailed.
      engine.step(n, { playing }).catch((error) => {
        notify('step', `Training stopped: ${message(error)}`, 'error');
        return 0;
      }),
    draw: (throttle) => drawCharts({ force: false, throttle }),
    after: () => checkDiverged(),
    status: showStatus,
    onState: (playing) => {
      if (playing) lastAction = 'play';
      else drawCharts({ force: false }); // catch up on charts throttled during Play
      // Extras that lag during Play (a worker's decision regions): fetch the current ones.
      if (!playing) engine?.refresh();
      buttons.play.textContent = playing ? 'Pause' : 'Play';
      root.classList.toggle('playing', playing);
    },
  });

  function checkDiverged() {
    const diverged = engine?.source?.diverged();
    if (!diverged) return false;
    loop.pause();
    notify('diverged', `Training ${diverged}: a value became infinite or NaN. Press Reset to start again, or lower the learning rate.`, 'error');
    showStatus();
    return true;
  }

  buttons.play.addEventListener('click', () => (loop.playing ? handle.pause() : handle.play()));
  buttons.step.addEventListener('click', () => handle.step());
  buttons.reset.addEventListener('click', () => handle.reset());

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
    engine: () => engine,
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
      return engine ? engine.steps : 0;
    },
    /** The loop's perf(), rebuildMs, and where training runs ('page' or 'worker', with its ms per step and per frame). */
    perf: () => ({ ...loop.perf(), rebuildMs, ...(engine ? engine.perf() : { engine: 'none' }) }),
    ...exporter, // exportPng(kind), exportCsv(), exportSnapshot(), download(what)
    destroy() {
      loop.pause();
      if (pendingRebuild) cancelAnimationFrame(pendingRebuild);
      charts.destroy();
      dom.exportMenu?.destroy();
      engine?.free();
      engine = null;
      element.replaceChildren();
    },
  };
  return handle;
}
