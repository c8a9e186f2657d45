// The wasm side of `cargo xtask bench`, loaded by bench.html: for each config of
// bench-configs.json, steps per second and GFLOP/s of Scope.step, and the mean
// milliseconds of Scope.frame after one step (what a Web Worker spends per
// chart update beside the steps), timed as examples/bench.rs does natively,
// and where a step's time goes (Scope.stepBreakdown, `core::profile`).

import init, { Scope } from '../pkg/normscope.js';
import { advance, report, timeSteps } from './bench-timing.js';

const status = document.getElementById('status');
const resultsOut = document.getElementById('results');

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
      const { steps, seconds } = timeSteps((n) => advance(scope, n), file.min_seconds * 1000);
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
  return { results, done: 'Done.' };
}

report(main, status);
