// The Web Worker of one figure whose network is too big to train on the page
// (see engine-worker.js). It owns the figure's Scope; the page sends requests and gets
// back the bytes of a Frame, which it decodes and draws. Requests:
//
//   {id, type: 'init', module, threads}   the page's compiled WebAssembly.Module; with
//                                         threads > 1 (a cross-origin-isolated page of a
//                                         device with more than two cores),
//                                         the threaded build instead -> {threads, why, error}
//                                         (why: a page.threads_why_* key end, status.js)
//   {id, type: 'build', query, layer, decision}   a new Scope -> frame
//   {id, type: 'step', n, layer, decision}        n training steps -> frame
//   {id, type: 'step', n, quiet: true}            n training steps -> {taken, stepMs, diverged}
//   {id, type: 'mode', mode, layer, decision}     BatchNorm's displayed pass -> frame
//   {id, type: 'frame', layer, decision}          the current state -> frame
//   {id, type: 'snapshot'}                -> {json}
//   {id, type: 'torch'}                   -> {text} or {refused}: the PyTorch script
//
// A frame carries the normalized matrix of `layer`, and the decision regions
// if `decision` (they cost up to a third of a step on deep networks), over
// the rectangle `extent` ([x_lo, x_hi, y_lo, y_hi]; null: the dataset's own).
// Every reply carries the request's id: {id, bytes, taken, stepMs, frameMs} or
// {id, error}. The page keeps one request in flight.

import init, { Scope as SingleThreadedScope } from '../pkg/normscope.js';

/** How long the thread pool may take to start before the worker runs on one thread. */
const POOL_TIMEOUT_MS = 10000;

let Scope = SingleThreadedScope;
let scope = null;

/**
 * The threaded build (`pkg-threads/`, xtask/src/threads.rs) with a pool of
 * `count` threads, or a reason why not. It shares memory between the pool's
 * workers, so it needs a cross-origin-isolated page; its rayon pool blocks
 * while it waits, which only a worker may do (hence here, never on the page).
 */
async function startThreads(count) {
  if (!self.crossOriginIsolated) return { why: 'not_isolated' };
  try {
    const threaded = await import(new URL('../pkg-threads/normscope.js', import.meta.url).href);
    await threaded.default();
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`its pool did not start within ${POOL_TIMEOUT_MS / 1000} s`)), POOL_TIMEOUT_MS);
    });
    await Promise.race([threaded.initThreadPool(count), timeout]).finally(() => clearTimeout(timer));
    return { threaded };
  } catch (error) {
    return { why: 'failed', error: String(error?.message || error) };
  }
}

async function start(request) {
  if (request.threads > 1) {
    const { threaded, why, error } = await startThreads(request.threads);
    if (threaded) {
      Scope = threaded.Scope;
      return self.postMessage({ id: request.id, threads: request.threads });
    }
    await init({ module_or_path: request.module });
    return self.postMessage({ id: request.id, threads: 1, why, error });
  }
  await init({ module_or_path: request.module });
  return self.postMessage({ id: request.id, threads: 1, why: request.why });
}

function frame(id, { layer, decision, extent }, extra = {}) {
  const started = performance.now();
  if (decision) scope.setDecisionExtent(extent ?? undefined);
  const bytes = scope.frame(layer, decision);
  const reply = { id, bytes, frameMs: performance.now() - started, ...extra };
  self.postMessage(reply, [bytes.buffer]);
}

function handle(request) {
  const { id, type } = request;
  if (type === 'init') return start(request);
  if (type === 'build') {
    const fresh = new Scope(request.query);
    scope?.free();
    scope = fresh;
    return frame(id, request, { taken: 0, stepMs: 0 });
  }
  if (!scope) throw new Error('the worker has no network yet');
  if (type === 'step') {
    const started = performance.now();
    const taken = scope.step(request.n);
    const stepMs = performance.now() - started;
    // Quiet: no frame (its probe pass costs about a step), only whether training diverged.
    if (request.quiet) return self.postMessage({ id, taken, stepMs, diverged: scope.diverged() ?? null });
    return frame(id, request, { taken, stepMs });
  }
  if (type === 'mode') {
    scope.setMode(request.mode); // the network stays: only the probe pass changes
    return frame(id, request, { taken: 0, stepMs: 0 });
  }
  if (type === 'frame') return frame(id, request, { taken: 0, stepMs: 0 });
  if (type === 'snapshot') return self.postMessage({ id, json: scope.snapshotJson() });
  if (type === 'torch') {
    // A refusal (e.g. a state torch rejects) is an answer, not a worker failure.
    try {
      return self.postMessage({ id, text: scope.torchScript() });
    } catch (error) {
      return self.postMessage({ id, refused: error?.message || String(error) });
    }
  }
  throw new Error(`unknown request '${type}'`);
}

// The page posts the next request only after this one's reply (engine-worker.js), so
// an asynchronous `init` never overlaps a `build`.
self.onmessage = async ({ data }) => {
  try {
    await handle(data);
  } catch (error) {
    self.postMessage({ id: data.id, error: error?.message || String(error) });
  }
};
