// Smoke test: the page at the repository root loads, starts the wasm module and
// reaches data-state="ready" with no console errors, page errors or failed
// requests, having requested the wasm once (www/main.js starts the download,
// www/wasm.js takes it); a wasm that cannot be fetched (a 404, or a network
// error) gives the page's message with the reason and no uncaught error
// (page.js's load() may try the download again after main.js's failed). Run
// by `cargo xtask test` (or `cargo xtask test --e2e-only`).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launch, openPage, waitForReady } from './browser.mjs';

/** Opens index.html in a fresh browser, after `setUp(context)`; counts its .wasm requests. */
async function withIndex(setUp, body) {
  const browser = await launch();
  try {
    await setUp(browser.context);
    const wasmRequests = [];
    browser.context.on('request', (request) => {
      if (new URL(request.url()).pathname.endsWith('.wasm')) wasmRequests.push(request.url());
    });
    const opened = await openPage(browser.context, 'index.html');
    await body({ ...opened, wasmRequests });
  } finally {
    await browser.close();
  }
}

test('index.html loads, starts normscope and logs no errors', { timeout: 90_000 }, async () => {
  await withIndex(async () => {}, async ({ page, assertNoProblems, wasmRequests }) => {
    assert.match(await page.title(), /normscope/i);
    await waitForReady(page);
    assert.equal(wasmRequests.length, 1, `the page should request its .wasm once: ${wasmRequests}`);
    assertNoProblems();
  });
});

for (const [name, fail, reason, expected] of [
  ['a 404', (route) => route.fulfill({ status: 404, body: 'gone' }), /failed to fetch .*normscope_bg\.wasm: 404/,
    [/^HTTP 404 for .*normscope_bg\.wasm$/, /^console error: Failed to load resource: .*404/]],
  ['a network error', (route) => route.abort('internetdisconnected'), /Failed to fetch/,
    [/^request failed: .*normscope_bg\.wasm/, /^console error: Failed to load resource: net::ERR_INTERNET_DISCONNECTED/]],
]) {
  test(`a wasm that cannot be fetched (${name}) shows why, and nothing else goes wrong`, { timeout: 90_000 }, async () => {
    const setUp = (context) => context.route('**/normscope_bg.wasm', fail);
    await withIndex(setUp, async ({ page, problems }) => {
      await page.waitForFunction(() => document.documentElement.dataset.state === 'error', null, { timeout: 30_000 });
      const fatal = await page.locator('#fatal').innerText();
      assert.match(fatal, /could not start/);
      assert.match(fatal, reason);
      // Only the failed request itself: no uncaught error or rejection.
      assert.deepEqual(problems.filter((p) => !expected.some((e) => e.test(p))), []);
    });
  });
}
