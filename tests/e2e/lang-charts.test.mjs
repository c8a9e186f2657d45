// End-to-end tests of the charts in Chinese (issue 12): the Rust charts take
// the page's language as the `lang` option (src/web/i18n.rs, www/charts.js),
// a switch redraws them from the same state, and the Diagnosis panel words the
// core's findings from their code and params (www/diagnosis.js).
//
// The language is switched as the header's switch does, through www/i18n.js's
// setLanguage() in the page.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/   (or `cargo xtask test`)

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hoverText } from './browser.mjs';
import { chartPixels, figure, statsCsv, useBrowser } from './figures.mjs';

const TIMEOUT = { timeout: 180_000 };
const { onPage } = useBrowser();
const KINDS = ['activations', 'summary', 'training'];
const CJK = /[\u4e00-\u9fff]/;

/** Switches the page's language as the header does. */
const switchTo = (page, lang) =>
  page.evaluate(async (l) => (await import(new URL('www/i18n.js', document.baseURI).href)).setLanguage(l), lang);

/** The hover text of chart `kind` (side A in a comparison) at a share (fx, fy) of its canvas. */
async function hoverAt(page, kind, [fx, fy], side = null) {
  const panel = side ? `.chart-${kind}[data-side="${side}"]` : `.chart-${kind}`;
  const canvas = page.locator(`${panel} canvas`);
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  await canvas.hover({ position: { x: box.width * fx, y: box.height * fy } });
  const tooltip = page.locator(`${panel} .chart-tooltip`);
  await tooltip.waitFor({ state: 'visible' });
  return tooltip.innerText();
}

/** Waits until every chart of KINDS differs from `before` (kind -> data URL); returns the new pixels. */
async function redrawn(page, before) {
  await page.waitForFunction(
    (b) => Object.entries(b).every(([k, url]) => document.querySelector(`.chart-${k} canvas`).toDataURL() !== url),
    before,
    { timeout: 10_000 },
  );
  return Object.fromEntries(await Promise.all(KINDS.map(async (k) => [k, await chartPixels(page, k)])));
}

test('in Chinese the charts are redrawn in Chinese from the same state, hover included', TIMEOUT, () =>
  onPage(`index.html?depth=6&width=24&activation=tanh&init=torch_default&charts=${KINDS.join(',')},diagnosis`, async (page) => {
    await figure(page, 'step(30)');
    await page.waitForFunction(() => window.normscope.figure.steps === 30, null, { timeout: 60_000 });
    await page.waitForTimeout(300); // the last frame's draw
    const english = Object.fromEntries(await Promise.all(KINDS.map(async (k) => [k, await chartPixels(page, k)])));
    const csv = await statsCsv(page);
    assert.match(await hoverText(page, 'activations'), /^layer \d+ · h .* · mean .*, std /);
    const findingsEn = await page.locator('.diagnosis .finding-text').allInnerTexts();

    await switchTo(page, 'zh');
    const chinese = await redrawn(page, english);
    const readout = await hoverText(page, 'activations');
    assert.match(readout, /^第 \d+ 层 · h .* · 均值 .*，标准差 /, readout);
    assert.doesNotMatch(readout, /\{|layer|mean/, readout);
    const training = await hoverAt(page, 'training', [0.5, 0.3]);
    assert.match(training, /^第 \d+ 步 · 批量：损失 /, training);
    assert.match(await page.locator('.chart-activations .chart-title').innerText(), CJK);

    // The state is the same: step, statistics, and the diagnosis' numbers.
    assert.equal(await figure(page, 'steps'), 30);
    assert.equal(await statsCsv(page), csv, 'a language switch changed the statistics');
    const findingsZh = await page.locator('.diagnosis .finding-text').allInnerTexts();
    assert.equal(findingsZh.length, findingsEn.length);
    const numbers = (text) => (text.match(/\d+(\.\d+)?%?/g) || []).sort();
    for (const [en, zh] of findingsEn.map((text, i) => [text, findingsZh[i]])) {
      assert.match(zh, CJK, `untranslated finding: ${zh}`);
      assert.deepEqual(numbers(zh), numbers(en), `${en} / ${zh}`);
    }

    // Back in English, the very same pixels as before.
    await switchTo(page, 'en');
    const back = await redrawn(page, chinese);
    for (const kind of KINDS) assert.equal(back[kind], english[kind], `${kind}: en → zh → en drew other pixels`);
    assert.equal(await figure(page, 'steps'), 30);
  }));

test('a comparison’s overlay speaks Chinese too', TIMEOUT, () =>
  onPage('index.html?depth=4&width=16&vs.norm=layer&charts=summary', async (page) => {
    await page.waitForFunction(() => document.querySelector('.compare-overlay'), null, { timeout: 30_000 });
    await switchTo(page, 'zh');
    await page.waitForFunction(() => /逐层/.test(document.querySelector('.chart-summary .chart-title').textContent));
    assert.match(await hoverAt(page, 'summary', [0.5, 0.3], 'A'), /^第 \d+ 层 · std h A \S+ · B \S+/);
    const label = await page.locator('.chart-summary[data-side="A"] canvas').getAttribute('aria-label');
    assert.match(label, /^网络 A 与 B 画在同一图中。/);
  }));
