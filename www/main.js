// The page's entry point (index.html). It starts the wasm's download at once
// and hands it to wasm.js's compile() in NORMSCOPE_WASM_FETCH, then loads
// wasm.js and page.js. From wasm.js, which imports the wasm-bindgen glue, the
// fetch would start only once wasm.js and the glue had arrived and run, and
// the browser often runs them only after its first layout of the page (100 to
// 150 ms of MathML and text on the test machine). Measured on the built site,
// fresh loads alternating with the code before: the fetch starts at a median
// 201 ms after navigation instead of 280 ms (24 loads each); the first chart
// comes at a median 1164 ms instead of 1283 ms over a 12 Mbit/s link with 40 ms
// latency (12 loads each), and at about the same time (567 against 573 ms)
// from localhost, where the download is not what the page waits for.
// So main.js imports nothing statically: nothing has to arrive before it runs.
// (A <link rel="preload" as="fetch"> would start the download earlier still,
// but Safari does not hand such a preload to fetch() and downloads the wasm
// twice; an inline script would break the page under a strict CSP.)
//
// The single file carries the wasm in NORMSCOPE_WASM_BASE64: nothing to fetch.
// page.js awaits wasm.js's load() and shows its failure.

if (!globalThis.NORMSCOPE_WASM_BASE64) {
  const url = new URL('../pkg/normscope_bg.wasm', import.meta.url).href;
  const response = fetch(url);
  response.catch(() => {}); // wasm.js reports a failure when it takes the response
  globalThis.NORMSCOPE_WASM_FETCH = { url, response };
}
import('./wasm.js').then(({ load }) => load()).catch(() => {});
import('./page.js');
