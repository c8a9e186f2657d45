// The Web Worker of one figure whose network is too big to train on the page
// (see engine-worker.js). It owns the figure's Scope; the page sends requests and gets
// back the bytes of a Frame, which it decodes and draws. Requests:
//
//   {id, type: 'init', module}            the page's compiled WebAssembly.Module
//   {id, type: 'build', query, layer, decision}   a new Scope -> frame
//   {id, type: 'step', n, layer, decision}        n training steps -> frame
//   {id, type: 'step', n, quiet: true}            n training steps -> {taken, stepMs, diverged}
//   {id, type: 'mode', mode, layer, decision}     BatchNorm's displayed pass -> frame
//   {id, type: 'frame', layer, decision}          the current state -> frame
//   {id, type: 'snapshot'}                -> {json}
//   {id, type: 'torch'}                   -> {text} or {refused}: the PyTorch script
//
// A frame carries the normalized matrix of `layer`, and the decision regions
// if `decision` (they cost up to a third of a step on deep networks).
// Every reply carries the request's id: {id, bytes, taken, stepMs, frameMs} or
// {id, error}. The page keeps one request in flight.

import init, { Scope } from '../pkg/normscope.js';

let scope = null;

function frame(id, { layer, decision }, extra = {}) {
  const started = performance.now();
  const bytes = scope.frame(layer, decision);
  const reply = { id, bytes, frameMs: performance.now() - started, ...extra };
  self.postMessage(reply, [bytes.buffer]);
}

function handle(request) {
  const { id, type } = request;
  if (type === 'init') return init({ module_or_path: request.module }).then(() => self.postMessage({ id }));
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
