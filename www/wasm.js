// The one wasm module every figure on a page shares.
//
// `load()` starts the module once (later calls get the same promise) and
// resolves to the module's exports plus the parsed config schema and chart
// kinds, so no other file parses them again:
//
//   const ns = await load();
//   new ns.Scope('depth=8'); ns.schema[0].label === 'Depth'; ns.kinds[0] === 'activations'
//
// `wasmUrl` may point elsewhere (a course page that serves `pkg/` from its own
// folder); by default wasm-bindgen's loader finds `normscope_bg.wasm` next to
// `normscope.js`.

import init, { Scope, chartKinds, configSchema, normalizeQuery, version } from '../pkg/normscope.js';

let started = null;

/** Loads the wasm module once; resolves to { Scope, normalizeQuery, schema, kinds, version }. */
export function load(wasmUrl) {
  if (!started) {
    // The single file (`cargo xtask dist` -> dist/normscope.html) carries the
    // wasm as base64 in this global: decode it and start from the bytes, no fetch.
    const inlined = globalThis.NORMSCOPE_WASM_BASE64;
    const source = inlined ? Uint8Array.from(atob(inlined), (c) => c.charCodeAt(0)) : wasmUrl;
    started = init(source ? { module_or_path: source } : undefined).then(() => ({
      Scope,
      normalizeQuery,
      schema: JSON.parse(configSchema()),
      kinds: JSON.parse(chartKinds()),
      version: version(),
    }));
    // A failed start may be retried (e.g. after the network comes back).
    started.catch(() => {
      started = null;
    });
  }
  return started;
}

/** The text of an error thrown by wasm or JS, without a stack. */
export function message(error) {
  if (error && typeof error.message === 'string') return error.message;
  return String(error);
}
