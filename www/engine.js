// The one engine interface a figure drives, and the choice of where it runs.
// Two implementations answer it the same way: engine-page.js (the wasm Scope on
// the page's thread) and engine-worker.js (the Scope in a Web Worker). The
// figure never asks which one it holds; it reads `where` only to say it.
//
//   const engine = createEngine(ns, checked, { worker, previous, layer, onFrame, onError });
//
// `checked` is `ns.checkQuery(query)`: {query, config, flopsPerStep, memoryBytes}.
//
// Engine (every method that needs the network answers with a Promise):
//   where              'page' | 'worker' (for the status line and perf())
//   blocking           true when a step runs on the page's thread: the loop then
//                      fits steps and drawing in one animation frame, and
//                      training to a step pauses between slices
//   source             the current drawing source (below), or null while a
//                      build's first frame is on its way
//   steps              source.steps, 0 without a source
//   busy               true while a request is on its way (a worker's), whose
//                      reply may bring a new source; a page engine never is
//   timing             {stepMs, frameMs}: ms per training step, ms to make a frame
//   query(), config()  of the network built (or being built)
//   build(checked)     a new network in place -> Promise<boolean> (false: superseded);
//                      throws as `new Scope()` does, and then changes nothing
//   step(n, {playing}) up to n steps -> Promise<taken | null> (null: dropped by a
//                      rebuild); `playing` lets costly extras (decision regions) lag
//   setMode(mode)      BatchNorm's displayed pass on the same network -> Promise
//   refresh()          a fresh source of the current state (another layer's
//                      matrix, current decision regions) -> Promise
//   setDecisionExtent(extent)  the rectangle [x_lo, x_hi, y_lo, y_hi] the
//                      decision regions cover, or null: the dataset's own; kept
//                      across rebuilds (a comparison sets A's and B's to the
//                      union of their datasets', compareQuery's decisionExtent)
//   snapshotJson()     -> Promise<string>, after the steps asked before it
//   perf()             {engine: where, ...} for the figure's perf()
//   free()             ends it; pending promises resolve to null
// Events (the options): `onFrame(engine, first)` after every new source, always
// asynchronously (`first`: the first of a build); `onError(error)` when a worker
// fails (the figure then builds on the page); `layer()`: the layer whose
// normalized matrix a source must hold.
//
// Source: plain data for one state, the same surface as the wasm `Frame`:
//   steps, stats(), diagnosis(), diverged(), statsCsv(),
//   draw(kind, canvas, options), describe(kind, width, height, x, y, options),
//   chartRange(kind, options) and frame() (a wasm Frame, for compare-charts.js)
//   lookback() (the bytes of this state's Frame without history, lookback.js)
// A source is replaced on every new state (read `engine.source` afresh each
// time): a worker's holds decoded Frames, freed when replaced; the page's is a
// view of the Scope that throws once replaced. Charts, status, the Diagnosis
// panel and exports read only sources, so two networks (compare, issue 9) are
// two engines whose sources are drawn by the same calls.

import { PageEngine } from './engine-page.js';
import { WorkerEngine } from './engine-worker.js';

/**
 * Configs whose step costs more than this many FLOP train in a worker: about
 * 4 ms of wasm, so that a step and the drawing still fit a 60 frames/s frame
 * on the page (loop.js; depth 30 x width 64 goes to a worker). Below it (the
 * default config, or depth 20 x width 64) the page trains itself, with no round
 * trip and no worker to start before the first chart. A comparison counts
 * both networks, since the page would take both steps in one frame: when the
 * sum of their costs passes this, A and B train in a worker each
 * (figure-engine.js, compare.js), e.g. two depth-20 x 64 networks.
 */
export const WORKER_FLOPS = 4e7;

/**
 * Whether this page can run normscope in a worker at all: not a page with an
 * opaque origin (a sandboxed iframe, file://), which may not start a worker
 * from a URL, unless it is the single file, whose worker is a classic script
 * started from a blob URL, which such pages may start.
 */
export function workersAvailable(ns) {
  if (typeof Worker !== 'function' || !ns.module) return false;
  return Boolean(globalThis.NORMSCOPE_WORKER_SOURCE) || self.origin !== 'null';
}

/**
 * Whether `checked` should get a new worker so that the old one's memory is
 * returned: a wasm memory never shrinks, and a worker's goes only when the
 * worker ends. True when the largest network the worker built
 * (`memoryBytes`, the core's estimate, src/core/memory.rs) needs over 64 MiB
 * and more than twice what the new one needs.
 */
export function returnsMemory(previous, checked) {
  const held = previous.memoryBytes || 0;
  return previous.where === 'worker' && held > 64 * 2 ** 20 && held > 2 * (checked.memoryBytes || 0);
}

/**
 * An engine for `checked`: in a worker when `worker` (workers work here) and a
 * step is costly, else on the page. `previous` (the figure's engine, or null)
 * is rebuilt and returned when it runs where the new network should (and,
 * for a worker, holds no far bigger memory: `returnsMemory`); else the
 * caller frees it once this returns. Throws as `new Scope()` does (nothing
 * changes then) and whatever stops a worker from starting (e.g. a policy).
 */
export function createEngine(ns, checked, { worker, previous, layer, onFrame, onError }) {
  const where = worker && checked.flopsPerStep > WORKER_FLOPS ? 'worker' : 'page';
  if (previous && previous.where === where && !returnsMemory(previous, checked)) {
    previous.build(checked);
    return previous;
  }
  const Engine = where === 'worker' ? WorkerEngine : PageEngine;
  return new Engine(ns, checked, { layer, onFrame, onError });
}
