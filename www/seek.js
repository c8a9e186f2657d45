// Training a figure's network to a given step before it is shown: a link's
// `step=N` (state.js) or mount()'s `step` option. The same steps as pressing
// Step N times, so the same statistics, bit for bit; only faster, and in pieces
// so that the page stays live and the status line can count:
//
//   - on the page, as many steps as fit in PAGE_SLICE_MS, then a pause for the
//     browser to paint;
//   - in a worker (remote.js), chunks of steps that take about WORKER_CHUNK_MS
//     each (one step at first, to measure), each answered by a frame.
//
// It stops early where training diverges: the figure then says so.

/** Milliseconds of training on the page between two pauses for the browser. */
const PAGE_SLICE_MS = 30;
/** Milliseconds a worker's chunk of steps aims for. */
const WORKER_CHUNK_MS = 1000;

const breathe = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Trains `scope` (a wasm Scope, or a RemoteScope when `remote`) up to step
 * `target`. `progress()` runs after each piece; `live()` turning false (the
 * figure was rebuilt or destroyed) stops it. Resolves to the step reached,
 * or null when stopped by `live()`. Throws what a page Scope's step throws.
 */
export async function trainTo(scope, target, { remote, progress, live }) {
  while (scope.steps < target && !scope.diverged()) {
    const left = target - scope.steps;
    if (remote) {
      const perStep = scope.timing.stepMs;
      const n = Math.min(left, perStep > 0 ? Math.max(1, Math.floor(WORKER_CHUNK_MS / perStep)) : 1);
      // `playing`: the decision regions need not be recomputed for every chunk.
      const taken = await scope.step(n, true);
      if (taken === null || !live()) return null;
    } else {
      const started = performance.now();
      let taken = 0;
      while (taken < left && performance.now() - started < PAGE_SLICE_MS) {
        const one = scope.step(1);
        if (one === 0) break; // diverged
        taken += one;
      }
      await breathe();
      if (!live()) return null;
    }
    progress();
  }
  return scope.steps;
}
