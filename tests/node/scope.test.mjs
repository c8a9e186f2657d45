// The wasm package in Node: the same `Scope` class a page uses, loaded from
// pkg/ with initSync (no fetch, no DOM). Run by `cargo xtask test` after the
// wasm build: `node --test tests/node/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const pkg = await import(new URL('pkg/normscope.js', root));
pkg.initSync({ module: readFileSync(fileURLToPath(new URL('pkg/normscope_bg.wasm', root))) });
const { Scope, configSchema, normalizeQuery, version } = pkg;

test('a Scope trains and reports stats in Node', () => {
  const scope = new Scope('depth=3&width=16&norm=layer&batch=8');
  assert.equal(scope.steps, 0);
  assert.equal(scope.step(5), 5);
  assert.equal(scope.steps, 5);
  const stats = scope.stats();
  assert.equal(stats.step, 5);
  assert.equal(stats.layers.length, 3);
  assert.ok(stats.loss > 0 && Number.isFinite(stats.loss));
  assert.equal(stats.layers[0].out.count, 8 * 16);
  scope.free();
});

test('a plain object config works like a query string', () => {
  const a = new Scope({ depth: 2, width: 8, norm: 'batch', eps: 0.001, affine: false });
  const b = new Scope('depth=2&width=8&norm=batch&eps=0.001&affine=false');
  assert.equal(a.query(), b.query());
  a.step(3);
  b.step(3);
  assert.equal(a.snapshotJson(), b.snapshotJson());
  assert.deepEqual(a.config().norm, 'batch');
});

test('torchScript() writes the Python file, or throws naming the key', () => {
  const scope = new Scope('depth=2&width=4&batch=3&optimizer=momentum');
  scope.step(2);
  const script = scope.torchScript();
  assert.match(script, /^#!\/usr\/bin\/env python3\n/);
  assert.match(script, /^STEP = 2 /m);
  assert.match(script, /^    "optim:blocks\.1\.linear\.weight:momentum_buffer": \(\(4, 4\), "f", "/m);
  const refused = new Scope('depth=2&width=4&norm=batch&batch=1');
  refused.step(1);
  assert.throws(() => refused.torchScript(), /invalid value "1" for 'batch': allowed at least 2/);
  assert.equal(refused.steps, 1);
  scope.free();
  refused.free();
});

test('the snapshot has the documented format', () => {
  const scope = new Scope('depth=2&width=4&batch=3');
  const snap = scope.snapshot();
  assert.equal(snap.format, 'normscope-snapshot/1');
  assert.equal(snap.layers.length, 2);
  assert.equal(snap.layers[0].weight.length, 4);
  assert.equal(snap.layers[0].weight[0].length, 2);
  assert.equal(snap.head.weight.length, 2);
  assert.equal(snap.batch.y.length, 3);
  const csv = scope.statsCsv().trim().split('\n');
  assert.equal(csv.length, 3);
  assert.ok(csv[0].startsWith('layer,'));
});

test('the collapse measures reach stats(), the CSV and the snapshot', () => {
  // The vanishing-signal config at step 0 (native: tests/collapse.rs).
  const scope = new Scope('depth=20&activation=tanh&init=torch_default&seed=1');
  const layers = scope.stats().layers;
  const [first, last] = [layers[0], layers[19]];
  assert.ok(last.sample_spread < 1e-4 * first.sample_spread, `${last.sample_spread} vs ${first.sample_spread}`);
  assert.ok(last.sample_cosine > 0.999 && first.sample_cosine < 0.99, `${first.sample_cosine}, ${last.sample_cosine}`);
  const [header, ...rows] = scope.statsCsv().trim().split('\n').map((r) => r.split(','));
  const [spread, cosine] = ['sample_spread', 'sample_cosine'].map((c) => header.indexOf(c));
  assert.ok(spread > 0 && cosine > 0, header.join(','));
  rows.forEach((row, l) => {
    assert.equal(Math.fround(Number(row[spread])), Math.fround(layers[l].sample_spread));
    assert.equal(Math.fround(Number(row[cosine])), Math.fround(layers[l].sample_cosine));
  });
  assert.equal(scope.snapshot().stats.layers[19].sample_cosine, last.sample_cosine);
  // Batch 1 has no spread across samples: null in JSON, empty in the CSV.
  const single = new Scope('depth=2&width=4&batch=1');
  assert.equal(single.stats().layers[0].sample_spread, null);
  assert.equal(single.stats().layers[0].sample_cosine, null);
  assert.deepEqual(single.statsCsv().split('\n')[1].split(',').slice(spread, cosine + 1), ['', '']);
  scope.free();
  single.free();
});

test('bad configs throw an Error naming the key and what is allowed', () => {
  assert.throws(() => new Scope('depth=0'), (e) => e instanceof Error && /'depth'/.test(e.message) && /1\.\.=64/.test(e.message));
  assert.throws(() => new Scope('norm=batchnorm'), /one of none, batch, layer, rms, group/);
  assert.throws(() => new Scope({ eps: -1 }), /'eps'/);
  assert.throws(() => new Scope('bogus=1'), /unknown key 'bogus'/);
  assert.throws(() => new Scope({ depth: [1] }), /'depth'/);
});

test('normalizeQuery keeps defaults for bad keys and lists the errors', () => {
  const result = normalizeQuery('depth=99&norm=layer');
  assert.equal(result.errors.length, 1);
  assert.match(result.errors[0].message, /'depth'/);
  assert.equal(result.errors[0].code, 'invalid_int');
  assert.match(result.query, /depth=8&/);
  assert.match(result.query, /norm=layer/);
  const schema = JSON.parse(configSchema());
  assert.equal(schema.find((k) => k.name === 'width').max, 512);
  assert.match(version(), /^\d+\.\d+\.\d+$/);
});

test('divergence is reported with the step and the layer', () => {
  const scope = new Scope('activation=linear&init=normal&scale=100&depth=64&width=32');
  assert.equal(scope.diverged(), undefined);
  assert.equal(scope.step(10), 1);
  assert.match(scope.diverged(), /^diverged at step 1 in layer \d+$/);
  assert.ok(scope.stats().nonfinite > 0);
});

// The wasm build agrees with native to float rounding: rebuild every committed
// native snapshot (tests/fixtures/net, written by examples/snapshots.rs) in wasm
// and compare every parameter. Same seeds and the same f32 arithmetic, so the
// only differences are libm's last-bit rounding (exp, tanh, erf) between wasm
// and the host, compounded over up to 5 training steps (8e-6 at worst, measured);
// 1e-4 of each tensor's scale stays above that and far below any real
// disagreement (another eps, init or formula moves parameters by 1e-2 or more).
test('wasm agrees with native on every committed snapshot', async () => {
  const { readdirSync } = await import('node:fs');
  const dir = fileURLToPath(new URL('tests/fixtures/net/snapshots/', root));
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 20, `found ${files.length} snapshots`);
  let worst = 0;
  for (const file of files) {
    const native = JSON.parse(readFileSync(dir + file, 'utf8'));
    const query = Object.entries(native.config).map(([k, v]) => `${k}=${v}`).join('&');
    const scope = new Scope(query);
    scope.step(native.step);
    const wasm = scope.snapshot();
    const tensors = (s) => [
      ...s.layers.flatMap((l) => [l.weight.flat(), l.bias, l.gamma, l.beta, l.running_mean, l.running_var]),
      s.head.weight.flat(), s.head.bias,
    ].filter(Boolean);
    const [a, b] = [tensors(wasm), tensors(native)];
    assert.equal(a.length, b.length, file);
    a.forEach((tensor, t) => {
      // Floor 1e-2: a Linear bias in front of BatchNorm gets an exactly-zero
      // gradient in theory and keeps only ~1e-9 of rounding noise.
      const scale = Math.max(1e-2, ...b[t].map(Math.abs));
      tensor.forEach((v, i) => {
        const error = Math.abs(v - b[t][i]) / scale;
        worst = Math.max(worst, error);
        assert.ok(error <= 1e-4, `${file}: tensor ${t}[${i}] wasm ${v} vs native ${b[t][i]}`);
      });
    });
    scope.free();
  }
  console.log(`wasm vs native: worst relative difference ${worst.toExponential(2)} over ${files.length} snapshots`);
});

test('history() holds loss, accuracy and per-layer update ratios', () => {
  const scope = new Scope('depth=3&width=8&batch=8');
  assert.deepEqual(scope.history().steps, []);
  scope.step(20);
  const history = scope.history();
  assert.equal(history.steps.length, 20);
  assert.equal(history.loss.length, 20);
  assert.equal(history.accuracy.length, 20);
  assert.equal(history.update_ratio.length, 3);
  assert.ok(history.update_ratio[0].every((r) => r > 0));
  scope.free();
});
