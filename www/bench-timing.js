// What every benchmark page shares (bench.js, peer-bench.js, threads-bench.js
// and its worker): the timing loop (a warm-up, then steps in growing chunks
// until `minMs` have passed, so that a slow config takes few calls and a fast
// one is not dominated by call overhead), and how a page reports its end.

const WARM_UP_MS = 300;
const CALL_TARGET_MS = 20;

/** Steps taken by scope.step(n), refusing to spin if training stopped. */
export function advance(scope, n) {
  const taken = scope.step(n);
  if (!taken) throw new Error('step() took no steps (training paused on non-finite values?)');
  return taken;
}

/** `step(n)` returns the steps it took; resolves to {steps, seconds}. */
export function timeSteps(step, minMs) {
  const warmUp = performance.now();
  while (performance.now() - warmUp < WARM_UP_MS) step(1);
  const start = performance.now();
  let steps = 0, chunk = 1;
  while (performance.now() - start < minMs) {
    const call = performance.now();
    steps += step(chunk);
    if (performance.now() - call < CALL_TARGET_MS) chunk *= 2;
  }
  return { steps, seconds: (performance.now() - start) / 1000 };
}

/**
 * Runs a benchmark page's `main()`, which resolves to {results, done} (the
 * status line's last text), and reports the way tests/e2e/bench*.mjs read it:
 * window.benchResults or window.benchError, <html data-state> ready or error.
 */
export function report(main, status) {
  main().then(
    ({ results, done }) => {
      window.benchResults = results;
      status.textContent = done;
      document.documentElement.dataset.state = 'ready';
    },
    (error) => {
      window.benchError = String(error?.message || error);
      status.textContent = `Benchmark failed: ${window.benchError}`;
      document.documentElement.dataset.state = 'error';
      console.error(error);
    },
  );
}
