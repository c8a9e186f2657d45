// `cargo xtask bench --threads`, loaded by threads-bench.html: for each config
// of bench-configs.json, steps per second of Scope.step in a Web Worker
// (threads-bench-worker.js) on the single-threaded build and on the threaded
// build with navigator.hardwareConcurrency threads. Publishes one result per
// config and build as {name, peer: "one-thread" | "threads", steps_per_s,
// threads} in #results and window.benchResults (or window.benchError).

import { report } from './bench-timing.js';

const status = document.getElementById('status');
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
    for (const [peer, threads] of [['one-thread', 1], ['threads', cores]]) {
      status.textContent = `Running ${name} on ${threads} thread(s)…`;
      const { steps, seconds } = await timeInWorker(query, threads, file.min_seconds);
      const result = { name, peer, threads, steps_per_s: steps / seconds };
      console.log(`threads: ${name} on ${threads} thread(s): ${steps} steps in ${seconds.toFixed(2)} s`);
      results.push(result);
      resultsOut.textContent += `${JSON.stringify(result)}\n`;
    }
  }
  return { results, done: `Done (${cores} cores).` };
}

report(main, status);
