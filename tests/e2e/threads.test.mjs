// Threads (issue 13 §3): `cargo xtask serve` (and the test server) send the
// cross-origin isolation headers, so on a device with more than two cores a big
// network's worker runs the threaded build (pkg-threads/, rayon over
// wasm-bindgen-rayon) on every core and the status line says so; its training
// is bit-identical to the single-threaded build's (the matmuls are split by
// rows, each entry the same sum in the same order). On two cores, or where the
// page is not isolated, it runs on one thread and says why
// (tests/node/status.test.mjs checks those texts). The machines that run these
// tests have two cores, so each page here is told its core count: `#cores=N`
// in its URL stands for navigator.hardwareConcurrency (the worker gets the
// count from the page).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figure, useBrowser } from './figures.mjs';

const { onPage, context } = useBrowser();
const TIMEOUT = { timeout: 180_000 };
const BIG = 'depth=64&width=256';
const statusOf = (page) => page.locator('.status').first().textContent();

/** Opens `path` as onPage does, once the context reads `#cores=N` (see the top). */
let told = null;
async function onPageWithCores(path, body) {
  told ??= context().addInitScript(() => {
    const cores = /#cores=(\d+)/.exec(location.hash);
    if (cores) Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => Number(cores[1]) });
  });
  await told;
  return onPage(path, body);
}

test('on two cores a big network trains in a worker on one thread, and says why', TIMEOUT, () =>
  onPageWithCores(`index.html?${BIG}#cores=2`, async (page) => {
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the test server sends COOP/COEP');
    await page.waitForFunction(() => / on one thread/.test(document.querySelector('.status')?.textContent), null, { timeout: 30_000 });
    assert.match(await statusOf(page), /training in a worker on one thread \(this device reports two cores, where two threads were no faster than one\)/);
  }));

test('with more cores a big network trains in a worker on every core, bit-identical to one thread', TIMEOUT, () =>
  onPageWithCores(`index.html?${BIG}#cores=4`, async (page) => {
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the test server sends COOP/COEP');
    await page.waitForFunction(() => / on \d+ threads/.test(document.querySelector('.status')?.textContent), null, { timeout: 30_000 });
    assert.match(await statusOf(page), /training in a worker on 4 threads/);

    const steps = 3;
    for (let i = 0; i < steps; i += 1) await page.getByRole('button', { name: /^Step/ }).first().click();
    await page.waitForFunction((n) => new RegExp(`^step ${n} `).test(document.querySelector('.status')?.textContent), steps, { timeout: 60_000 });
    const threaded = await figure(page, 'exportSnapshot().then((blob) => blob.text())');
    // The same network on the page's single-threaded module (already started by the page).
    const single = await page.evaluate(async ([query, n]) => {
      const { Scope } = await import(new URL('pkg/normscope.js', location.href).href);
      const scope = new Scope(query);
      scope.step(n);
      const json = scope.snapshotJson();
      scope.free();
      return json;
    }, [BIG, steps]);
    assert.ok(threaded.length > 1000, 'a snapshot came back');
    assert.ok(threaded === single, 'the threaded worker and the single-threaded page differ after 3 steps');
  }));
