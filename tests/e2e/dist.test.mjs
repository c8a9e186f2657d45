// End-to-end tests of what `cargo xtask dist` writes and of embedding safety:
//
// - dist/normscope.html opened from file:// with every network request refused
//   renders non-blank charts, logs no error and makes no request but for itself;
// - the same file served over http under the CSP that `dist` prints (dist/csp.txt),
//   which checks the printed script and style hashes in a real browser;
// - index.html, and a course page that mounts a figure (pages/strict-csp.html),
//   under the strict policy `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'`
//   with no CSP violation;
// - the figure in <iframe sandbox="allow-scripts">, from the site and from the
//   single file;
// - dist/site/ served as a static site works and holds no test or bench pages;
// - a depth 64 x width 256 network trains in the single file's worker (a classic
//   script started from a blob URL) from file://, as it does in the site's, and
//   a big network does so in the sandboxed iframe and under the printed CSP;
//   the two rates are printed side by side, not asserted.
//
// Every page also reports `securitypolicyviolation` events as console errors,
// so browser.mjs's problem list catches a violation whichever way it shows.
// `cargo xtask test` runs `cargo xtask dist` first; the first test fails if the
// single file's wasm is not pkg/'s or a page file changed after it was written.
//
// Run: cargo xtask dist && NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/dist.test.mjs

import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { baseUrl, launch, openPage, waitForReady } from './browser.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SINGLE = join(ROOT, 'dist', 'normscope.html');
const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
const EMBED = 'embed=1&depth=6&charts=activations,gradients&controls=norm';
const TIMEOUT = { timeout: 180_000 };
/** A network whose step costs more than WORKER_FLOPS (www/engine.js): it trains in a worker. */
const BIG_EMBED = EMBED.replace('depth=6', 'depth=20&width=128');

/** Runs in every frame before its scripts: CSP violations become console errors. */
function reportViolations() {
  document.addEventListener('securitypolicyviolation', (event) => {
    const where = event.sourceFile ? ` at ${event.sourceFile}:${event.lineNumber}` : '';
    console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || 'inline'}${where}`);
  });
}

/** A fresh browser whose pages report CSP violations; closed afterwards. */
async function withContext(body) {
  const browser = await launch();
  try {
    await browser.context.addInitScript(reportViolations);
    return await body(browser.context);
  } finally {
    await browser.close();
  }
}

/** Adds response headers to what the server sends for URLs matching `matcher`. */
function addHeaders(context, matcher, headers) {
  return context.route(matcher, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), ...headers } });
  });
}

/** Opens `url`, waits for data-state="ready" in `frameOf(page)`, runs `body`, fails on problems. */
async function check(context, url, body, frameOf = (page) => page.mainFrame()) {
  const { page, assertNoProblems } = await openPage(context, url);
  let frame = frameOf(page);
  for (let i = 0; !frame && i < 100; i++) {
    await page.waitForTimeout(100);
    frame = frameOf(page);
  }
  assert.ok(frame, `${url}: the frame to test never appeared`);
  await waitForReady(frame, { timeout: 60_000 });
  await body(frame, page);
  assertNoProblems();
}

/** Waits for the first frame of a figure and asserts that it came from a worker, which then takes a step. */
async function assertTrainsInWorker(frame) {
  await frame.waitForFunction(() => !document.querySelector('.figure.building'), null, { timeout: 60_000 });
  assert.equal(await frame.evaluate(() => window.normscope.figure.perf().engine), 'worker');
  assert.deepEqual(await frame.locator('.notice').allInnerTexts(), [], 'a notice appeared');
  await frame.evaluate(() => window.normscope.figure.step());
  await frame.waitForFunction(() => window.normscope.figure.steps === 1, null, { timeout: 60_000 });
  await assertChartsPainted(frame, ['activations', 'gradients']);
}

/** Asserts that each listed chart's canvas is painted: many colours, not one fill. */
async function assertChartsPainted(frame, kinds) {
  const found = await frame.evaluate((list) => {
    return list.map((kind) => {
      const canvas = document.querySelector(`.chart-${kind} canvas`);
      if (!canvas || canvas.width === 0) return { kind, colours: 0, inked: 0 };
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      const colours = new Set();
      let inked = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (colours.size < 256) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) inked += 1;
      }
      return { kind, colours: colours.size, inked: inked / (data.length / 4) };
    });
  }, kinds);
  for (const { kind, colours, inked } of found) {
    assert.ok(colours >= 16 && inked > 0.05, `chart ${kind} looks blank: ${colours} colours, ${(inked * 100).toFixed(1)}% inked`);
  }
}

test('dist/normscope.html is fresh: the wasm of pkg/, the page files as they are', async () => {
  const built = await stat(SINGLE).catch(() => null);
  assert.ok(built, 'dist/normscope.html is missing: run `cargo xtask dist`');
  const stale = 'run `cargo xtask dist` (`cargo xtask test` does it before the e2e tests)';
  const inlined = /globalThis\.NORMSCOPE_WASM_BASE64 = "([A-Za-z0-9+/=]+)";/.exec(await readFile(SINGLE, 'utf8'));
  assert.ok(inlined, 'dist/normscope.html carries no NORMSCOPE_WASM_BASE64');
  const wasm = await readFile(join(ROOT, 'pkg', 'normscope_bg.wasm'));
  assert.ok(Buffer.from(inlined[1], 'base64').equals(wasm), `the inlined wasm is not pkg/normscope_bg.wasm: ${stale}`);
  const www = (await readdir(join(ROOT, 'www'))).filter((name) => /\.(js|css)$/.test(name)).map((name) => `www/${name}`);
  for (const source of ['index.html', ...www]) {
    const { mtimeMs } = await stat(join(ROOT, source));
    assert.ok(mtimeMs <= built.mtimeMs, `${source} changed after dist/normscope.html was written: ${stale}`);
  }
});

test('dist/normscope.html works from file:// with every request refused', TIMEOUT, async () => {
  const file = pathToFileURL(SINGLE).href;
  for (const query of ['', `?${EMBED}`]) {
    await withContext(async (context) => {
      const requests = [];
      context.on('request', (request) => requests.push(request.url()));
      await context.route('**/*', (route) =>
        route.request().url().startsWith(file) ? route.continue() : route.abort('blockedbyclient'),
      );
      await context.setOffline(true);
      await check(context, file + query, async (frame, page) => {
        await assertChartsPainted(frame, ['activations', 'gradients']);
        // Train for a moment: nothing after load may reach for the network either.
        await page.evaluate(() => window.normscope.figure.play());
        await page.waitForTimeout(1500);
        await page.evaluate(() => window.normscope.figure.pause());
        assert.ok((await page.evaluate(() => window.normscope.figure.steps)) > 0, 'Play did not train');
        if (query) {
          const config = await page.evaluate(() => window.normscope.figure.config());
          assert.equal(config.depth, 6, 'the URL parameters were not applied');
        }
      });
      const others = requests.filter((url) => !url.startsWith(file) && !url.startsWith('data:'));
      assert.deepEqual(others, [], `requests besides the file itself (query "${query}")`);
    });
  }
});

test('dist/normscope.html served under the CSP that dist prints', TIMEOUT, async () => {
  const csp = (await readFile(join(ROOT, 'dist', 'csp.txt'), 'utf8')).trim();
  assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/]+=*' 'wasm-unsafe-eval'/);
  await withContext(async (context) => {
    await addHeaders(context, '**/dist/normscope.html*', { 'content-security-policy': csp });
    await check(context, `dist/normscope.html?${EMBED}`, (frame) => assertChartsPainted(frame, ['activations', 'gradients']));
    // A big network: the worker from a blob URL is what `worker-src blob:` allows.
    await check(context, `dist/normscope.html?${BIG_EMBED}`, (frame) => assertTrainsInWorker(frame));
  });
});

test('index.html under the strict CSP: no violation, charts drawn', TIMEOUT, async () => {
  await withContext(async (context) => {
    await addHeaders(context, '**/index.html*', { 'content-security-policy': STRICT_CSP });
    await check(context, 'index.html', (frame) => assertChartsPainted(frame, ['activations', 'gradients']));
  });
});

test('a course page mounting a figure under the strict CSP', TIMEOUT, async () => {
  await withContext(async (context) => {
    await addHeaders(context, '**/pages/strict-csp.html*', { 'content-security-policy': STRICT_CSP });
    await check(context, 'tests/e2e/pages/strict-csp.html', async (frame) => {
      await assertChartsPainted(frame, ['activations', 'gradients']);
      assert.equal(await frame.evaluate(() => window.normscope.figure.config().norm), 'layer');
    });
  });
});

const childFrame = (page) => page.frames().find((frame) => frame !== page.mainFrame() && frame.url() !== 'about:blank');

test('the figure in <iframe sandbox="allow-scripts"> from the site', TIMEOUT, async () => {
  await withContext(async (context) => {
    // A sandboxed frame has an opaque origin, so its module scripts and the wasm
    // are cross-origin requests: the host must allow them with CORS, as GitHub
    // Pages does (`Access-Control-Allow-Origin: *`). xtask serve does not, so the
    // test adds the header for the frame's requests.
    const site = new URL(baseUrl());
    await context.route(
      (url) => url.origin === site.origin && !url.pathname.includes('/tests/e2e/pages/'),
      async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, headers: { ...response.headers(), 'access-control-allow-origin': '*' } });
      },
    );
    const src = encodeURIComponent(`../../../index.html?${EMBED}`);
    await check(context, `tests/e2e/pages/sandboxed.html?src=${src}`, async (frame) => {
      assert.equal(await frame.evaluate(() => origin), 'null', 'the frame is not sandboxed');
      await assertChartsPainted(frame, ['activations', 'gradients']);
    }, childFrame);
    // A network big enough for a worker: an opaque origin may not start one,
    // so it trains in the frame, quietly.
    const big = encodeURIComponent(`../../../index.html?${EMBED.replace('depth=6', 'depth=20&width=128')}`);
    await check(context, `tests/e2e/pages/sandboxed.html?src=${big}`, async (frame) => {
      assert.equal(await frame.evaluate(() => window.normscope.figure.perf().engine), 'page');
      assert.deepEqual(await frame.locator('.notice').allInnerTexts(), []);
      await assertChartsPainted(frame, ['activations', 'gradients']);
    }, childFrame);
  });
});

test('the single file in <iframe sandbox="allow-scripts"> needs no CORS', TIMEOUT, async () => {
  await withContext(async (context) => {
    const src = encodeURIComponent(`../../../dist/normscope.html?${EMBED}`);
    await check(context, `tests/e2e/pages/sandboxed.html?src=${src}`, async (frame) => {
      assert.equal(await frame.evaluate(() => origin), 'null', 'the frame is not sandboxed');
      await assertChartsPainted(frame, ['activations', 'gradients']);
    }, childFrame);
    // Unlike the site's module worker, the single file's blob worker starts here.
    const big = encodeURIComponent(`../../../dist/normscope.html?${BIG_EMBED}`);
    await check(context, `tests/e2e/pages/sandboxed.html?src=${big}`, assertTrainsInWorker, childFrame);
  });
});

test('dist/site/ works as a static site and holds only what pages load', TIMEOUT, async () => {
  const files = [];
  const walk = async (dir, prefix) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else files.push(`${prefix}${entry.name}`);
    }
  };
  await walk(join(ROOT, 'dist', 'site'), '');
  const bundled = ['www/main.js', 'www/figure.js', 'www/worker.js', 'www/style.css', 'www/embed.css'];
  for (const needed of ['index.html', 'www/favicon.svg', 'pkg/normscope_bg.wasm', ...bundled]) {
    assert.ok(files.includes(needed), `dist/site/ lacks ${needed}`);
  }
  const unwanted = files.filter((f) => /node_modules|(^|\/)tests\/|bench|\.d\.ts$|package\.json$|\.rs$/.test(f));
  assert.deepEqual(unwanted, [], 'dist/site/ holds files no page loads');
  // Bundled: the page's modules and the wasm-bindgen glue are inside the bundles.
  for (const source of ['www/wasm.js', 'www/engine.js', 'www/engine-worker.js', 'pkg/normscope.js']) {
    assert.ok(!files.includes(source), `dist/site/ holds ${source}, which the bundles contain`);
  }
  const api = await import(pathToFileURL(join(ROOT, 'dist', 'site', 'www', 'figure.js')).href).catch((error) => error);
  assert.equal(typeof api.mount, 'function', `dist/site/www/figure.js does not export mount(): ${api.message || ''}`);
  await withContext((context) =>
    check(context, 'dist/site/index.html', (frame) => assertChartsPainted(frame, ['activations', 'gradients'])),
  );
});

/** Plays for 6 s in `frame` and returns the figure's perf() and the steps taken. */
async function playSixSeconds(frame) {
  await frame.waitForFunction(() => !document.querySelector('.figure.building'), null, { timeout: 60_000 });
  await frame.evaluate(() => window.normscope.figure.play());
  await frame.waitForTimeout(6000);
  const perf = await frame.evaluate(() => window.normscope.figure.perf());
  await frame.evaluate(() => window.normscope.figure.pause());
  await frame.waitForTimeout(1500); // a step on its way at Pause still lands
  return { perf, steps: await frame.evaluate(() => window.normscope.figure.steps) };
}

test("depth 64 x 256 trains in the single file's worker as in the site's (rates printed, not asserted)", TIMEOUT, async () => {
  const query = '?depth=64&width=256';
  const runs = [];
  for (const [name, url] of [
    ['dist/normscope.html from file://', pathToFileURL(SINGLE).href + query],
    ['dist/site/ over http', `dist/site/index.html${query}`],
  ]) {
    await withContext((context) =>
      check(context, url, async (frame) => {
        const { perf, steps } = await playSixSeconds(frame);
        assert.equal(perf.engine, 'worker', `${name}: trained on the page`);
        assert.match(await frame.locator('.status').innerText(), /training in a worker/);
        assert.ok(steps >= 2, `${name}: only ${steps} steps in 6 s`);
        assert.ok(perf.fps > perf.updates, `${name}: the page should draw more frames than the worker sends`);
        runs.push({ name, perf, steps });
      }),
    );
  }
  for (const { name, perf, steps } of runs) {
    console.log(`# depth 64 width 256, ${name}: ${steps} steps in 6 s of Play, ${perf.stepsPerSecond.toFixed(2)} steps/s, ` +
      `${perf.updates.toFixed(2)} chart updates/s, page ${perf.fps.toFixed(1)} frames/s; worker ${perf.workerStepMs.toFixed(0)} ms/step`);
  }
});
