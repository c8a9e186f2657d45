// The status line's loss and accuracy, fed with what the wasm core computes
// (issue 8): a network whose logits are non-finite says "loss NaN (non-finite
// logits)" instead of a finite-looking number. Run by `cargo xtask test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const pkg = await import(new URL('pkg/normscope.js', root));
pkg.initSync({ module: readFileSync(fileURLToPath(new URL('pkg/normscope_bg.wasm', root))) });
const { statusText } = await import(new URL('www/status.js', root));

const idle = { steps: 0, perf: {}, playing: false, rebuildMs: 12, remote: false, ready: true };

function statusOf(query) {
  const scope = new pkg.Scope(query);
  const stats = scope.stats();
  const { batch } = scope.config();
  scope.free();
  return { stats, text: statusText({ ...idle, stats, batch }) };
}

test('the preset that overflows shows a NaN loss and says the logits are non-finite', () => {
  const { stats, text } = statusOf('depth=20&activation=relu&init=normal&scale=50&lr=10');
  assert.equal(stats.loss, 'NaN');
  assert.ok(stats.nonfinite_logits > 0, `${stats.nonfinite_logits} non-finite logits`);
  const percent = Math.round(stats.accuracy * 100);
  assert.match(text, /statistics of the first batch \(64 samples\): loss NaN \(non-finite logits\)/);
  assert.ok(text.includes(`accuracy ${percent}% (argmax of non-finite logits)`), text);
  assert.ok(text.includes(`${stats.nonfinite} non-finite values`), text);
  assert.doesNotMatch(text, /0\.693/);
});

test('finite logits show the loss as a number and nothing more', () => {
  const { stats, text } = statusOf('depth=3&width=8&batch=8');
  assert.equal(stats.nonfinite_logits, 0);
  assert.ok(Number.isFinite(stats.loss));
  assert.ok(text.includes(`loss ${stats.loss.toPrecision(3)} · accuracy ${Math.round(stats.accuracy * 100)}% ·`), text);
  assert.doesNotMatch(text, /non-finite/);
});

test('a worker says how many threads it trains on, or why one', () => {
  const worker = { ...idle, where: 'worker' };
  assert.match(statusText(worker), / · training in a worker$/);
  assert.match(statusText({ ...worker, threads: { count: 2, why: null } }), /training in a worker on 2 threads$/);
  const one = statusText({ ...worker, threads: { count: 1, why: 'not_isolated' } });
  assert.match(one, /training in a worker on one thread \(the page is not cross-origin isolated, see docs\/embedding\.md\)$/);
  const two = statusText({ ...worker, threads: { count: 1, why: 'two_cores' } });
  assert.match(two, /on one thread \(this device reports two cores, where two threads were no faster than one\)$/);
  const failed = statusText({ ...worker, threads: { count: 1, why: 'failed', error: 'no pool' } });
  assert.match(failed, /on one thread \(the threaded build did not start: no pool\)$/);
  assert.doesNotMatch(statusText({ ...idle, where: 'page', threads: { count: 2 } }), /thread/);
});

test('a batch of one is "1 sample", at step 0 and later', () => {
  const { stats, text } = statusOf('depth=3&width=8&batch=1');
  assert.match(text, /statistics of the first batch \(1 sample\): loss/);
  assert.match(statusText({ ...idle, steps: 4, stats, batch: 1 }), /statistics of the batch of step 4 \(1 sample\): loss/);
  assert.match(statusText({ ...idle, steps: 4, stats, batch: 2 }), /statistics of the batch of step 4 \(2 samples\): loss/);
});
