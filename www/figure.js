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
// The `lang` option ('en' or 'zh') switches the page's language (i18n.js); on
// every switch the figure rewrites its texts and redraws its charts from the
// same state: the network is not rebuilt.

import { createChartSet } from './chartset.js';
import { createComparison, divergenceText, flopsOf } from './compare.js';
import { createCompareEditor } from './compare-editor.js';
import { CHART_INFO } from './charts.js';
import { fitFormulaToNorm, fitGroupsToWidth } from './controls.js';
import { figureExports } from './exports.js';
import { createFigureDom } from './figure-dom.js';
import { LOOKBACK_KINDS, createLookback } from './lookback.js';
import { Loop } from './loop.js';
import { createNetwork } from './figure-engine.js';
import { statusText } from './status.js';
import { errorKey, errorText, pageError } from './errors.js';
import { LANGUAGES, onLanguage, setLanguage, t } from './i18n.js';
import { DIAGNOSIS, LAYER_VIEW_KEYS, checkNames, checkStep, checkView, defaultView, toParams } from './state.js';
import { load } from './wasm.js';

let figures = 0;

/** Mounts a figure into `element`; resolves to its handle. Throws if wasm cannot start. */
export async function mount(element, options = {}) {
  const ns = await load(options.wasmUrl);
  const id = `fig${++figures}`;
  const langError = options.lang === undefined || LANGUAGES.includes(options.lang) ? null : pageError('invalid_choice', { key: 'lang', value: String(options.lang), choices: LANGUAGES.join(', ') });
  if (options.lang !== undefined && !langError) setLanguage(options.lang);
  // Unknown chart or control names are dropped and named in a notice.
  const panels = [...ns.kinds, DIAGNOSIS];
  const [named, chartsError] = options.charts ? checkNames('charts', options.charts, panels) : [panels, null];
  const kinds = named.filter((name) => name !== DIAGNOSIS);
  const keys = ns.schema.map((row) => row.name);
  const [listed, controlsError] = options.controls ? checkNames('controls', options.controls, keys, true) : [keys, null];
  const shown = !listed ? [] : listed.length < keys.length ? listed : null; // null: every control
  const view = { ...defaultView(), ...(options.view || {}) };
  let draft = new URLSearchParams();
  let lastAction = 'rebuild'; // what the status line reports timings of
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
  if (langError) notify('option-lang', () => t('page.notice_mount', { error: errorText(langError), consequence: t('page.instead_english') }));
  element.replaceChildren(root);
  // --- the network -----------------------------------------------------------------
  const net = createNetwork(ns, {
    view,
    ui: {
      draw: (drawOptions) => drawCharts(drawOptions),
      status: () => showStatus(),
      diverged: () => checkDiverged(),
      accepted(query, config, rebuilt) {
        draft = new URLSearchParams(query);
        for (const key of LAYER_VIEW_KEYS) view[key] = Math.min(view[key], config.depth);
        controls?.set(config);
        controls?.clearErrors();
        notify('config', null);
        if (!rebuilt) return;
        if (config.norm !== 'group') groupsNote(null);
        charts.sync(view, config.depth);
        lookback.clear();
        lastAction = 'rebuild';
      },
      changed,
      building: (on) => root.classList.toggle('building', on),
      seeking(on) {
        root.classList.toggle('seeking', on);
        buttons.play.disabled = buttons.step.disabled = on;
      },
      notify,
      playing: () => loop.playing,
      stepper: (engine) => compare.pair(engine),
      comparing: () => compare.active,
      rebuildBoth: () => handle.update(compare.query(), { replace: true }),
      inStep: () => compare.inStep(net.engine),
    },
  });

  // The look-back slider (lookback.js), above the charts when a per-layer chart shows.
  const lookback = createLookback(ns, { id, onShow: () => charts.draw({ force: false }) });
  if (kinds.some((kind) => LOOKBACK_KINDS.includes(kind))) root.insertBefore(lookback.element, dom.grid.parentElement);
  const charts = createChartSet(dom.grid, kinds, {
    state: () => ({ source: net.engine?.source ?? null, generation: net.generation, view, past: lookback.past() }),
    onView: setViewKey,
  });
  for (const canvas of dom.grid.querySelectorAll('canvas')) canvas.setAttribute('aria-describedby', diagnosis.descriptionId);
  // A host named by aria-labelledby lends that name to the charts and settings, so that
  // several figures on one page have landmarks with distinct names.
  const host = element.getAttribute('aria-labelledby');
  const regions = host ? [...dom.grid.querySelectorAll('.chart'), dom.controls?.element].filter(Boolean) : [];
  for (const region of regions) region.setAttribute('aria-labelledby', `${host} ${region.getAttribute('aria-labelledby') || region.id}`);
  // B (compare.js): its panels beside A's, the B/A line, Swap A/B and Stop comparing.
  const switchTo = (query) => {
    loop.pause();
    handle.update(query, { replace: true });
  };
  const stopComparing = (query) => {
    switchTo(query);
    editor?.close(); // after: A's rebuild reported the comparison still on
  };
  const onWorkerError = (error) => net.workerFailed(error);
  const onArrived = () => net.show();
  const compare = createComparison(ns, { grid: dom.grid, kinds, view, notify, onView: setViewKey, onSwap: switchTo, onStop: stopComparing, onWorkerError, onArrived });
  // The Compare toggle (compare-editor.js), with every control: B's values as `vs.` keys (text null: B takes A's).
  const setB = (key, text) => {
    if (text === null) draft.delete(`vs.${key}`);
    else draft.set(`vs.${key}`, text);
    applyDraft();
  };
  const editor = controls && !shown ? createCompareEditor(ns, { idPrefix: id, onSet: setB, onStop: () => compare.end() }) : null;
  if (editor) controls.element.prepend(editor.element);
  Object.assign(compare, { playing: () => loop.playing, aSource: () => net.engine?.source, aEngine: () => net.engine, aCharts: charts });
  const refreshBoth = () => [net.engine, compare.engine].forEach((engine) => engine?.refresh());
  // A's state waits while B's of the same step is on its way (compare.inStep; B's arrival shows both: net.show).
  const held = () => Boolean(net.engine?.source) && !compare.inStep(net.engine);
  const drawCharts = (drawOptions) => {
    if (held()) return;
    charts.draw(drawOptions);
    compare.draw(drawOptions);
    // The status line ("A: step N") is refreshed a few times a second during Play
    // (loop.js), B's readout ("(step N)") with every draw: when a step comes
    // faster, the status line follows here, so that they never show different steps.
    if (compare.active && statusStep !== net.engine?.steps) showStatus();
    lookback.enabled = !compare.active; // B has no past: a comparison shows both live
    if (!compare.active && !net.seek) lookback.record(net.engine?.source);
  };

  // --- status ------------------------------------------------------------------
  let statusStep = null; // the step the status line shows
  /** The status line and the Diagnosis panel, from the engine's source. */
  function showStatus() {
    if (!net.engine || held()) return;
    const source = net.seek ? null : net.engine.source; // while training to a step, only the count shows
    let [stats, findings] = [null, null];
    try {
      stats = source ? source.stats() : null;
      findings = source ? source.diagnosis() : null;
    } catch (error) {
      notify('stats', () => t('page.stats_unavailable', { error: errorText(error) }), 'error');
    }
    const [playing, target] = [lastAction === 'play', net.seek ? net.seek.target : 0];
    const { steps, where, source: ready, threads } = net.engine;
    statusStep = steps;
    status.textContent = statusText({ steps, stats, batch: net.config.batch, perf: loop.perf(), playing, rebuildMs: net.rebuildMs, where, ready: Boolean(ready), target, threads });
    if (compare.active) status.textContent = `A: ${status.textContent}`; // the Diagnosis panel is A's too
    const diverged = compare.active && compare.divergedText(net.engine);
    if (diverged) status.textContent += ` · ${t('page.status_both_paused', { diverged })}`;
    if (findings) diagnosis.update(findings); // while building or seeking, the last ones stay, dimmed
    options.onStatus?.({ steps: net.engine.steps, playing: loop.playing });
  }

  /** Reports an accepted change (config, view or start step) to onChange. */
  function changed() {
    editor?.sync(net.config, compare.active ? compare.differences() : null);
    options.onChange?.({ query: compare.query() ?? net.query, view: { ...view }, config: net.config, step: net.startStep });
  }

  /** Says why Groups changed: under its control, or in a notice when the figure has none. */
  function groupsNote(text) {
    if (controls?.has('groups')) controls.showNote('groups', text);
    else notify('groups', text);
  }

  /**
   * Tries the draft; on a refused value, marks the control, keeps the last good state and returns the error.
   * With `vs.` keys (the core splits them) B is built beside A; a refused B leaves A alone, with a notice.
   */
  function applyDraft() {
    const answer = ns.compareQuery(draft.toString());
    const aError = answer.compared ? answer.errors.find((e) => e.message !== answer.bError?.message) : null;
    // A refused B, or Stop comparing, over an unchanged A leaves A as it is (trained steps included);
    // not while A and B train to a start step together (that seek steps both: A starts again, alone).
    const keepA = answer.a === net.query && (answer.compared ? !answer.b : compare.active && !net.seek);
    const error = aError ?? (keepA ? null : net.rebuild(answer.compared ? new URLSearchParams(answer.a) : draft, flopsOf(ns, answer.b)));
    if (!error && compare.follow(answer, net.engine)) {
      draft = new URLSearchParams(compare.query() ?? net.query);
      changed();
      if (keepA) {
        // A alone again, as it is: its own charts (no shared scales), status line ("A: " goes) and
        // divergence (a notice of B's goes; A's own, if any, comes back).
        net.generation += 1;
        notify('diverged', null);
        drawCharts({ force: true });
        if (!checkDiverged()) showStatus();
      }
    }
    if (!error) return null;
    controls?.showError(errorKey(error), () => errorText(error));
    notify('config', () => t('page.not_applied', { error: errorText(error) }));
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
    if (key === 'norm' && controls?.has('formula')) controls.showNote('formula', fitFormulaToNorm(draft, ns.normalizeQuery));
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
    const [checked, error] = checkView(key, value, net.config.depth || 1);
    if (error) {
      notify('view', () => errorText(error));
      return;
    }
    notify('view', null);
    view[key] = checked;
    charts.sync(view, net.config.depth);
    // A source may hold one layer's matrix (a worker's does): ask for the new layer's.
    if (key === 'layer') refreshBoth();
    drawCharts({ force: false });
    changed();
  }

  // --- the loop -------------------------------------------------------------------
  const loop = new Loop({
    maxSteps: () => Number(dom.speed.value),
    blocking: () => net.engine.blocking,
    step: (n, playing) =>
      // A worker's step never rejects: its failures go to workerFailed. A comparison steps A and B in lockstep.
      compare.pair(net.engine).step(n, { playing }).catch((error) => {
        notify('step', () => t('page.training_stopped', { error: errorText(error) }), 'error');
        return 0;
      }),
    draw: (throttle) => drawCharts({ force: false, throttle }),
    after: () => checkDiverged(),
    status: showStatus,
    onState: (playing) => {
      if (playing) lastAction = 'play';
      if (playing) lookback.live(); // Play returns to live
      else drawCharts({ force: false }); // catch up on charts throttled during Play
      // Extras that lag during Play (a worker's decision regions): fetch the current ones.
      if (!playing) refreshBoth();
      buttons.play.textContent = t(playing ? 'page.pause' : 'page.play');
      root.classList.toggle('playing', playing);
    },
  });

  function checkDiverged() {
    const diverged = compare.active ? compare.diverged(net.engine) : net.engine?.source?.diverged();
    if (!diverged) return false;
    loop.pause();
    // Written again on a language switch (a rebuild clears the notice first).
    const [key, engine] = [compare.active ? 'page.diverged_both' : 'page.diverged', net.engine];
    const where = () => (compare.active ? compare.divergedText(engine) : divergenceText(engine.source)) ?? diverged;
    notify('diverged', () => t(key, { diverged: where() }), 'error');
    showStatus();
    return true;
  }

  buttons.play.addEventListener('click', () => (loop.playing ? handle.pause() : handle.play()));
  buttons.step.addEventListener('click', () => handle.step());
  buttons.reset.addEventListener('click', () => handle.reset());

  // --- start ------------------------------------------------------------------------
  draft = toParams(options.config);
  for (const [key, value] of toParams(options.compare)) draft.set(`vs.${key}`, value);
  const startError = applyDraft();
  if (startError) {
    // A refused config must not leave an empty figure: fall back to the defaults.
    net.rebuild(new URLSearchParams());
    notify('config', () => t('page.not_applied_defaults', { error: errorText(startError) }));
  }
  const [target, stepError] = options.step === undefined ? [0, null] : checkStep(options.step);
  if (stepError) notify('option-step', () => t('page.notice_mount', { error: errorText(stepError), consequence: t('page.instead_step0') }));
  const trained = target > 0 ? net.seekTo(target) : Promise.resolve(0);
  for (const [index, text] of (options.notices || []).entries()) notify(`given-${index}`, text);
  for (const [key, error] of [['charts', chartsError], ['controls', controlsError]]) {
    if (error) notify(`option-${key}`, () => t('page.notice_mount', { error: errorText(error), consequence: t('page.instead_left_out') }));
  }
  // A language switch rewrites every text and redraws the charts from the same state.
  const stopListening = onLanguage(() => {
    dom.relabel(loop.playing);
    editor?.relabel();
    compare.relabel();
    lookback.relabel();
    showStatus();
    drawCharts({ force: true });
  });

  const exporter = figureExports({
    kinds: ns.kinds,
    render: charts.render,
    engine: () => net.engine,
    compared: () => compare.exported(),
    notify: (text) => notify('export', text, 'error'),
  });

  const handle = {
    element: root,
    /** Applies config keys (object or query) over the current ones; returns an error text (in the page's language) or null. */
    update(next, { replace = false } = {}) {
      const params = toParams(next);
      draft = replace ? params : new URLSearchParams(net.query);
      if (!replace) for (const [key, value] of params) draft.set(key, value);
      const error = applyDraft();
      return error && errorText(error);
    },
    /** Resolves once the `step` option's training is done: to the step reached (null if a rebuild ended it). */
    trained,
    play() {
      if (net.seek || checkDiverged()) return;
      loop.play();
    },
    pause: () => loop.pause(),
    step(n = 1) {
      if (net.seek) return;
      loop.pause();
      lookback.live();
      loop.stepOnce(n);
    },
    reset() {
      const wasPlaying = loop.playing;
      loop.pause();
      if (compare.active) handle.update(compare.query(), { replace: true });
      else net.rebuild(new URLSearchParams(net.query));
      if (wasPlaying) loop.play();
    },
    setView: setViewKey,
    notify: (key, text) => notify(key, text),
    query: () => compare.query() ?? net.query,
    /**
     * With B: {query, differences, steps: [A's, B's], where: [A's, B's] ('page' or 'worker'),
     * settled: no request of either on its way}; else false.
     */
    comparison: () =>
      compare.active && {
        query: compare.query(),
        differences: compare.differences(),
        steps: [net.engine.steps, compare.engine.steps],
        where: [net.engine.where, compare.engine.where],
        settled: !net.engine.busy && !compare.engine.busy,
      },
    /** With B: the stats of A and of B (the core's), for tests and the curious; null until both have a state (a worker's first frame). */
    comparisonStats: () => {
      if (!compare.active) return false;
      const sources = [net.engine?.source, compare.engine?.source];
      return sources.every(Boolean) ? sources.map((source) => source.stats()) : null;
    },
    config: () => ({ ...net.config }),
    view: () => ({ ...view }),
    get playing() {
      return loop.playing;
    },
    get steps() {
      return net.engine ? net.engine.steps : 0;
    },
    /** The loop's perf(), rebuildMs, and where training runs ('page' or 'worker', with its ms per step and per frame). */
    perf: () => ({ ...loop.perf(), rebuildMs: net.rebuildMs, ...(net.engine ? net.engine.perf() : { engine: 'none' }) }),
    ...exporter, // exportPng(kind), exportCsv(), exportSnapshot(), download(what)
    destroy() {
      stopListening();
      loop.pause();
      if (pendingRebuild) cancelAnimationFrame(pendingRebuild);
      charts.destroy();
      diagnosis.destroy();
      lookback.free();
      dom.exportMenu?.destroy();
      compare.free();
      net.free();
      element.replaceChildren();
    },
  };
  return handle;
}
