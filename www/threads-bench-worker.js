// The worker of threads-bench.js: loads the single-threaded build (threads = 1)
// or the threaded one with a pool of `threads`, then times Scope.step on
// `query` as bench.js does (a warm-up, then growing chunks for minSeconds) and
// replies {steps, seconds} or {error}.

import { advance, timeSteps } from './bench-timing.js';

async function load(threads) {
  if (threads === 1) {
    const single = await import('../pkg/normscope.js');
    await single.default();
    return single;
  }
  const threaded = await import('../pkg-threads/normscope.js');
  await threaded.default();
  await threaded.initThreadPool(threads);
  return threaded;
}

self.onmessage = async ({ data: { query, threads, minSeconds } }) => {
  try {
    const { Scope } = await load(threads);
    const scope = new Scope(query);
    const { steps, seconds } = timeSteps((n) => advance(scope, n), minSeconds * 1000);
    scope.free();
    self.postMessage({ steps, seconds });
  } catch (error) {
    self.postMessage({ error: String((error && error.message) || error) });
  }
};
