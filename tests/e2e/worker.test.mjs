// End-to-end tests of big networks, which train in a Web Worker (www/engine.js)
// so that the page keeps its frame rate: at depth 64 x width 256 the page
// stays live while a step takes ~175 ms; Play, Step, hover, the Layer picker,
// a control change and the exports all work from the worker's frames; a page
// where the worker cannot start trains on the page and says so (a comparison:
// A and B both, in lockstep). Prints, without
// asserting, the frame rate, chart updates per second and the redraw time.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/   (or `cargo xtask test`)

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hoverText, launch, onReadyPage, openPage, waitForReady } from './browser.mjs';

const TIMEOUT = { timeout: 180_000 };
const BIG = 'index.html?depth=64&width=256';
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const figure = (page, expression) => page.evaluate(`window.normscope.figure.${expression}`);
const pixels = (page, kind) => page.evaluate((k) => document.querySelector(`.chart-${k} canvas`).toDataURL(), kind);
/** Waits until the worker's first frame of the current network is drawn. */
const built = (page) => page.waitForFunction(() => !document.querySelector('.figure.building'), null, { timeout: 60_000 });

/** Opens `path`, waits for the page to be ready, runs `body`, fails on any logged problem. */
const onPage = (path, body) => onReadyPage(browser.context, path, body);

/**
 * Milliseconds from a Depth change to the first drawn frame of the new network,
 * and the page's animation frames per second meanwhile.
 */
function timeDepthChange(page, depth) {
  return page.evaluate(
    (text) =>
      new Promise((resolve) => {
        const input = [...document.querySelectorAll('.controls label')].find((l) => l.textContent === 'Depth').control;
        const started = performance.now();
        let frames = 0;
        const count = () => {
          frames += 1;
          if (document.querySelector('.figure.building')) return requestAnimationFrame(count);
          const ms = performance.now() - started;
          requestAnimationFrame(() => resolve({ ms, fps: (frames * 1000) / ms }));
        };
        input.value = text;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        requestAnimationFrame(count);
      }),
    depth,
  );
}

test('depth 64 x width 256 trains in a worker while the page stays live (timings printed, not asserted)', TIMEOUT, async () => {
  await onPage(BIG, async (page) => {
    await built(page);
    assert.equal((await figure(page, 'perf()')).engine, 'worker');
    assert.match(await page.locator('.status').innerText(), /training in a worker/);
    const change = await timeDepthChange(page, '63');
    await built(page);
    await timeDepthChange(page, '64');

    const before = await pixels(page, 'activations');
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForTimeout(6000);
    const perf = await figure(page, 'perf()');
    await page.getByRole('button', { name: 'Pause' }).click();
    // A step already on its way at Pause still lands (and is shown): let it.
    await page.waitForTimeout(1500);
    const steps = await figure(page, 'steps');
    assert.ok(steps >= 2, `only ${steps} steps in 6 s`);
    assert.ok(perf.fps > perf.updates, 'the page should draw more frames than the worker sends');
    assert.notEqual(await pixels(page, 'activations'), before, 'the activation chart did not change during Play');
    assert.match(await page.locator('.status').innerText(), new RegExp(`step ${steps}\\b`));

    await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction((n) => window.normscope.figure.steps === n + 1, steps);

    // A setting changed during Play: the step in flight is dropped, Play goes
    // on with the new network, and no notice appears.
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => window.normscope.figure.steps >= 1);
    await page.getByLabel('Normalization', { exact: true }).selectOption('layer');
    await page.waitForFunction(() => window.normscope.figure.config().norm === 'layer' && window.normscope.figure.steps >= 2, null, { timeout: 60_000 });
    assert.ok(await figure(page, 'playing'), 'Play stopped when a setting changed');
    await page.getByRole('button', { name: 'Pause' }).click();
    assert.equal(await page.locator('.notice').count(), 0, 'a notice appeared');

    // Reset, then Step at once: the step lands on the rebuilt network.
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction(() => window.normscope.figure.steps === 1 && !document.querySelector('.figure.building'), null, { timeout: 60_000 });
    await page.waitForTimeout(1000);
    assert.equal(await figure(page, 'steps'), 1, 'the Step was lost or doubled');

    console.log(`# depth 64 width 256 (worker): page ${perf.fps.toFixed(1)} frames/s during Play, ` +
      `${perf.updates.toFixed(2)} chart updates/s, ${perf.stepsPerSecond.toFixed(2)} steps/s, ` +
      `${perf.frameMs.toFixed(0)} ms of page work per update; worker ${perf.workerStepMs.toFixed(0)} ms/step + ` +
      `${perf.workerFrameMs.toFixed(0)} ms/frame; Depth change to drawn: ${change.ms.toFixed(0)} ms ` +
      `(page ${change.fps.toFixed(0)} frames/s meanwhile)`);
  });
});

test('a worker figure hovers, picks a layer, and exports like any other', TIMEOUT, async () => {
  await onPage(`${BIG.replace('64', '24')}&norm=batch`, async (page) => {
    await built(page);
    assert.equal((await figure(page, 'perf()')).engine, 'worker');
    // The Layer picker asks the worker for that layer's matrix (charts off
    // screen are not drawn, so bring it into view first).
    await page.locator('.chart-normalized canvas').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    const layer1 = await pixels(page, 'normalized');
    await page.getByRole('region', { name: 'What is normalized' }).getByLabel('Layer', { exact: true }).selectOption('20');
    await page.waitForFunction((old) => document.querySelector('.chart-normalized canvas').toDataURL() !== old, layer1);
    assert.match(await hoverText(page, 'activations'), /layer/i);

    // Dragging Depth from 24 down to 12, one position a frame: the worker
    // builds the newest config, not a queue of stale ones.
    await page.evaluate(async () => {
      const input = [...document.querySelectorAll('.controls label')].find((l) => l.textContent === 'Depth').control;
      for (let depth = 23; depth >= 12; depth -= 1) {
        input.value = String(depth);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise(requestAnimationFrame);
      }
    });
    await built(page);
    assert.equal((await figure(page, 'config()')).depth, 12);
    const csv = await page.evaluate(async () => (await window.normscope.figure.exportCsv()).text());
    assert.equal(csv.trim().split('\n').length, 1 + 12, 'CSV: a header and one row per layer');
    const snapshot = JSON.parse(await page.evaluate(async () => (await window.normscope.figure.exportSnapshot()).text()));
    assert.equal(snapshot.layers.length, 12);
    assert.equal(snapshot.config.norm, 'batch');
    const python = await page.evaluate(async () => (await window.normscope.figure.exportTorch()).text());
    assert.match(python, /^    "blocks\.11\.norm\.running_var": /m, 'the PyTorch script, from the worker');
    const png = await page.evaluate(async () => (await window.normscope.figure.exportPng('decision')).size);
    assert.ok(png > 1000, `decision PNG is ${png} bytes`);
  });
});

test('a worker figure that diverges pauses at the step it diverged, and Reset recovers', TIMEOUT, async () => {
  await onPage('index.html?depth=20&width=128&activation=relu&init=normal&scale=50&lr=10', async (page) => {
    await built(page);
    assert.equal((await figure(page, 'perf()')).engine, 'worker');
    await page.getByRole('button', { name: 'Play' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'diverged' });
    await alert.waitFor();
    const [, step] = /diverged at step (\d+)/.exec(await alert.innerText());
    await page.waitForTimeout(1000); // no step may land after the divergence
    assert.equal(await figure(page, 'steps'), Number(step));
    assert.equal(await figure(page, 'playing'), false);
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await alert.waitFor({ state: 'detached' });
    await built(page);
    assert.equal(await figure(page, 'steps'), 0);
  });
});

/**
 * From the next navigation on, every Worker of `page` loads a script that does
 * not exist, as a host that does not serve www/worker.js would cause.
 */
const breakWorkers = (page) =>
  page.addInitScript(() => {
    const Real = window.Worker;
    window.Worker = class extends Real {
      constructor(_url, options) {
        super('/no-such-worker.js', options);
      }
    };
  });

test('when the worker cannot start, the figure trains on the page and says so', TIMEOUT, async () => {
  const { page, problems } = await openPage(browser.context, 'index.html');
  try {
    await waitForReady(page);
    problems.length = 0; // what follows is on the next page
    await breakWorkers(page);
    await page.goto(new URL(BIG.replace('64', '20'), page.url()).href);
    await waitForReady(page);
    await page.locator('.notice').filter({ hasText: 'Training on the page instead of in a worker' }).waitFor();
    await built(page);
    assert.equal((await figure(page, 'perf()')).engine, 'page');
    await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction(() => window.normscope.figure.steps === 1);
    const others = problems.filter((problem) => !problem.includes('no-such-worker.js'));
    assert.deepEqual(others, [], 'problems other than the missing worker script');
  } finally {
    await page.close();
  }
});

test('when the workers of a comparison cannot start, A and B both train on the page, in lockstep', TIMEOUT, async () => {
  const { page, problems } = await openPage(browser.context, 'index.html');
  try {
    await waitForReady(page);
    problems.length = 0; // what follows is on the next page
    await breakWorkers(page);
    // Only B is past the threshold: A goes to a worker with it, and both fail.
    await page.goto(new URL('index.html?depth=20&width=64&vs.depth=64&vs.width=256', page.url()).href);
    await waitForReady(page);
    await page.locator('.notice').filter({ hasText: 'Training on the page instead of in a worker' }).waitFor();
    await page.waitForFunction(() => window.normscope.figure.comparison()?.where?.join() === 'page,page', null, { timeout: 60_000 });
    await built(page);
    await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction(() => window.normscope.figure.comparison().steps.join() === '1,1', null, { timeout: 60_000 });
    assert.equal(await page.locator('.notice').filter({ hasText: 'Not compared' }).count(), 0);
    assert.equal(new URL(page.url()).searchParams.get('vs.depth'), '64');
    const others = problems.filter((problem) => !problem.includes('no-such-worker.js'));
    assert.deepEqual(others, [], 'problems other than the missing worker script');
  } finally {
    await page.close();
  }
});
