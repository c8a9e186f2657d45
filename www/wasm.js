// The one wasm module every figure on a page shares.
//
// `load()` starts the module once (later calls get the same promise) and
// resolves to the module's exports plus the parsed config schema and chart
// kinds, so no other file parses them again:
//
//   const ns = await load();
//   new ns.Scope('depth=8'); ns.schema[0].label === 'Depth'; ns.kinds[0] === 'activations'
//
// The page compiles the module itself (rather than leaving it to wasm-bindgen's
// loader) so that it can hand the compiled module to a figure's Web Worker.
//
// `wasmUrl` may point elsewhere (a course page that serves `pkg/` from its own
// folder); by default it is `pkg/normscope_bg.wasm` beside `www/`.

import init, { Frame, Scope, chartKinds, checkQuery, compareQuery, configSchema, normalizeQuery, version } from '../pkg/normscope.js';
import { describeOverlay, drawOverlay, isOverlaid } from '../pkg/normscope.js';

let started = null;

/**
 * Compiles the module at `url` (streaming when the server says
 * application/wasm). main.js starts the download of the default URL before
 * this module has loaded (NORMSCOPE_WASM_FETCH): it is taken from there, once
 * (a retry after a failure fetches again).
 */
async function compile(url) {
  const early = globalThis.NORMSCOPE_WASM_FETCH;
  globalThis.NORMSCOPE_WASM_FETCH = undefined;
  const response = await (early?.url === String(url) ? early.response : fetch(url));
  if (!response.ok) throw new Error(`failed to fetch ${url}: ${response.status} ${response.statusText}`);
  try {
    return await WebAssembly.compileStreaming(response.clone());
  } catch {
    return WebAssembly.compile(await response.arrayBuffer());
  }
}

/**
 * Loads the wasm module once; resolves to { Scope, Frame, checkQuery,
 * normalizeQuery, compareQuery, drawOverlay, describeOverlay, isOverlaid,
 * schema, kinds, version, module }. `module` is the compiled
 * WebAssembly.Module, which a figure's worker instantiates without a second
 * fetch (engine-worker.js).
 */
export function load(wasmUrl) {
  if (!started) {
    // The single file (`cargo xtask dist` -> dist/normscope.html) carries the
    // wasm as base64 in this global: compile it from the bytes, no fetch.
    const inlined = globalThis.NORMSCOPE_WASM_BASE64;
    const compiled = inlined
      ? WebAssembly.compile(Uint8Array.from(atob(inlined), (c) => c.charCodeAt(0)))
      : compile(wasmUrl || new URL('../pkg/normscope_bg.wasm', import.meta.url));
    started = compiled.then(async (module) => {
      await init({ module_or_path: module });
      return {
        Scope,
        Frame,
        checkQuery,
        normalizeQuery,
        compareQuery,
        drawOverlay, // a comparison's overlays (compare-charts.js)
        describeOverlay,
        isOverlaid,
        schema: JSON.parse(configSchema()),
        kinds: JSON.parse(chartKinds()),
        version: version(),
        module,
      };
    });
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
