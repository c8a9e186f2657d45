// `cargo xtask bench --threads`, loaded by threads-bench.html: for each config
// of bench-configs.json, steps per second of Scope.step in a Web Worker
// (threads-bench-worker.js) on the single-threaded build and on the threaded
// build with navigator.hardwareConcurrency threads, in ROUNDS rounds that
// alternate the two builds (each in a fresh worker), so that a slow spell of a
// shared machine falls on both. Publishes one result per config, build and
// round as {name, peer: "one-thread" | "threads", round, steps_per_s, threads}
// in #results and window.benchResults (or window.benchError).

import { report } from './bench-timing.js';

const status = document.getElementById('status');
/** Rounds per config (`?rounds=N` to change): on the 2-core test machine
 * single rounds at L gave 1.06x to 1.88x within minutes (2026-12-04), so one
 * round says little. */
const ROUNDS = Number(new URLSearchParams(location.search).get('rounds')) || 3;
const resultsOut = document.getElementById('results');

/** Runs one config in a fresh worker; resolves to its reply. */
function timeInWorker(query, threads, minSeconds) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./threads-bench-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      worker.terminate();
      if (data.error) reject(new Error(data.error));
      else resolve(data);
    };
    worker.onerror = (event) => reject(new Error(event.message || 'the worker failed to load'));
    worker.postMessage({ query, threads, minSeconds });
  });
}

async function main() {
  if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated: serve it with `cargo xtask serve`');
  const cores = navigator.hardwareConcurrency || 1;
  const file = await (await fetch('./bench-configs.json')).json();
  const only = new URLSearchParams(location.search).get('config');
  const results = [];
  for (const { name, query } of file.configs) {
    if (only && only !== name) continue;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [peer, threads] of [['one-thread', 1], ['threads', cores]]) {
        status.textContent = `Running ${name} on ${threads} thread(s), round ${round} of ${ROUNDS}…`;
        const { steps, seconds } = await timeInWorker(query, threads, file.min_seconds);
        const result = { name, peer, round, threads, steps_per_s: steps / seconds };
        console.log(`threads: ${name} on ${threads} thread(s), round ${round}: ${steps} steps in ${seconds.toFixed(2)} s`);
        results.push(result);
        resultsOut.textContent += `${JSON.stringify(result)}\n`;
      }
    }
  }
  return { results, done: `Done (${cores} cores).` };
}

report(main, status);
