// The chart panels of one figure and when to redraw them. Only charts on
// screen are drawn (IntersectionObserver; before its first report, those
// whose box meets the viewport); a resized canvas is redrawn at its
// new size (ResizeObserver); a chart is redrawn only when the scope, its step
// or its options changed. While playing (`throttle`), a chart that costs more
// than CHEAP_DRAW_MS (the decision regions, big layer matrices) is redrawn at
// most every EXPENSIVE_INTERVAL_MS and every third frame, and one call draws
// charts only until DRAW_BUDGET_MS are spent (at least one chart), starting
// after the last one it drew, so the stale ones take turns and drawing cannot
// eat the frame. Every wasm call is guarded; a failure shows in the panel.
// In a comparison, `link(hooks)` (compare-charts.js) adds the shared range to
// each draw's options, draws the overlays, and reads hover and PNG of both.
// A language switch (i18n.js) rewrites the panels' texts and redraws them from
// the same source: the options carry `lang`, so each chart is due again.

import { chartOptions, createChart } from './charts.js';
import { onLanguage } from './i18n.js';
import { LOOKBACK_KINDS } from './lookback.js';
import { message } from './wasm.js';

/** A chart whose draw takes longer than this is throttled during Play. */
const CHEAP_DRAW_MS = 6;
/** Minimum time between two redraws of an expensive chart during Play. */
const EXPENSIVE_INTERVAL_MS = 250;
/**
 * Milliseconds of drawing one call may spend during Play (a comparison's two
 * sets: half each), so that steps and drawing fit a 60 frames/s frame (loop.js).
 */
const DRAW_BUDGET_MS = 6;
/** Pixel size of an exported chart that is not on screen. */
const EXPORT_SIZE = [1200, 750];

/**
 * Creates panels for `kinds` in `grid`. `state()` returns { source, generation,
 * view, past }: `source` is what the charts are drawn from (engine.js: a frame-like
 * object of plain data, never an engine), null while none is in; `past`, a
 * Frame of an earlier step the per-layer charts show instead (lookback.js), or null;
 * `onView(key, value)` reports a toggle.
 * Returns { draw({force, throttle}), render(kind), sync(view, depth), link(hooks), destroy() }.
 */
export function createChartSet(grid, kinds, { state, onView }) {
  // A comparison's hooks (compare-charts.js), or null: shared ranges, overlays, both sides' hover, paired PNG.
  let linked = null;
  const optionsOf = (panel, view) => (linked ? linked.options(panel.kind, panel.options(view)) : panel.options(view));
  /** What `kind` is drawn from now: the looked-back Frame for per-layer charts, else the live source. */
  const sourceOf = (kind) => {
    const { source, past } = state();
    return source && past && LOOKBACK_KINDS.includes(kind) ? past : source;
  };
  const describe = (panel, x, y) => {
    const { view } = state();
    const source = sourceOf(panel.kind);
    try {
      if (!source) return '';
      const { kind, canvas } = panel;
      const options = optionsOf(panel, view);
      const own = source.describe(kind, canvas.width, canvas.height, x, y, options);
      return linked ? linked.describe(kind, canvas, x, y, options, own) : own;
    } catch {
      return '';
    }
  };
  /**
   * What a panel was last drawn from: a redraw is due when it changes. `base`:
   * the panel's own options (a comparison's shared range follows from the two
   * states, which the stamp holds, and costs a pass over both: it is only
   * asked for once a chart is drawn).
   */
  const stampOf = (generation, source, base) => `${generation}/${source.steps}/${base}/${linked ? linked.stamp() : ''}`;
  /** Draws `kind` into `canvas`: the comparison's overlay, or the source's chart. */
  const paint = (source, kind, canvas, options) => {
    if (!linked?.draw(kind, canvas, options)) source.draw(kind, canvas, options);
  };
  const panels = kinds.map((kind) => createChart(kind, { view: state().view, onView, describe }));
  grid.append(...panels.map((panel) => panel.element));

  const drawn = new Map(); // panel -> stampOf() last drawn
  const cost = new Map(); // panel -> { ms (running average), at, frames skipped }
  const visible = new Set(panels);
  // Until the IntersectionObserver's first report, which can come after the
  // first frame is in, a panel counts as visible when its box meets the
  // viewport's height: the first draw leaves the charts below the fold
  // (on the default page at 1280 x 900: the decision regions, the layer
  // matrix and the over-time chart) until they scroll into view.
  let reported = !('IntersectionObserver' in window);
  const onScreen = (panel) => {
    const box = panel.element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  };

  let next = 0; // where the next budgeted draw starts, so stale charts take turns

  function draw({ force = true, throttle = false } = {}) {
    const { generation, view } = state();
    if (!state().source) return;
    const now = performance.now();
    const budget = linked ? DRAW_BUDGET_MS / 2 : DRAW_BUDGET_MS;
    const start = throttle ? next : 0;
    // Every panel's box is read before any canvas is resized: one layout for all (charts.js measure).
    const shown = panels.filter((panel) => visible.has(panel) && (reported || onScreen(panel)));
    const sizes = shown.map((panel) => panel.measure());
    const resizes = new Map(shown.map((panel, i) => [panel, panel.resize(sizes[i])]));
    // A resize clears the canvas: a panel the budget leaves for a later frame must be drawn then.
    for (const [panel, resized] of resizes) if (resized) drawn.delete(panel);
    for (let i = 0; i < panels.length; i += 1) {
      const panel = panels[(start + i) % panels.length];
      if (!resizes.has(panel)) continue;
      const source = sourceOf(panel.kind);
      const resized = resizes.get(panel);
      const stamp = stampOf(generation, source, panel.options(view));
      if (!force && !resized && drawn.get(panel) === stamp) continue;
      const spent = cost.get(panel) || { ms: 0, at: -Infinity, frames: 0 };
      cost.set(panel, spent);
      spent.frames += 1;
      const due = !throttle || spent.ms <= CHEAP_DRAW_MS || (now - spent.at >= EXPENSIVE_INTERVAL_MS && spent.frames >= 3);
      if (!resized && !due) continue;
      if (throttle && !resized && performance.now() - now >= budget) {
        next = (start + i) % panels.length; // out of time: this one goes first next frame
        return;
      }
      const started = performance.now();
      try {
        paint(source, panel.kind, panel.canvas, optionsOf(panel, view));
        panel.setError(null);
      } catch (error) {
        panel.setError(message(error));
      }
      const took = performance.now() - started;
      spent.ms = spent.at === -Infinity ? took : 0.7 * spent.ms + 0.3 * took;
      Object.assign(spent, { at: now, frames: 0 });
      drawn.set(panel, stamp);
      panel.refreshProbe();
    }
    next = start;
  }

  const observer =
    'IntersectionObserver' in window
      ? new IntersectionObserver((entries) => {
          reported = true;
          for (const entry of entries) {
            const panel = panels.find((p) => p.element === entry.target);
            if (entry.isIntersecting) visible.add(panel);
            else visible.delete(panel);
          }
          draw({ force: false });
        })
      : null;
  const resizer = 'ResizeObserver' in window ? new ResizeObserver(() => draw({ force: false })) : null;
  const relabel = () => panels.forEach((panel) => panel.relabel(state().view));
  const stopLanguage = onLanguage(() => {
    relabel();
    draw({ force: false });
  });
  for (const panel of panels) {
    observer?.observe(panel.element);
    resizer?.observe(panel.canvas);
  }

  /**
   * A canvas showing chart `kind` now: its panel's canvas, redrawn, or (for a
   * chart this figure does not show) a detached canvas of EXPORT_SIZE.
   */
  function render(kind) {
    const { view } = state();
    const source = sourceOf(kind);
    if (!source) throw new Error('the network is still being built (or the figure was destroyed); try again in a moment');
    const panel = panels.find((p) => p.kind === kind);
    const canvas = panel ? panel.canvas : document.createElement('canvas');
    if (panel) panel.fit();
    else [canvas.width, canvas.height] = EXPORT_SIZE;
    const options = linked ? linked.options(kind, chartOptions(kind, view)) : chartOptions(kind, view);
    paint(source, kind, canvas, options);
    if (panel) drawn.set(panel, stampOf(state().generation, source, chartOptions(kind, view)));
    return linked?.render ? linked.render(kind, canvas) : canvas;
  }

  return {
    draw,
    render,
    sync: (view, depth) => panels.forEach((panel) => panel.sync(view, depth)),
    /** Links this set into a comparison (`hooks`, compare-charts.js) or back to itself (null). */
    link(hooks) {
      linked = hooks;
      drawn.clear();
      relabel();
    },
    destroy() {
      stopLanguage();
      observer?.disconnect();
      resizer?.disconnect();
    },
  };
}
