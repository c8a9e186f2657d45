// The memory estimate (src/core/memory.rs, `checkQuery(query).memoryBytes`)
// against what the wasm really takes: each config gets a fresh instance of
// the module (its own WebAssembly.Memory), and the memory's growth while a
// Scope is built, trains and makes a frame (with a layer's matrix and the
// decision regions) must be within 20% of the estimate. S, M and L are the
// bench's configs (www/bench-configs.json, M shown in mode=eval, whose second
// buffer set the estimate counts), then a big one near the 1 GiB budget;
// the largest config with LayerNorm is refused before anything grows. Run by
// `cargo xtask test` after the wasm build: `node --test tests/node/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const module = new WebAssembly.Module(readFileSync(fileURLToPath(new URL('pkg/normscope_bg.wasm', root))));
let instances = 0;

/** A fresh instance of the package: its glue and its own memory. */
async function fresh() {
  instances += 1;
  const glue = await import(new URL(`pkg/normscope.js?instance=${instances}`, root));
  const exports = glue.initSync({ module });
  return { glue, memory: exports.memory };
}

const CONFIGS = [
  'depth=8&width=64&batch=64&activation=tanh&norm=layer',
  'depth=16&width=128&batch=128&activation=relu&init=kaiming_normal&norm=batch&mode=eval&optimizer=adam&dataset=gaussian',
  'depth=64&width=256&batch=256&activation=gelu&norm=layer&residual=pre&optimizer=adam&dataset=gaussian',
  'depth=24&width=512&batch=1024&norm=batch',
  // Without a norm a plain block keeps only a, h, dL/dh and dL/da (src/core/buffers.rs, Uses).
  'depth=16&width=256&batch=512&activation=relu',
];

for (const query of CONFIGS) {
  test(`the memory estimate is within 20% of the wasm memory's growth: ${query}`, { timeout: 300_000 }, async () => {
    const { glue, memory } = await fresh();
    const estimate = glue.checkQuery(query).memoryBytes;
    const before = memory.buffer.byteLength;
    const scope = new glue.Scope(query);
    scope.step(3);
    assert.ok(scope.frame(1, true).length > 0);
    const grown = memory.buffer.byteLength - before;
    scope.free();
    const ratio = estimate / grown;
    console.log(`${query}: estimate ${(estimate / 2 ** 20).toFixed(1)} MiB, wasm memory grew ${(grown / 2 ** 20).toFixed(1)} MiB (${ratio.toFixed(2)})`);
    assert.ok(ratio > 0.8 && ratio < 1.2, `estimate ${estimate} B, grown ${grown} B`);
  });
}

test('the largest config fits the budget without a norm; with LayerNorm it is refused before anything is built', async () => {
  const { glue, memory } = await fresh();
  const before = memory.buffer.byteLength;
  // A plain block without a norm keeps only a, h and dL/dh, dL/da (src/core/buffers.rs, Uses).
  assert.ok(glue.checkQuery('depth=64&width=512&batch=1024').memoryBytes < 2 ** 30);
  const query = 'depth=64&width=512&batch=1024&norm=layer';
  assert.throws(() => glue.checkQuery(query), /needs about \d+ MiB of memory, more than the 1024 MiB allowed; lower one of depth, width, batch/);
  assert.throws(() => new glue.Scope(query), /more than the 1024 MiB allowed/);
  assert.ok(memory.buffer.byteLength - before < 2 ** 20, 'nothing was built');
});
