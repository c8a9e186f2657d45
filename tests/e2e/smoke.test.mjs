// Smoke test: the page at the repository root loads, starts the wasm module and
// reaches data-state="ready" with no console errors, page errors or failed
// requests. Run by `cargo xtask test` (or `cargo xtask test --e2e-only`).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitForReady, withPage } from './browser.mjs';

test('index.html loads, starts normscope and logs no errors', { timeout: 90_000 }, async () => {
  await withPage('index.html', async (page) => {
    assert.match(await page.title(), /normscope/i);
    await waitForReady(page);
    const wasmLoaded = await page.evaluate(() =>
      performance.getEntriesByType('resource').some((entry) => entry.name.endsWith('.wasm')),
    );
    assert.ok(wasmLoaded, 'the page never fetched a .wasm file');
  });
});
