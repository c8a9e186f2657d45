// End-to-end tests of the page's languages (issue 12), in headless Chromium
// (whose navigator.languages is en-US, so the page starts in English):
// - at lang=zh the whole page (intro, figure and its charts' panels, presets,
//   mistakes lab, article, diagnosis) shows no untranslated English sentence,
//   and the figure's chrome (header, toolbar, status line, controls, notices,
//   compare editor) neither with a notice and the compare editor open;
// - the header's switch changes the language at once and keeps the step count
//   and the charts' data (no rebuild), and puts lang in the URL, Copy link and
//   the Embed dialog's link, snippet and mount() call;
// - an embed at lang=zh, the single file at lang=zh;
// - an unknown lang value: a notice naming 'lang' and English, nothing else changed.
// (The charts' canvas texts: tests/e2e/lang-charts.test.mjs.)
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/lang.test.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { figure, useBrowser } from './figures.mjs';

const root = new URL('../../', import.meta.url);
const pkg = await import(new URL('pkg/normscope.js', root));
pkg.initSync({ module: readFileSync(fileURLToPath(new URL('pkg/normscope_bg.wasm', root))) });
/** The config table: its keys and values may stay as they are in Chinese text. */
const SCHEMA = JSON.parse(pkg.configSchema());

const TIMEOUT = { timeout: 180_000 };
const { onPage } = useBrowser();

/** The parts of a figure and the header that the chrome check reads. */
const CHROME = ['.site-header', '.notices', '.toolbar .buttons', '.toolbar .speed', '.toolbar .status', '.jump', '.controls', '.lookback'];

/** Words that stay as they are in Chinese: names, units, config keys and values (docs/glossary.md). */
const KEPT = ['PyTorch', 'Kaiming', 'Xavier', 'ReLU', 'tanh', 'GELU', 'Pre-LN', 'Post-LN', 'Adam', 'SGD', 'normscope', 'English', 'BatchNorm', 'LayerNorm', 'RMSNorm', 'GroupNorm', 'Web Worker', 'fps', 'ms', 'logits', 'argmax', 'NaN', 'inf'];

/**
 * Runs of three or more English words in `text` once config keys, config
 * values and the kept names are taken out: what an untranslated sentence leaves.
 */
function englishRuns(text, schema) {
  const values = schema.flatMap((row) => [row.name, ...(row.choices || [])]);
  let rest = text;
  for (const word of [...KEPT, ...values].sort((a, b) => b.length - a.length)) {
    rest = rest.replace(new RegExp(`(?<![A-Za-z_])${word.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(?![A-Za-z_])`, 'g'), '·');
  }
  return rest.match(/[A-Za-z]{2,}(?:[\s,'’-]+[A-Za-z]{2,}){2,}/g) || [];
}

/** The visible text of the chrome, and the config table. */
const chromeText = (page) =>
  page.evaluate((selectors) => selectors.flatMap((s) => [...document.querySelectorAll(s)].map((node) => node.innerText)).join('\n'), CHROME);
const csv = (page) => page.evaluate(async () => (await window.normscope.figure.exportCsv()).text());

/**
 * The visible text of the whole page: every text node an element shows, except
 * code, formulas and the cite lines (a paper's title stays in its language).
 */
const pageText = (page) =>
  page.evaluate(() => {
    const skip = 'code, pre, math, script, style, .preset-cite, .visually-hidden';
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const parts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest(skip) || !parent.checkVisibility({ visibilityProperty: true })) continue;
      if (node.textContent.trim()) parts.push(node.textContent.trim());
    }
    return parts.join('\n');
  });

test('the heuristic finds an English sentence, and passes Chinese with config values', () => {
  const schema = [{ name: 'norm', choices: ['none', 'batch', 'layer'] }];
  assert.deepEqual(englishRuns('Training stopped: the network is still being built', schema).length, 1);
  assert.deepEqual(englishRuns('第 0 步 · 损失 0.693 · norm=layer · batch（批量归一化） · PyTorch 脚本 · 60 fps', schema), []);
});

test('at lang=zh the whole page is Chinese: intro, figure, presets, mistakes lab, article, diagnosis', TIMEOUT, async () => {
  await onPage('index.html?lang=zh', async (page) => {
    await figure(page, 'step(5)');
    await page.waitForFunction(() => window.normscope.figure.steps === 5);
    const text = await pageText(page);
    assert.ok(text.length > 5000, `only ${text.length} characters of visible text`);
    const runs = englishRuns(text, SCHEMA);
    assert.deepEqual(runs, [], `English left at lang=zh:\n${runs.join('\n')}`);
  });
});

test('at lang=zh the figure chrome is Chinese: no English sentence, <html lang> zh-CN', TIMEOUT, async () => {
  // A refused key too, so a notice shows; Compare open, so its editor shows.
  await onPage('index.html?lang=zh&depth=99&norm=group', async (page) => {
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await page.getByLabel('与网络 B 对比').check();
    await figure(page, 'step(3)');
    await page.waitForFunction(() => window.normscope.figure.steps === 3);
    const text = await chromeText(page);
    assert.match(text, /第 3 步/);
    assert.match(text, /链接中：'depth' 的取值 "99" 无效/);
    assert.match(text, /播放/);
    const runs = englishRuns(text, SCHEMA);
    assert.deepEqual(runs, [], `English left at lang=zh:\n${text}`);
    assert.equal(await page.getByRole('group', { name: '语言' }).getByRole('button', { name: '中文' }).getAttribute('aria-pressed'), 'true');
  });
});

test('the switch redraws in the other language at once, keeping the steps and the charts’ data', TIMEOUT, async () => {
  await onPage('index.html?depth=4&norm=layer', async (page) => {
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await figure(page, 'step(5)');
    await page.waitForFunction(() => window.normscope.figure.steps === 5);
    const before = await csv(page);
    const query = await figure(page, 'query()');
    await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: '中文' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.equal(await figure(page, 'steps'), 5, 'switching rebuilt the network');
    assert.equal(await csv(page), before, 'the statistics changed');
    assert.equal(await figure(page, 'query()'), query);
    assert.match(await page.locator('.toolbar .status').innerText(), /^第 5 步/);
    assert.equal(await page.locator('.toolbar .buttons button').first().innerText(), '播放');
    assert.equal(await page.getByLabel('归一化', { exact: true }).inputValue(), 'layer');
    assert.match(await page.evaluate(() => location.search), /[?&]lang=zh(&|$)/);
    // The Embed dialog carries the language: the iframe's src and mount()'s option.
    await page.getByRole('button', { name: '嵌入' }).click();
    const dialog = page.getByRole('dialog', { name: '嵌入此图' });
    assert.match(await dialog.locator('#embed-snippet').inputValue(), /lang=zh/);
    assert.match(await dialog.locator('#embed-mount').inputValue(), /lang: 'zh'/);
    await dialog.getByRole('button', { name: '关闭' }).click();
    await page.getByRole('button', { name: 'English' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.match(await page.locator('.toolbar .status').innerText(), /^step 5 · statistics of the batch of step 5/);
    assert.equal(await csv(page), before);
  });
});

test('an embed at lang=zh: Chinese controls and link to the full page in Chinese', TIMEOUT, async () => {
  await onPage('index.html?embed=1&lang=zh&depth=5&controls=norm,depth', async (page) => {
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.equal(await page.getByLabel('深度', { exact: true }).inputValue(), '5');
    const open = page.locator('a.open-full');
    assert.equal(await open.innerText(), '在 normscope 中打开 ↗');
    assert.match(await open.getAttribute('href'), /lang=zh/);
    assert.doesNotMatch(await open.getAttribute('href'), /embed=/);
    assert.deepEqual(englishRuns(await chromeText(page), SCHEMA), []);
  });
});

test('the single file at lang=zh', TIMEOUT, async () => {
  await onPage('dist/normscope.html?lang=zh', async (page) => {
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.equal(await page.locator('.toolbar .buttons button').first().innerText(), '播放');
    assert.match(await page.locator('.toolbar .status').innerText(), /第 0 步/);
  });
});

test('an unknown lang: a notice naming the key and English; nothing else changes', TIMEOUT, async () => {
  await onPage('index.html?lang=fr&depth=5&norm=rms', async (page) => {
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    const notice = await page.locator('.notices').innerText();
    assert.match(notice, /invalid value "fr" for 'lang': allowed one of en, zh\. Showing English\./);
    const config = await figure(page, 'config()');
    assert.equal(config.depth, 5);
    assert.equal(config.norm, 'rms');
    assert.equal(await page.locator('.notice').count(), 1, 'only the lang notice');
  });
});
