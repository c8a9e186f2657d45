// End-to-end test of the long texts in Chinese (issue 12): switching the page
// to zh (setLanguage from www/i18n.js, what the header's switch calls) turns
// the intro, the article and its table, the preset cards and the mistakes
// cards to their catalogue's Chinese, keeps the MathML, the links and the
// pressed button, and switching back restores index.html's English.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/langtexts.test.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { useBrowser } from './figures.mjs';

const TIMEOUT = { timeout: 120_000 };
const { onPage } = useBrowser();
const root = new URL('../../', import.meta.url);
const catalogue = (lang, domain) => JSON.parse(readFileSync(new URL(`www/i18n/${lang}/${domain}.json`, root), 'utf8'));
const [zhStatic, zhPresets, zhMistakes] = [catalogue('zh', 'static'), catalogue('zh', 'presets'), catalogue('zh', 'mistakes')];
const enPresets = catalogue('en', 'presets');

const switchTo = (page, lang) => page.evaluate(async (lang) => (await import('./www/i18n.js')).setLanguage(lang), lang);
const text = (page, selector) => page.locator(selector).first().textContent();

/** What the texts look like: sections' text, the count of <math> and the live links' targets. */
const shape = (page) =>
  page.evaluate(() => ({
    maths: document.querySelectorAll('#explainer math, #mistakes math').length,
    links: [...document.querySelectorAll('.live-link a')].map((a) => a.getAttribute('href')),
    ids: [...document.querySelectorAll('#explainer [id], #mistakes [id], #presets [id]')].map((node) => node.id),
  }));

test('the long texts switch to Chinese and back, keeping formulas, links and the pressed button', TIMEOUT, async () => {
  await onPage('index.html', async (page) => {
    const english = { intro: await text(page, '.intro'), table: await text(page, 'table.axes'), shape: await shape(page) };
    const button = page.locator('#preset-layernorm_rescue .preset-buttons button').nth(1);
    await button.click();
    await switchTo(page, 'zh');

    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.equal((await text(page, '.intro')).trim(), zhStatic['static.intro']);
    assert.equal(await text(page, '#explainer-title'), zhStatic['static.explainer_title']);
    assert.equal(await text(page, 'table.axes tbody th'), zhStatic['static.table_batch_1']);
    assert.equal(await text(page, '#preset-vanishing h3'), zhPresets['presets.vanishing.title']);
    assert.equal(await text(page, '#preset-wu_he .preset-cite'), `论文结果：${zhPresets['presets.wu_he.cite']}`);
    assert.equal(await text(page, '#mistake-seed_code .mistake-text'), zhMistakes['mistakes.seed_code.text']);
    assert.equal(await text(page, '#mistake-seed_code h3'), zhStatic['static.mistake_seed_code']);
    assert.equal(await button.textContent(), zhPresets['presets.layernorm_rescue.label_layer']);
    assert.equal(await button.getAttribute('aria-pressed'), 'true', 'the switch forgot the pressed preset');
    assert.deepEqual(await shape(page), english.shape, 'the switch changed the formulas, the live links or the ids');
    // No English sentence is left in the owned sections (names, code and formulas aside).
    const leftovers = await page.evaluate(() => {
      const found = [];
      for (const section of document.querySelectorAll('.skip-link, .intro, #presets, #mistakes, #explainer, .site-footer')) {
        const walker = document.createTreeWalker(section, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (node.parentElement.closest('math, code, .preset-cite')) continue;
          if (/(\b[A-Za-z]{2,}\b[\s,]+){4,}/.test(node.textContent)) found.push(node.textContent.trim());
        }
      }
      return found;
    });
    assert.deepEqual(leftovers, []);

    await switchTo(page, 'en');
    assert.equal(await text(page, '.intro'), english.intro);
    assert.equal(await text(page, 'table.axes'), english.table);
    assert.equal(await text(page, '#preset-vanishing h3'), enPresets['presets.vanishing.title']);
    assert.deepEqual(await shape(page), english.shape);
  });
});
