// How a comparison should train in workers, measured (README, "Big comparisons"):
// two WorkerEngines (A, and B with LayerNorm) stepped in lockstep, one step
// each at a time, (1) both at once, as two workers do, against one after the
// other, as one worker holding both would; (2) rounds of 4 steps with a frame
// after every step against 3 quiet steps and a framed one (compare.js).
// Prints one JSON object of milliseconds per lockstep step. Not a test: speed
// is never asserted.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node tests/e2e/compare-bench.mjs

import { launch, openPage, waitForReady } from './browser.mjs';

const CONFIGS = ['depth=64&width=256', 'depth=24&width=128'];
const ROUNDS = 8;

const browser = await launch();
try {
  const { page } = await openPage(browser.context, 'index.html?depth=2');
  await waitForReady(page);
  const results = await page.evaluate(
    async ({ configs, rounds }) => {
      const { load } = await import(new URL('www/wasm.js', location.href).href);
      const { WorkerEngine } = await import(new URL('www/engine-worker.js', location.href).href);
      const ns = await load();
      const built = (query) =>
        new Promise((resolve) => {
          const engine = new WorkerEngine(ns, ns.checkQuery(query), { layer: () => 1, onFrame: (e, first) => first && resolve(e) });
        });
      const timed = async (body) => {
        const started = performance.now();
        for (let i = 0; i < rounds; i += 1) await body();
        return Math.round((performance.now() - started) / rounds);
      };
      const out = {};
      for (const query of configs) {
        const [a, b] = await Promise.all([built(query), built(`${query}&norm=layer`)]);
        const framed = (engine) => engine.step(1, { playing: true });
        out[query] = {
          twoWorkersAtOnce: await timed(() => Promise.all([framed(a), framed(b)])),
          oneAfterTheOther: await timed(async () => {
            await framed(a);
            await framed(b);
          }),
          everyStepFramed: (await timed(async () => {
            for (let i = 0; i < 4; i += 1) await Promise.all([framed(a), framed(b)]);
          })) / 4,
          quietThenFramed: (await timed(async () => {
            for (let i = 0; i < 3; i += 1) await Promise.all([a.stepQuietly(1), b.stepQuietly(1)]);
            await Promise.all([framed(a), framed(b)]);
          })) / 4,
          workerStepMs: Math.round(a.timing.stepMs),
          workerFrameMs: Math.round(a.timing.frameMs),
        };
        a.free();
        b.free();
      }
      return out;
    },
    { configs: CONFIGS, rounds: ROUNDS },
  );
  console.log(JSON.stringify(results, null, 1));
} finally {
  await browser.close();
}
