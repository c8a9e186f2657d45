// End-to-end tests of the "Distribution over time" chart (src/web/charts/over_time.rs),
// its view keys `timelayer` / `timetensor`, the look-back slider (www/lookback.js),
// on the page engine and in a worker, and the theory overlay of the per-layer summary.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/   (or `cargo xtask test`)

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hoverText } from './browser.mjs';
import { chartPixels, figure, urlParam, useBrowser } from './figures.mjs';

const TIMEOUT = { timeout: 180_000 };
const { onPage } = useBrowser();

/** Steps the figure `n` times and waits until it shows step `target`. */
async function stepTo(page, n, target) {
  await figure(page, `step(${n})`);
  await page.waitForFunction((t) => window.normscope.figure.steps === t, target, { timeout: 60_000 });
}

/** Waits until chart `kind`'s pixels differ from `before`; returns them. */
async function redrawn(page, kind, before) {
  await page.waitForFunction(
    ([k, b]) => document.querySelector(`.chart-${k} canvas`).toDataURL() !== b,
    [kind, before],
    { timeout: 10_000 },
  );
  return chartPixels(page, kind);
}

test('the over-time chart draws, and changes with timelayer and timetensor', TIMEOUT, () =>
  onPage('index.html?depth=4&width=16&activation=sigmoid&charts=overtime,activations', async (page) => {
    const empty = await chartPixels(page, 'overtime');
    assert.match(await hoverText(page, 'overtime'), /no training steps yet/);
    await stepTo(page, 40, 40);
    const layer1 = await redrawn(page, 'overtime', empty);
    assert.match(await hoverText(page, 'overtime'), /^step \d+ · layer 1 a · median /);

    // The chart's own controls set the view keys, which the address keeps.
    await page.locator('.chart-overtime select').selectOption('3');
    const layer3 = await redrawn(page, 'overtime', layer1);
    assert.equal(urlParam(page, 'timelayer'), '3');
    assert.match(await hoverText(page, 'overtime'), /layer 3 a/);
    await page.locator('.chart-overtime').getByText('dL/dh', { exact: true }).click();
    await redrawn(page, 'overtime', layer3);
    assert.equal(urlParam(page, 'timetensor'), 'grad');
    assert.match(await hoverText(page, 'overtime'), /layer 3 dL\/dh/);

    // The hover reads the core's percentiles: the median of layer 3's dL/dh at the step under the pointer.
    const canvas = page.locator('.chart-overtime canvas');
    const box = await canvas.boundingBox();
    await canvas.hover({ position: { x: box.width * 0.9, y: box.height / 2 } });
    const text = await page.locator('.chart-overtime .chart-tooltip').innerText();
    const step = Number(/^step (\d+) /.exec(text)[1]);
    const expected = await page.evaluate(async (at) => {
      const { Scope } = await import(new URL('pkg/normscope.js', document.baseURI).href);
      const scope = new Scope(window.normscope.figure.query());
      scope.step(40);
      const { timeline } = scope.history();
      scope.free();
      return { steps: timeline.steps.length, median: timeline.bands[2][2][timeline.steps.indexOf(at)][4] };
    }, step);
    assert.equal(expected.steps, 40);
    const shown = Number(/median (\S+)/.exec(text)[1].replaceAll('−', '-'));
    assert.ok(Math.abs(shown - expected.median) <= Math.abs(expected.median) * 0.01, `${text} vs ${expected.median}`);

    // A refused value is named, and the default kept.
    await figure(page, `setView('timetensor', 'bogus')`);
    await page.locator('.notice', { hasText: "'timetensor'" }).waitFor();
    assert.equal((await figure(page, 'view()')).timetensor, 'grad');
  }));

test('the look-back slider redraws an earlier step and returns to live', TIMEOUT, () =>
  onPage('index.html?depth=6&width=32&charts=activations,gradients,summary', async (page) => {
    await stepTo(page, 1, 1);
    await stepTo(page, 60, 61);
    const live = await Promise.all(['activations', 'summary'].map((kind) => chartPixels(page, kind)));
    const slider = page.getByLabel(/^Look back/);
    assert.match(await page.locator('.lookback label').innerText(), /live \(step 61\)/);
    await slider.focus();
    await page.keyboard.press('Home'); // the first kept state: step 0
    await page.locator('.lookback label', { hasText: 'showing step 0 of 61' }).waitFor();
    // Both per-layer charts show step 0 now (redrawn waits until their pixels differ from live).
    await redrawn(page, 'activations', live[0]);
    await redrawn(page, 'summary', live[1]);
    await page.keyboard.press('ArrowRight');
    await page.locator('.lookback label', { hasText: 'showing step 1 of 61' }).waitFor();

    await page.getByRole('button', { name: 'Back to live' }).click();
    await page.locator('.lookback label', { hasText: 'live (step 61)' }).waitFor();
    await page.waitForFunction((l) => document.querySelector('.chart-activations canvas').toDataURL() === l, live[0]);
    assert.equal(await chartPixels(page, 'summary'), live[1], 'back to live, the summary differs from live');

    // Play returns to live too.
    await slider.focus();
    await page.keyboard.press('Home');
    await page.locator('.lookback label', { hasText: 'showing step 0' }).waitFor();
    await figure(page, 'play()');
    await page.locator('.lookback label', { hasText: 'live' }).waitFor();
    await figure(page, 'pause()');
  }));

test('a network that trains in a worker draws over time and looks back', TIMEOUT, () =>
  onPage('index.html?depth=20&width=128&charts=overtime,activations&timelayer=20', async (page) => {
    assert.equal((await figure(page, 'perf()')).engine, 'worker');
    const empty = await chartPixels(page, 'overtime');
    await stepTo(page, 3, 3);
    await redrawn(page, 'overtime', empty);
    assert.match(await hoverText(page, 'overtime'), /layer 20 a · median/);
    const live = await chartPixels(page, 'activations');
    await page.getByLabel(/^Look back/).focus();
    await page.keyboard.press('Home');
    await page.locator('.lookback label', { hasText: 'showing step 0 of 3' }).waitFor();
    await redrawn(page, 'activations', live);
    await page.getByRole('button', { name: 'Back to live' }).click();
    await page.waitForFunction((l) => document.querySelector('.chart-activations canvas').toDataURL() === l, live);
  }));

test('the summary draws the mean-field line on a plain network and a note on a residual one', TIMEOUT, () =>
  onPage('index.html?depth=6&activation=tanh&charts=summary', async (page) => {
    const theory = () =>
      page.evaluate(async () => {
        const { Scope } = await import(new URL('pkg/normscope.js', document.baseURI).href);
        const scope = new Scope(window.normscope.figure.query());
        const answer = scope.theory();
        scope.free();
        return answer;
      });
    assert.equal((await theory()).applies, true);
    assert.match(await hoverText(page, 'summary'), /mean-field std h /);
    const plain = await chartPixels(page, 'summary');

    await figure(page, `update({ residual: 'pre' })`);
    await redrawn(page, 'summary', plain);
    const residual = await theory();
    assert.equal(residual.applies, false);
    assert.match(residual.reason, /residual/);
    assert.doesNotMatch(await hoverText(page, 'summary'), /mean-field/);
  }));
