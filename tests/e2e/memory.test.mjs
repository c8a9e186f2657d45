// End-to-end tests of the memory budget (src/core/memory.rs): a config whose
// estimate passes 1 GiB is refused with a notice saying how much it needs and
// which keys to lower, and the previous network stays; and when a big network
// in a worker is replaced by a far smaller one, the old worker ends (a wasm
// memory never shrinks: only the end of its worker returns it) and a new
// one trains the small network.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/   (or `cargo xtask test`)

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, onReadyPage } from './browser.mjs';

const TIMEOUT = { timeout: 240_000 };
let browser;

before(async () => {
  browser = await launch();
  // Counts the workers the page ends (Worker.terminate).
  await browser.context.addInitScript(() => {
    const terminate = Worker.prototype.terminate;
    window.terminatedWorkers = 0;
    Worker.prototype.terminate = function () {
      window.terminatedWorkers += 1;
      return terminate.call(this);
    };
  });
});
after(async () => {
  await browser?.close();
});

const figure = (page, expression) => page.evaluate(`window.normscope.figure.${expression}`);
/** Waits until the first frame of the current network is drawn. */
const built = (page) => page.waitForFunction(() => !document.querySelector('.figure.building'), null, { timeout: 120_000 });

/** Sets the control labelled `label` to `value` as a user would. */
function setControl(page, label, value) {
  return page.evaluate(
    ([text, value]) => {
      const input = [...document.querySelectorAll('.controls label')].find((l) => l.textContent === text).control;
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    [label, value],
  );
}

test('a config over the memory budget gets a notice naming what it needs, and the network stays', TIMEOUT, async () => {
  await onReadyPage(browser.context, 'index.html?depth=4&width=512&batch=1024&norm=layer', async (page) => {
    await built(page);
    const before = await figure(page, 'query()');
    const estimate = await page.evaluate(async () => {
      const { load } = await import('/www/wasm.js');
      const ns = await load();
      return ns.checkQuery('depth=4&width=512&batch=1024&norm=layer').memoryBytes;
    });
    assert.ok(estimate > 100 * 2 ** 20 && estimate < 2 ** 30, `estimate ${estimate}`);
    await setControl(page, 'Depth', '64');
    const notice = page.getByRole('alert').filter({ hasText: 'MiB of memory' });
    await notice.waitFor();
    const text = await notice.innerText();
    const needs = Number(/needs about (\d+) MiB/.exec(text)?.[1]);
    assert.ok(needs > 1024, text);
    assert.match(text, /more than the 1024 MiB allowed; lower one of depth, width, batch/);
    assert.equal(await figure(page, 'query()'), before, 'the previous network stays');
  });
});

test('a big worker network replaced by a small one ends its worker, returning its memory', TIMEOUT, async () => {
  await onReadyPage(browser.context, 'index.html?depth=16&width=512&batch=512', async (page) => {
    const started = [];
    page.on('worker', (worker) => started.push(worker));
    await built(page);
    assert.equal(await figure(page, 'perf().engine'), 'worker');
    const firstWorkers = started.length;
    await setControl(page, 'Width', '128');
    await page.waitForFunction(() => window.normscope.figure.query().includes('width=128'), null, { timeout: 60_000 });
    await built(page);
    assert.equal(await figure(page, 'perf().engine'), 'worker', 'the small network still trains in a worker');
    assert.ok(started.length > firstWorkers, 'a new worker started for the small network');
    assert.equal(await page.evaluate(() => window.terminatedWorkers), 1, 'the big network\'s worker was ended');
    // A change within the same size keeps the worker.
    const workers = started.length;
    await setControl(page, 'Depth', '15');
    await page.waitForFunction(() => window.normscope.figure.query().includes('depth=15'), null, { timeout: 60_000 });
    await built(page);
    assert.equal(started.length, workers, 'a network of the same size reuses the worker');
  });
});
