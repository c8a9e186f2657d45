// Smoke test: the page at the repository root loads, starts the wasm module and
// reaches data-state="ready" with no console errors, page errors or failed
// requests, having fetched the wasm once (www/main.js starts the download,
// www/wasm.js takes it); a wasm that cannot be fetched gives the page's
// message, with the reason, and no uncaught error (page.js's load() tries the
// download again after main.js's failed). Run by `cargo xtask test`
// (or `cargo xtask test --e2e-only`).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launch, openPage, waitForReady, withPage } from './browser.mjs';

/** The .wasm requests the page made, by the Resource Timing entries. */
const wasmFetches = (page) =>
  page.evaluate(() => performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('.wasm')).length);

test('index.html loads, starts normscope and logs no errors', { timeout: 90_000 }, async () => {
  await withPage('index.html', async (page) => {
    assert.match(await page.title(), /normscope/i);
    await waitForReady(page);
    assert.equal(await wasmFetches(page), 1, 'the page should fetch its .wasm exactly once');
  });
});

test('a wasm that cannot be fetched shows why, and nothing else goes wrong', { timeout: 90_000 }, async () => {
  const browser = await launch();
  try {
    await browser.context.route('**/normscope_bg.wasm', (route) => route.fulfill({ status: 404, body: 'gone' }));
    const { page, problems } = await openPage(browser.context, 'index.html');
    await page.waitForFunction(() => document.documentElement.dataset.state === 'error', null, { timeout: 30_000 });
    const fatal = await page.locator('#fatal').innerText();
    assert.match(fatal, /could not start/);
    assert.match(fatal, /failed to fetch .*normscope_bg\.wasm: 404/);
    // The 404 itself is the only problem: no uncaught error or rejection.
    assert.deepEqual(problems.filter((p) => !/\b404\b/.test(p)), []);
  } finally {
    await browser.close();
  }
});
