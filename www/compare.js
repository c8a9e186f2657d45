// Compare (issue 9): network B beside the figure's network A, in lockstep.
// The core splits a query into A and B (`ns.compareQuery`: `vs.` keys are B's);
// this file holds B's engine, B's chart panels (each paired with A's panel of
// the same chart, labelled A and B), the line above the charts that lists B's
// differences, Swap A/B and Stop comparing, and the per-layer B/A readout.
//
// Lockstep: `pair(a)` is an engine-like view of A and B whose step(n) takes one
// step on each at a time and stops both where either diverges, so both always
// show the same step count. B trains where A does (engine.js): when the two
// networks' costs together pass the worker threshold the figure builds A in a
// worker, and B gets a worker of its own, so both step in parallel off the
// page's thread (two workers measured faster than one worker stepping both in
// turn: README).
// Shared scales, the overlaid summary and training, hover and PNG of both:
// compare-charts.js.

import { createChartSet } from './chartset.js';
import { linkCharts } from './compare-charts.js';
import { el } from './controls.js';
import { createEngine } from './engine.js';
import { errorText } from './errors.js';
import { t } from './i18n.js';
import { changedKeys } from './state.js';

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** A ratio for the readout: ×1.3, ×0.042, ×1.2·10⁴; '—' when undefined (0/0). */
export function formatRatio(x) {
  if (Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return '×∞';
  if (x === 0 || (x >= 0.01 && x < 1000)) return `×${Number(x.toPrecision(2))}`;
  const exponent = Math.floor(Math.log10(x));
  const mantissa = (x / 10 ** exponent).toFixed(1);
  return `×${mantissa}·10${[...String(exponent)].map((c) => SUPERSCRIPT[c]).join('')}`;
}

/**
 * Per hidden layer in both: [layer, B's std h over A's, B's std dL/dh over A's];
 * NaN (shown '—') where either side has a non-finite value (its std is of the
 * finite ones only: no spread to compare).
 */
export function layerRatios(statsA, statsB) {
  const b = statsB.layers;
  const std = (summary) => (summary.nonfinite > 0 ? NaN : summary.std);
  const ratio = (x, y) => std(x) / std(y);
  return statsA.layers.slice(0, b.length).map((a, i) => [a.layer, ratio(b[i].out, a.out), ratio(b[i].grad, a.grad)]);
}

/** The FLOP per step of B's query (0: none), which A's adds to its own to choose where both train (figure-engine.js). */
export function flopsOf(ns, query) {
  try {
    return query ? ns.checkQuery(query).flopsPerStep : 0;
  } catch {
    return 0; // compareQuery has checked B: not reached
  }
}

/**
 * Where `source` (engine.js) diverged, in the current language: "diverged at
 * step 76 in layer 1" from its stats' `diverged` {step, layer}; null when it has not.
 */
export function divergenceText(source) {
  if (!source?.diverged()) return null;
  let where = null;
  try {
    where = source.stats().diverged;
  } catch {
    return source.diverged(); // the core's English, where the stats cannot be read
  }
  if (!where) return source.diverged();
  return where.layer ? t('page.diverged_in_layer', { step: where.step, layer: where.layer }) : t('page.diverged_in_loss', { step: where.step });
}

/** First, middle and last of `rows`, without repeats. */
const picks = (rows) => [...new Set([0, Math.floor((rows.length - 1) / 2), rows.length - 1])].map((i) => rows[i]);

/**
 * The comparison of one figure. `grid`: the figure's chart grid (A's panels);
 * `kinds`; `view`; `notify`; `onView`; `onSwap(query)`, `onStop(query)`; `onWorkerError(error)`: B's worker failed;
 * `onArrived()`: B's new state is in (the figure shows A's and B's once they are at one step: inStep).
 */
export function createComparison(ns, { grid, kinds, view, notify, onView, onSwap, onStop, onWorkerError, onArrived }) {
  let engine = null; // B's
  let state = null; // the last compareQuery answer with a B
  let generation = 0;
  const differences = el('p', { class: 'compare-differences' });
  const swap = el('button', { type: 'button', text: t('page.compare_swap') });
  const stop = el('button', { type: 'button', text: t('page.compare_stop') });
  const ratios = el('p', { class: 'compare-ratios' });
  const allRatios = el('details', { class: 'compare-all' });
  const bar = el('div', { class: 'compare-bar', hidden: true }, [
    el('div', { class: 'compare-line' }, [differences, swap, stop]),
    ratios,
    allRatios,
  ]);
  grid.parentElement.before(bar); // above the charts and the controls
  swap.addEventListener('click', () => state && onSwap(state.swapped));
  stop.addEventListener('click', () => api.end());
  let charts = null;
  let links = null; // compare-charts.js

  /** B's panels, each after A's panel of the same chart, in a pair. */
  function showPanels() {
    const holder = el('div');
    charts = createChartSet(holder, kinds, { state: () => ({ source: engine?.source ?? null, generation, view }), onView });
    const aPanels = [...grid.querySelectorAll(':scope > .chart')];
    const bPanels = [...holder.children];
    aPanels.forEach((a, i) => {
      const pair = el('div', { class: 'compare-pair' });
      a.replaceWith(pair);
      a.dataset.side = 'A';
      bPanels[i].dataset.side = 'B';
      pair.append(a, bPanels[i]);
    });
    grid.closest('.figure').classList.add('comparing');
    const sources = () => [api.aSource?.() ?? null, engine?.source ?? null];
    links = linkCharts(ns, { aCharts: api.aCharts, bCharts: charts, sources, grid, caption: () => differences.textContent });
  }

  function hidePanels() {
    links?.unlink();
    for (const pair of grid.querySelectorAll(':scope > .compare-pair')) {
      const a = pair.querySelector('[data-side="A"]');
      delete a.dataset.side;
      pair.replaceWith(a);
    }
    charts?.destroy();
    [charts, links] = [null, null];
    grid.closest('.figure')?.classList.remove('comparing');
  }

  /**
   * B's engine for `checked`, where A's runs (`where`): in a worker of its own
   * beside A's, or on the page. The old one is rebuilt or freed.
   */
  function buildB(checked, where) {
    const worker = where === 'worker';
    const forced = { ...checked, flopsPerStep: worker ? Infinity : 0 };
    const events = { layer: () => view.layer, onFrame: frameArrived, onError: workerFailed };
    const fresh = createEngine(ns, forced, { worker, previous: engine, ...events });
    if (fresh !== engine) engine?.free();
    return fresh;
  }

  /** B's worker failed: the figure trains both on the page from now on (onWorkerError), as when A's fails. */
  function workerFailed(error) {
    if (state) onWorkerError(error);
  }

  /** B's new state: the figure shows it, with A's shared scales and overlays, once A's is at the same step. */
  function frameArrived(from) {
    if (from !== engine) return;
    generation += 1;
    onArrived();
  }

  const api = {
    playing: () => false, // set by the figure
    get active() {
      return Boolean(engine);
    },
    get engine() {
      return engine;
    },
    /** The comparison's canonical query (A and its `vs.` keys), or null. */
    query: () => (engine ? state.query : null),
    /** B's differences from A, {key: B's value}; {} without B. */
    differences: () => (engine ? Object.fromEntries(state.differences.map((key) => [key, state.bConfig[key]])) : {}),
    /** B for the exports (exports.js): {engine, query, differences}, or null. */
    exported: () => (engine ? { engine, query: state.query, differences: api.differences() } : null),

    /**
     * Builds B from `answer` (compareQuery's, with a B) beside A's engine `a`,
     * just rebuilt (or only switched mode: `modeOnly`). Returns the error
     * (B is then dropped) or null.
     */
    set(answer, a, modeOnly) {
      let checked;
      try {
        checked = ns.checkQuery(answer.b);
      } catch (error) {
        return error;
      }
      const onlyMode = modeOnly && engine && engine.where === a.where && changedKeys(engine.config(), checked.config).join() === 'mode';
      try {
        if (onlyMode) engine.setMode(checked.config.mode);
        else engine = buildB(checked, a.where);
      } catch (error) {
        return error;
      }
      // Other points in B (dataset, noise): both decision charts cover the union of both datasets.
      try {
        for (const side of [a, engine]) side.setDecisionExtent(answer.decisionExtent ?? null);
      } catch (error) {
        return error;
      }
      state = { ...answer, bConfig: checked.config };
      if (!charts) showPanels();
      charts.sync(view, checked.config.depth);
      api.relabel();
      bar.hidden = false;
      return null;
    },

    /**
     * Follows `answer` (compareQuery's) once A (engine `a`) took it: builds B,
     * or drops it (a refused `vs.` key: a notice; none: Stop comparing).
     * Returns whether the comparison changed.
     */
    follow(answer, a) {
      if (!answer.compared) {
        if (!engine) return false;
        api.stop();
        return true;
      }
      // A kept its trained network (a mode switch) when it has steps: B then switches too.
      const error = answer.b ? api.set(answer, a, a.steps > 0) : answer.bError;
      if (error) api.stop();
      notify('compare', error && (() => t('page.not_compared', { error: errorText(error) })));
      return true;
    },

    /** Writes the B line, the buttons and the readout in the current language. */
    relabel() {
      swap.textContent = t('page.compare_swap');
      stop.textContent = t('page.compare_stop');
      if (!state) return;
      const listed = state.differences.map((key) => `${key} = ${state.bConfig[key]}`).join(', ');
      differences.textContent = [
        listed ? t('page.compare_b', { listed }) : t('page.compare_b_same'),
        t(state.dataDiffers ? 'page.compare_batches_differ' : 'page.compare_batches_same'),
        t('page.compare_shared_scales'),
      ].join(' ');
      api.showRatios();
    },

    /** Stop comparing, as its button: the figure takes A's query. */
    end: () => state && onStop(state.a),

    /** Back to A alone. */
    stop() {
      api.aEngine?.()?.setDecisionExtent(null);
      engine?.free();
      engine = null;
      state = null;
      hidePanels();
      bar.hidden = true;
    },

    /** B's charts and the ratio readout (the figure draws A's). */
    draw(options = {}) {
      if (!engine?.source) return;
      charts?.draw(options);
      api.showRatios();
    },

    /** "B/A std h: layer 1 ×1.0, ...; std dL/dh: ..." from both sources' stats. */
    showRatios(a = api.aSource?.()) {
      if (!a || !engine?.source) return;
      let rows;
      try {
        rows = layerRatios(a.stats(), engine.source.stats());
      } catch {
        return;
      }
      if (!rows.length) return;
      const list = (col) => picks(rows).map((row) => t('page.compare_ratio', { layer: row[0], ratio: formatRatio(row[col]) })).join(', ');
      ratios.textContent = t('page.compare_ratios', { h: list(1), grad: list(2), steps: engine.steps });
      const all = rows.map((row) => t('page.compare_ratio_layer', { layer: row[0], h: formatRatio(row[1]), grad: formatRatio(row[2]) }));
      const open = allRatios.open;
      allRatios.replaceChildren(el('summary', { text: t('page.compare_every_layer') }), el('p', { text: all.join('; ') }));
      allRatios.open = open;
    },

    /** The first of A and B that diverged, as "B diverged at step 76 in layer 1", or null. */
    diverged(a) {
      const sideA = a?.source?.diverged();
      const sideB = engine?.source?.diverged();
      if (sideA) return `A ${sideA}`;
      return sideB ? `B ${sideB}` : null;
    },

    /** As diverged(), in the current language: "B diverged at step 76 in layer 1", or null. */
    divergedText(a) {
      const sideA = divergenceText(a?.source);
      if (sideA) return t('page.diverged_side', { side: 'A', diverged: sideA });
      const sideB = divergenceText(engine?.source);
      return sideB ? t('page.diverged_side', { side: 'B', diverged: sideB }) : null;
    },

    /**
     * Whether the figure may show the newest states of A (engine `a`) and B:
     * without B, or when both are at one step, or when the one behind has
     * nothing on its way that could catch it up (then what there is shows).
     * Two workers' frames of one step arrive one after the other; the first
     * waits for the second, so that A and B never show different steps.
     */
    inStep(a) {
      if (!engine) return true;
      const [stepsA, stepsB] = [a.source?.steps, engine.source?.steps];
      if (stepsA === stepsB) return true;
      const behind = stepsA === undefined || stepsA < stepsB ? a : engine;
      return !behind.busy;
    },

    /** A and B as one engine-like object for the loop and seek.js: step(n) in lockstep. */
    pair(a) {
      if (!engine) return a;
      return {
        blocking: a.blocking,
        get timing() {
          return a.timing;
        },
        get steps() {
          return a.steps;
        },
        get source() {
          return a.source && { diverged: () => api.diverged(a) };
        },
        async step(n, options) {
          // Workers take the steps before the last quietly (no frame, whose probe pass costs about a step).
          const quietly = Boolean(a.stepQuietly && engine.stepQuietly);
          let taken = 0;
          while (taken < n && !api.diverged(a)) {
            const quiet = quietly && taken < n - 1;
            const both = quiet ? [a.stepQuietly(1), engine.stepQuietly(1)] : [a.step(1, options), engine.step(1, options)];
            const [stepA, stepB] = await Promise.all(both);
            if (stepA === null || stepB === null) return taken > 0 ? taken : null;
            if (stepA === 0 || stepB === 0) break;
            taken += 1;
            if (quiet && (a.quietDiverged || engine.quietDiverged)) {
              await Promise.all([a.refresh(), engine.refresh()]); // the frames that show where
              break;
            }
          }
          return taken;
        },
      };
    },

    free() {
      api.stop();
    },
  };
  return api;
}
