// A comparison's page logic (www/compare-charts.js) fed with what the wasm core
// computes: the shared range is the union of A's and B's own chart ranges
// (symlog: with the larger threshold), and one hover line holds both sides'
// readings. Run by `cargo xtask test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const pkg = await import(new URL('pkg/normscope.js', root));
pkg.initSync({ module: readFileSync(fileURLToPath(new URL('pkg/normscope_bg.wasm', root))) });
const { mergeReadouts, unionRange } = await import(new URL('www/compare-charts.js', root));

const TANH = 'depth=20&activation=tanh&init=torch_default';

/** chartRange of `kind` with `options` for A (no norm) and B (LayerNorm) after 2 steps. */
function ranges(kind, options) {
  return [TANH, `${TANH}&norm=layer`].map((query) => {
    const scope = new pkg.Scope(query);
    scope.step(2);
    const range = [...scope.chartRange(kind, options)];
    const histogram = scope.stats().layers[0][kind === 'activations' ? 'out' : 'grad_symlog'];
    scope.free();
    return { range, histogram: histogram.histogram ?? histogram };
  });
}

test('the shared range is the union of both sides’ own ranges', () => {
  const [a, b] = ranges('activations', 'view=heatmap');
  assert.deepEqual(a.range, [a.histogram.lo, a.histogram.hi].map(Math.fround));
  assert.deepEqual(unionRange(a.range, b.range), [Math.min(a.range[0], b.range[0]), Math.max(a.range[1], b.range[1])]);
  assert.notDeepEqual(a.range, b.range, 'A and B have the same range: the union proves nothing');
  const [ga, gb] = ranges('gradients', 'scale=symlog');
  assert.equal(ga.range.length, 3);
  assert.equal(unionRange(ga.range, gb.range)[2], Math.max(ga.range[2], gb.range[2]));
  assert.deepEqual(unionRange(ga.range, []), ga.range, 'one side without a range: the other’s');
  assert.equal(unionRange([], []), null);
});

test('a chart without a value scale of its own has no range; a bad option is refused by name', () => {
  const scope = new pkg.Scope('depth=3');
  for (const kind of ['summary', 'training', 'decision']) assert.deepEqual([...scope.chartRange(kind, '')], []);
  assert.throws(() => scope.chartRange('activations', 'range=2,1'), /'range'/);
  assert.throws(() => scope.chartRange('nope', ''), /unknown chart 'nope'/);
  scope.free();
});

test('one hover line holds A’s and B’s readings, shared parts once', () => {
  assert.equal(
    mergeReadouts('layer 5 · h 0…0.1 · 3% of values · mean 0, std 0.4', 'layer 5 · h 0…0.1 · 9% of values · mean 0, std 0.9'),
    'layer 5 · h 0…0.1 · A: 3% of values; mean 0, std 0.4 · B: 9% of values; mean 0, std 0.9',
  );
  assert.equal(mergeReadouts('layer 2 · x 1', 'layer 2 · x 1'), 'layer 2 · x 1 (A and B)');
  assert.equal(mergeReadouts('layer 2 · x 1', ''), 'A: layer 2; x 1 · B: nothing here');
  assert.equal(mergeReadouts('', ''), '');
});
