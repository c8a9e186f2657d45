// Used by `cargo xtask build` to decide whether wasm-opt's output may replace
// the module wasm-bindgen wrote: some wasm-opt versions (Debian's 108 among
// them) rebind the exported externref table onto the funcref table and produce
// a module that validates but cannot start. This instantiates both modules with
// the generated glue in Node, runs a few steps of the default config on each,
// and fails unless both start and agree exactly.
//
// usage: node check_wasm.mjs pkg/normscope.js original.wasm optimized.wasm

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [gluePath, original, optimized] = process.argv.slice(2);

async function probe(label, wasmPath) {
  // A query string gives each probe its own instance of the glue module.
  const glue = await import(`${pathToFileURL(gluePath).href}?probe=${label}`);
  glue.initSync({ module: readFileSync(wasmPath) });
  if (typeof glue.Scope !== 'function') return 'started (no Scope export to run)';
  const scope = new glue.Scope('');
  scope.step(3);
  const stats = scope.stats();
  scope.free();
  return typeof stats === 'string' ? stats : JSON.stringify(stats);
}

async function main() {
  let expected;
  try {
    expected = await probe('original', original);
  } catch (error) {
    throw new Error(`the unoptimized module itself does not run in Node, so the check is moot: ${error.message}`);
  }
  const actual = await probe('optimized', optimized);
  if (actual !== expected) throw new Error('the optimized module computes different stats');
}

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
