// The chart labels and hints say what the charts show (issue 8, section 2):
// the activation hint follows the view, "What is normalized" names its tensor
// and switches to x̂ and γx̂ + β, the decision map says it is evaluated in eval
// mode, and the status line's growth during Play never moves the Export menu.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/labels.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hoverText } from './browser.mjs';
import { chartPixels, useBrowser } from './figures.mjs';

const { onPage } = useBrowser();
const TIMEOUT = { timeout: 120_000 };

const hint = (page, kind) => page.locator(`.chart-${kind} .chart-hint`).innerText();

test('the activation hint follows the view', TIMEOUT, () =>
  onPage('index.html', async (page) => {
    assert.match(await hint(page, 'activations'), /Each column is one layer/);
    await page.locator('.chart-activations label', { hasText: 'histograms' }).click();
    assert.match(await hint(page, 'activations'), /Each row is one layer/);
    assert.doesNotMatch(await hint(page, 'activations'), /column/);
    assert.match(await hint(page, 'training'), /update:data/);
    assert.doesNotMatch(await hint(page, 'training'), /update:weight/);
    assert.match(await hint(page, 'decision'), /eval mode/);
  }));

test('What is normalized names its tensor and shows x̂ and γx̂ + β', TIMEOUT, () =>
  onPage('index.html?norm=layer&residual=post&depth=4&layer=2&lr=0.5', async (page) => {
    await page.getByRole('button', { name: 'Step' }).click();
    const x = await chartPixels(page, 'normalized');
    assert.match(await hoverText(page, 'normalized'), /x̂ .* γx̂ \+ β /);
    await page.locator('.chart-normalized label', { hasText: 'x̂' }).first().click();
    assert.equal(new URL(page.url()).searchParams.get('tensor'), 'xhat');
    const xHat = await chartPixels(page, 'normalized');
    await page.locator('.chart-normalized label', { hasText: 'γx̂+β' }).click();
    const y = await chartPixels(page, 'normalized');
    assert.notEqual(x, xHat);
    assert.notEqual(xHat, y);
  }));

for (const width of [1280, 1024, 800]) {
  test(`the Export menu stays where it is when Play lengthens the status line (${width} px)`, TIMEOUT, () =>
    onPage(
      'index.html',
      async (page) => {
        const exportMenu = page.locator('.figure .export-menu summary').first();
        const before = await exportMenu.boundingBox();
        await page.getByRole('button', { name: 'Play' }).click();
        await page.waitForFunction(() => window.normscope.figure.steps > 20);
        await page.waitForFunction(() => /steps\/s/.test(document.querySelector('.status').textContent));
        const during = await exportMenu.boundingBox();
        await page.getByRole('button', { name: 'Pause' }).click();
        assert.deepEqual(during, before);
      },
      { viewport: { width, height: 900 } },
    ));
}

test('the status line gives the held-out loss and accuracy in eval mode, with their step', TIMEOUT, () =>
  onPage('index.html?depth=4&batch=32', async (page) => {
    const expected = await page.evaluate(async () => {
      const { Scope } = await import(new URL('pkg/normscope.js', location.href).href);
      const scope = new Scope('depth=4&batch=32');
      const { test } = scope.stats();
      scope.free();
      return `held out (eval, step 0): loss ${test.loss.toPrecision(3)} · accuracy ${Math.round(test.accuracy * 100)}%`;
    });
    assert.ok((await page.locator('.status').innerText()).includes(expected), expected);
  }));

test('presets with two sides open side by side as a comparison', TIMEOUT, () =>
  onPage('index.html', async (page) => {
    const card = page.locator('.preset', { hasText: 'LayerNorm rescues a deep tanh net' });
    await card.getByRole('button', { name: 'Side by side' }).click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('vs.norm') === 'layer');
    await page.locator('.compare-differences', { hasText: 'norm = layer' }).waitFor();
    assert.ok((await page.locator('[data-side="B"]').count()) > 0, 'B panels are shown');
  }));
