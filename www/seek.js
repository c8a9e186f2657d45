// Training a figure's network to a given step before it is shown: a link's
// `step=N` (state.js) or mount()'s `step` option. The same steps as pressing
// Step N times, so the same statistics, bit for bit; only faster, and in pieces
// so that the page stays live and the status line can count:
//
//   - on the page (a `blocking` engine), pieces of about PAGE_SLICE_MS,
//     then a pause for the browser to paint;
//   - in a worker, pieces of about WORKER_CHUNK_MS, each answered by a frame.
// A piece is one step at first, to measure; then as many as its time allows at
// the engine's measured ms per step.
//
// It stops early where training diverges: the figure then says so.

/** Milliseconds of training on the page between two pauses for the browser. */
const PAGE_SLICE_MS = 30;
/** Milliseconds a worker's chunk of steps aims for. */
const WORKER_CHUNK_MS = 1000;

const breathe = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Trains `engine` (engine.js) up to step `target`. `progress()` runs after each
 * piece; `live()` turning false (the figure was rebuilt or destroyed) stops it.
 * Resolves to the step reached, or null when stopped by `live()`. Rejects as
 * the engine's step does.
 */
export async function trainTo(engine, target, { progress, live }) {
  const pieceMs = engine.blocking ? PAGE_SLICE_MS : WORKER_CHUNK_MS;
  while (engine.steps < target && !engine.source?.diverged()) {
    const perStep = engine.timing.stepMs;
    const n = Math.min(target - engine.steps, perStep > 0 ? Math.max(1, Math.floor(pieceMs / perStep)) : 1);
    // `playing`: the decision regions need not be recomputed for every piece.
    const taken = await engine.step(n, { playing: true });
    if (taken === null || !live()) return null;
    if (engine.blocking) await breathe();
    if (!live()) return null;
    progress();
    if (taken === 0) break; // diverged
  }
  return engine.steps;
}
