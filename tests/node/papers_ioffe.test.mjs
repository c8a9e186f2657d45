// The Ioffe & Szegedy Figure 1 preset's numbers (www/presets.js) on the wasm
// build the page runs: 2000 steps at lr 0.5 could amplify the last bits in
// which the wasm kernels' float order differs from a native build, so the
// ranges tests/papers_ioffe.rs checks natively are checked here too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const pkg = await import(new URL('pkg/normscope.js', root));
pkg.initSync({ module: readFileSync(fileURLToPath(new URL('pkg/normscope_bg.wasm', root))) });

const QUERY = 'depth=3&width=100&activation=sigmoid&batch=60&dataset=gaussian&lr=0.5';

/** Layer 3's h [16th, 50th, 84th] percentiles at steps 1, 200 and 2000, and the held-out accuracy. */
function bands(norm, seed) {
  const scope = new pkg.Scope(`${QUERY}&norm=${norm}&seed=${seed}`);
  const at = [];
  for (const [take, step] of [[1, 1], [199, 200], [1800, 2000]]) {
    assert.equal(scope.step(take), take);
    const { timeline } = scope.history();
    assert.equal(timeline.steps.at(-1), step);
    const band = timeline.bands[2][1].at(-1);
    at.push([band[2], band[4], band[6]]);
  }
  const accuracy = scope.stats().test.accuracy;
  scope.free();
  return { at, accuracy };
}

/** Whether `v` rounds (to two decimals) into lo..=hi. */
const within = (v, lo, hi) => Math.round(v * 100) / 100 >= lo - 1e-6 && Math.round(v * 100) / 100 <= hi + 1e-6;

test('Ioffe & Szegedy Figure 1: without BatchNorm the band collapses, then spreads', () => {
  for (let seed = 1; seed <= 8; seed++) {
    const { at: [first, early, last], accuracy } = bands('none', seed);
    const why = `seed ${seed}: ${JSON.stringify([first, early, last])}`;
    assert.ok(within(first[1], 0.49, 0.52), why);
    assert.ok(within(early[1], 0.15, 0.17), why);
    assert.ok(within(early[0], 0.13, 0.19) && within(early[2], 0.13, 0.19), why);
    assert.ok(within(last[1], 0.16, 0.18), why);
    assert.ok(within(last[2], 0.46, 0.55), why);
    assert.ok(within(accuracy, 0.9, 0.97), `${why}: accuracy ${accuracy}`);
  }
});

test('Ioffe & Szegedy Figure 1: with BatchNorm the band stays put', () => {
  for (let seed = 1; seed <= 8; seed++) {
    const { at, accuracy } = bands('batch', seed);
    for (const [p16, median, p84] of at) {
      const why = `seed ${seed}: ${JSON.stringify(at)}`;
      assert.ok(within(median, 0.46, 0.5), why);
      assert.ok(within(p16, 0.2, 0.27), why);
      assert.ok(within(p84, 0.73, 0.76), why);
    }
    assert.ok(within(accuracy, 0.9, 0.97), `seed ${seed}: accuracy ${accuracy}`);
  }
});
