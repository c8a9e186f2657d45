// End-to-end tests of the Diagnosis panel (www/diagnosis.js): it shows the
// core's findings (Scope.diagnosis(), src/core/diagnosis.rs) word for word,
// changes with the config, names the expected finding for three presets, works
// for a network that trains in a worker, loads a finding's preset from its
// link, describes every chart canvas, and in an embed shows only when
// `charts=` lists `diagnosis`.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/   (or `cargo xtask test`)

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, onReadyPage } from './browser.mjs';
import { figure } from './figures.mjs';

const TIMEOUT = { timeout: 180_000 };
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const onPage = (path, body) => onReadyPage(browser.context, path, body);
/** The sentences the panel shows, in order. */
const findings = (page) => page.locator('.diagnosis .finding-text').allInnerTexts();
/** Waits until no network is being built or trained to its start step. */
const built = (page) => page.waitForFunction(() => !document.querySelector('.figure.building'), null, { timeout: 60_000 });

/** The findings the core computes for the figure's current config at step 0, from a Scope of its own. */
function coreFindings(page) {
  return page.evaluate(async () => {
    const { Scope } = await import(new URL('pkg/normscope.js', document.baseURI).href);
    const scope = new Scope(window.normscope.figure.query());
    const texts = scope.diagnosis().map((finding) => finding.text);
    scope.free();
    return texts;
  });
}

/** Clicks a preset variant on the page and waits until the panel names `expected`. */
async function applyPreset(page, label, expected) {
  await page.getByRole('button', { name: label, exact: true }).click();
  await built(page);
  await page.locator('.diagnosis-list').filter({ hasText: expected }).waitFor({ timeout: 10_000 });
  return findings(page);
}

test('the panel shows the core’s findings and names the finding of three presets', TIMEOUT, async () => {
  await onPage('index.html', async (page) => {
    const panel = page.getByRole('region', { name: 'Diagnosis' });
    assert.ok(await panel.isVisible(), 'the full page shows no Diagnosis panel');
    const start = await findings(page);
    assert.ok(start.length > 0, 'the panel is empty at the defaults');
    assert.deepEqual(start, await coreFindings(page), 'the panel does not show what the core computes');

    const seen = [start.join(' ')];
    for (const [label, expected] of [
      ['Deep tanh, torch default init', 'vanishing signal'],
      ['tanh, N(0, 1) weights', 'saturated'],
      ['Batch 2', 'BatchNorm at batch 2'],
    ]) {
      const shown = await applyPreset(page, label, expected);
      assert.ok(shown.some((text) => text.includes(expected)), `${label}: no finding says "${expected}": ${shown.join(' | ')}`);
      assert.deepEqual(shown, await coreFindings(page), `${label}: the panel differs from the core`);
      assert.ok(!seen.includes(shown.join(' ')), `${label}: the panel did not change with the config`);
      seen.push(shown.join(' '));
      // Every chart canvas is described by the diagnosis.
      const described = await page.evaluate(() =>
        [...document.querySelectorAll('.chart canvas')].map((canvas) => {
          const id = canvas.getAttribute('aria-describedby');
          return id ? document.getElementById(id)?.textContent || '' : '';
        }),
      );
      assert.ok(described.length >= 6, `only ${described.length} chart canvases`);
      for (const text of described) assert.ok(text.includes(expected), `a canvas's description lacks "${expected}": ${text}`);
    }
    // The live region announces the current findings (their set of kinds changed with each preset).
    const live = await page.locator('.diagnosis [aria-live="polite"]').textContent();
    assert.match(live, /BatchNorm at batch 2/);
  });
});

test('the panel follows training, and a finding’s link loads its preset', TIMEOUT, async () => {
  await onPage('index.html?depth=20&activation=tanh&init=torch_default&width=32&lr=0.2', async (page) => {
    assert.ok((await findings(page)).some((text) => text.includes('vanishing signal')));
    await figure(page, 'step(5)');
    await page.waitForFunction(() => window.normscope.figure.steps === 5);
    await page.waitForFunction(() => document.querySelector('.status').textContent.startsWith('step 5'));
    const after = await findings(page);
    // The core's findings after 5 steps, from a Scope trained the same way.
    const expected = await page.evaluate(async () => {
      const { Scope } = await import(new URL('pkg/normscope.js', document.baseURI).href);
      const scope = new Scope(window.normscope.figure.query());
      scope.step(5);
      const texts = scope.diagnosis().map((finding) => finding.text);
      scope.free();
      return texts;
    });
    assert.deepEqual(after, expected, 'after 5 steps the panel differs from the core');

    await page.getByRole('button', { name: 'see the preset: Vanishing signal' }).first().click();
    await built(page);
    const config = await figure(page, 'config()');
    assert.equal(config.width, 64, 'the preset keeps a key it does not name');
    assert.equal(config.lr, 0.05, 'the preset keeps a key it does not name');
    assert.deepEqual([config.depth, config.activation, config.init], [20, 'tanh', 'torch_default']);
    assert.equal(await figure(page, 'steps'), 0);
    assert.notEqual(new URL(page.url()).searchParams.get('width'), '32', 'the URL still holds the old width');

    await page.getByRole('button', { name: 'see the preset: LayerNorm rescues a deep tanh net' }).click();
    await built(page);
    assert.equal((await figure(page, 'config()')).norm, 'layer');
  });
});

test('a network that trains in a worker shows its diagnosis too', TIMEOUT, async () => {
  await onPage('index.html?depth=64&width=256&activation=tanh&init=torch_default', async (page) => {
    await built(page);
    assert.equal((await figure(page, 'perf()')).engine, 'worker');
    const shown = await findings(page);
    assert.ok(shown.some((text) => text.includes('vanishing signal')), `no vanishing signal: ${shown.join(' | ')}`);
    assert.deepEqual(shown, await coreFindings(page), 'the worker’s diagnosis differs from the core’s');
  });
});

test('an embed shows the panel only when charts= lists diagnosis, and describes its charts either way', TIMEOUT, async () => {
  const query = 'norm=batch&batch=2&embed=1';
  await onPage(`index.html?${query}`, async (page) => {
    assert.equal(await page.locator('.diagnosis').isVisible(), false, 'the panel shows in a default embed');
    const id = await page.locator('.chart-activations canvas').getAttribute('aria-describedby');
    assert.match(await page.locator(`[id="${id}"]`).textContent(), /BatchNorm at batch 2/);
  });
  await onPage(`index.html?${query}&charts=diagnosis,activations`, async (page) => {
    assert.ok(await page.getByRole('region', { name: 'Diagnosis' }).isVisible(), 'charts=diagnosis shows no panel');
    assert.ok((await findings(page)).some((text) => text.includes('BatchNorm at batch 2')));
    assert.equal(await page.locator('.chart').count(), 1, 'charts=diagnosis,activations shows other charts');
  });
});
