// The wasm side of `cargo xtask bench`, loaded by bench.html: for each config of
// bench-configs.json, steps per second and GFLOP/s of Scope.step, and the mean
// milliseconds of Scope.frame after one step (what a Web Worker spends per
// chart update beside the steps), timed as examples/bench.rs does natively,
// and where a step's time goes (Scope.stepBreakdown, `core::profile`).

import init, { Scope } from '../pkg/normscope.js';

const WARM_UP_MS = 300;
const CALL_TARGET_MS = 20;
const status = document.getElementById('status');
const resultsOut = document.getElementById('results');

/** Steps taken by scope.step(n), refusing to spin if training stopped. */
function advance(scope, n) {
  const taken = scope.step(n);
  if (!taken) throw new Error('step() took no steps (training paused on non-finite values?)');
  return taken;
}

/** Warms up, then steps in growing chunks until minMs have passed. */
function timeSteps(scope, minMs) {
  const warmUp = performance.now();
  while (performance.now() - warmUp < WARM_UP_MS) advance(scope, 1);
  const start = performance.now();
  let steps = 0, chunk = 1;
  while (performance.now() - start < minMs) {
    const call = performance.now();
    steps += advance(scope, chunk);
    if (performance.now() - call < CALL_TARGET_MS) chunk *= 2;
  }
  return { steps, seconds: (performance.now() - start) / 1000 };
}

/** Mean ms of scope.frame(1, false) after one step each, over >= 3 frames and minMs / 2. */
function timeFrames(scope, minMs) {
  let spent = 0, frames = 0;
  while (frames < 3 || spent < minMs / 2) {
    advance(scope, 1);
    const start = performance.now();
    scope.frame(1, false);
    spent += performance.now() - start;
    frames += 1;
  }
  return spent / frames;
}

async function main() {
  await init();
  const file = await (await fetch('./bench-configs.json')).json();
  const only = new URLSearchParams(location.search).get('config');
  const results = [];
  for (const { name, query } of file.configs) {
    if (only && only !== name) continue;
    status.textContent = `Running ${name}…`;
    await new Promise((resolve) => setTimeout(resolve, 0)); // let the page paint
    const scope = new Scope(query);
    try {
      const { steps, seconds } = timeSteps(scope, file.min_seconds * 1000);
      const steps_per_s = steps / seconds;
      const gflops = scope.flopsPerStep() * steps_per_s / 1e9;
      const frame_ms = timeFrames(scope, file.min_seconds * 1000);
      const parts = JSON.parse(scope.stepBreakdown(file.min_seconds * 100));
      const result = { name, steps_per_s, gflops, frame_ms, ...parts };
      console.log(`bench: ${name}: ${steps} steps in ${seconds.toFixed(2)} s; a frame ${frame_ms.toFixed(2)} ms`);
      results.push(result);
      resultsOut.textContent += JSON.stringify(result) + '\n';
    } finally {
      scope.free();
    }
  }
  window.benchResults = results;
  status.textContent = 'Done.';
  document.documentElement.dataset.state = 'ready';
}

main().catch((error) => {
  window.benchError = String(error && error.message || error);
  status.textContent = `Benchmark failed: ${window.benchError}`;
  document.documentElement.dataset.state = 'error';
  console.error(error);
});
