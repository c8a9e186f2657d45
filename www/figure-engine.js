// The network of one figure (figure.js): which engine (engine.js) it holds, how
// a config becomes a new network, a mode switch, training to a start step, and
// what happens when an engine's new source arrives or its worker fails. It
// owns the figure's accepted query and config and the counters the charts and
// the status line read; everything it shows goes through `ui`:
//
//   ui = { draw(options), status(), diverged() -> bool, accepted(query, config, rebuilt),
//          changed(), building(on), seeking(on), notify(key, text, level), playing(),
//          comparing() -> bool, rebuildBoth() -> error text or null,
//          inStep() -> bool: whether A's new state may show (compare.js: B's of that step is in) }
//
// It never asks which engine it holds: the engines answer alike.

import { divergenceText } from './compare.js';
import { createEngine, workersAvailable } from './engine.js';
import { errorText } from './errors.js';
import { t } from './i18n.js';
import { trainTo } from './seek.js';
import { changedKeys } from './state.js';

/** The network of a figure with view `view` (its `layer` is the one a source must hold). */
export function createNetwork(ns, { view, ui }) {
  const net = {
    engine: null,
    query: '',
    config: {},
    generation: 0, // bumped by every new source or network: the charts' redraw stamp
    rebuildMs: 0,
    startStep: 0, // the step this network was trained to on load (0 once changed or Reset)
    seek: null, // {target} while training to the start step
  };
  let rebuildStarted = 0;
  let workers = workersAvailable(ns); // false once a worker has failed
  let builds = 0; // networks built so far (a mode switch builds none)
  let firstToShow = false; // the first state of a build is in but not yet shown

  /**
   * The engine for `checked` ({query, config, flopsPerStep}): the figure's own,
   * rebuilt, when it runs where `checked` should. Throws as `new Scope()` does.
   */
  function build(checked) {
    const events = { layer: () => view.layer, onFrame: frameArrived, onError: workerFailed };
    try {
      return createEngine(ns, checked, { worker: workers, previous: net.engine, ...events });
    } catch (error) {
      if (!workers) throw error;
      trainHere(error); // e.g. a policy that forbids workers
      return createEngine(ns, checked, { worker: false, previous: net.engine, ...events });
    }
  }

  /** The engine's new source: show it (the first after a rebuild, fully). */
  function frameArrived(from, first) {
    if (from !== net.engine) return;
    net.generation += 1;
    firstToShow ||= first;
    show();
  }

  /**
   * Shows the newest state, once B's (comparing) is at the same step: B's
   * arrival calls this too, so the second of the two frames shows both.
   */
  function show() {
    if (!net.engine?.source || !ui.inStep()) return;
    const first = firstToShow;
    firstToShow = false;
    if (net.seek) {
      ui.status(); // the charts wait for the start step
    } else if (first) {
      ui.draw();
      net.rebuildMs = performance.now() - rebuildStarted;
      ui.building(false);
      ui.diverged();
      ui.status();
    } else if (!ui.playing()) {
      // Outside Play (Step, a layer pick, a mode switch, a step still on its
      // way at Pause) nothing else redraws or reports: do both here.
      ui.draw({ force: false });
      ui.diverged();
      ui.status();
    }
  }

  /** From now on this figure trains on the page, and says why. */
  function trainHere(error) {
    workers = false;
    ui.notify('worker', () => t('page.notice_worker_fallback', { reason: errorText(error) }));
  }

  /** The worker failed to load or to answer: rebuild the same state on the page (and its start step). */
  function workerFailed(error) {
    if (!workers) return;
    trainHere(error);
    const target = net.seek ? net.seek.target : net.startStep;
    net.engine?.free();
    net.engine = null;
    // While comparing, B follows A onto the page, both from step 0 (ui.rebuildBoth), so they stay in lockstep.
    const refused = ui.comparing?.() ? ui.rebuildBoth() : rebuild(new URLSearchParams(net.query));
    if (!refused && target > 0) seekTo(target);
  }

  /**
   * Builds a network from `next` (URLSearchParams); on success it replaces the old one. Returns the error
   * (the core's, with its code: errors.js) or null.
   * `pairFlops`: the FLOP per step of a network compared with it (compare.js), which trains where this one does:
   * the page would train both, so their sum is what passes the worker threshold (engine.js), or not.
   */
  function rebuild(next, pairFlops = 0) {
    const started = performance.now();
    let fresh;
    try {
      const checked = ns.checkQuery(next.toString());
      if (onlyModeChanges(checked)) return switchMode(checked);
      fresh = build({ ...checked, flopsPerStep: checked.flopsPerStep + pairFlops });
    } catch (error) {
      return error;
    }
    if (fresh !== net.engine) net.engine?.free();
    net.engine = fresh;
    net.generation += 1;
    builds += 1;
    net.startStep = 0;
    setSeek(null);
    rebuildStarted = started;
    ui.building(!fresh.source); // until the engine's first source (frameArrived)
    ui.notify('diverged', null);
    ui.notify('step', null);
    accept(fresh.query(), fresh.config(), true);
    if (!fresh.source) ui.status(); // else frameArrived reports, once drawn
    ui.changed();
    return null;
  }

  /** Takes `query` and `config` as the figure's (`rebuilt`: of a new network). */
  function accept(query, config, rebuilt = false) {
    Object.assign(net, { query, config });
    ui.accepted(query, config, rebuilt);
  }

  /** Whether `checked` differs from the current config in BatchNorm's mode alone. */
  function onlyModeChanges(checked) {
    const keys = changedKeys(net.config, checked.config);
    return Boolean(net.engine) && keys.length === 1 && keys[0] === 'mode';
  }

  /** BatchNorm's mode is a display choice: switch the pass shown, keep the trained network. */
  function switchMode(checked) {
    net.engine.setMode(checked.config.mode); // its source comes back through frameArrived
    accept(checked.query, checked.config);
    ui.status();
    ui.changed();
    return null;
  }

  /** Enters (`{target}`) or leaves (null) the training to a start step: Play and Step wait. */
  function setSeek(next) {
    net.seek = next;
    ui.seeking(Boolean(next));
  }

  /**
   * Trains the network to step `target` before showing it: the charts wait,
   * dimmed, and the status line counts. A rebuild meanwhile ends it; a
   * divergence stops it there, with a notice. Resolves to the step reached,
   * or null when a rebuild ended it.
   */
  async function seekTo(target) {
    const build = builds;
    const live = () => builds === build && net.engine !== null;
    setSeek({ target });
    net.startStep = target; // the URL keeps it from now on
    ui.building(true);
    ui.status();
    let reached = null;
    try {
      reached = await trainTo(ui.stepper ? ui.stepper(net.engine) : net.engine, target, { progress: ui.status, live });
    } catch (error) {
      ui.notify('step', () => t('page.notice_training_stopped', { reason: errorText(error) }), 'error');
    }
    if (!live()) return null;
    setSeek(null);
    ui.building(false);
    net.generation += 1;
    ui.draw();
    net.engine.refresh(); // e.g. a worker's decision regions, which lag while seeking
    net.rebuildMs = performance.now() - rebuildStarted;
    const source = net.engine.source;
    if (reached !== null && reached < target && source?.diverged()) {
      ui.notify('step', () => t('page.notice_step_not_reached', { target, diverged: divergenceText(source) }), 'error');
    }
    ui.diverged();
    ui.status();
    ui.changed();
    return net.engine.steps;
  }

  /** Ends the engine (the figure was destroyed). */
  function free() {
    net.engine?.free();
    net.engine = null;
  }

  return Object.assign(net, { rebuild, seekTo, free, workerFailed, show });
}
