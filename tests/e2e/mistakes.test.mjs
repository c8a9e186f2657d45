// End-to-end tests of the "Common mistakes" lab (www/mistakes.js), in headless
// Chromium: every card's button opens a comparison (A = torch, B = the
// mistake) whose networks and charts differ; the bias card reads both
// networks' max |dL/db|; the static "easy to get wrong" list links each item to
// a card; a refused `formula` gives a notice naming it; the Formula control is
// disabled and reset to torch, with a note, when Normalization goes to none
// or to a norm that does not admit the formula.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/mistakes.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figure, urlParam as param, useBrowser } from './figures.mjs';

const TIMEOUT = { timeout: 240_000 };
const { onPage } = useBrowser();
const KINDS = ['activations', 'gradients', 'summary'];

/** Whether the canonical comparison holds every key of `query` with its value. */
const opened = (query) =>
  window.normscope.figure.comparison() &&
  [...new URLSearchParams(query)].every(([k, v]) => new URLSearchParams(window.normscope.figure.comparison().query).get(k) === v);

test('each mistake button opens a comparison whose A and B differ', TIMEOUT, async () => {
  await onPage('index.html', async (page) => {
    const buttons = page.locator('#mistakes .preset-buttons button');
    const queries = await buttons.evaluateAll((all) => all.map((b) => b.dataset.query));
    const cards = await page.locator('#mistakes [data-mistake]').evaluateAll((all) => all.map((c) => c.dataset.mistake));
    assert.deepEqual(cards, ['unbiased', 'eps_outside', 'eps_after', 'negative_eps', 'seed_code', 'batch_axes', 'seed_formula', 'bias', 'eval']);
    assert.ok(queries.length >= cards.length, 'a card without a button');
    for (const [i, query] of queries.entries()) {
      await buttons.nth(i).click();
      await page.waitForFunction(opened, query);
      const vs = [...new URLSearchParams(query)].find(([k]) => k.startsWith('vs.'));
      assert.equal(param(page, vs[0]), vs[1], `${query}: the URL lost ${vs[0]}`);
      // The core's numbers of A and B differ somewhere (once both have a state:
      // at width 512 they train in workers)...
      await page.waitForFunction(() => window.normscope.figure.comparisonStats(), null, { timeout: 30_000 });
      const [a, b] = await figure(page, 'comparisonStats()');
      const fields = (s) => JSON.stringify(s.layers.map((l) => [l.out.mean, l.out.std, l.grad.std]));
      assert.notEqual(fields(a), fields(b), `${query}: A and B have the same statistics`);
      // ...and so do the pixels of their charts, once drawn.
      await page.waitForFunction(
        (kinds) => kinds.some((k) => {
          const [x, y] = ['A', 'B'].map((s) => document.querySelector(`.chart-${k}[data-side="${s}"] canvas`)?.toDataURL());
          return x && y && x !== y;
        }),
        KINDS,
        { timeout: 20_000 },
      );
      assert.equal(await buttons.nth(i).getAttribute('aria-pressed'), 'true');
    }
    // The bias card's live readout names both networks' max |dL/db|.
    await page.locator('#mistake-bias button').click();
    await page.waitForFunction(opened, 'norm=batch&vs.norm=none');
    const live = page.locator('#mistake-bias .mistake-live');
    await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction(() => /A \(BatchNorm\) .*B \(no norm\)/.test(document.querySelector('#mistake-bias .mistake-live').textContent));
    const [, a, b] = /A \(BatchNorm\) (\S+), B \(no norm\) (\S+)\./.exec(await live.innerText());
    assert.ok(Number(a) < 1e-4 && Number(b) > 1e-3, `bias readout: ${a} vs ${b}`);
  });
});

test('the "easy to get wrong" list links every item to a live card', TIMEOUT, async () => {
  await onPage('index.html', async (page) => {
    const items = await page.locator('.details > li').evaluateAll((all) =>
      all.map((li) => [...li.querySelectorAll('.live-link a')].map((a) => a.getAttribute('href'))));
    assert.ok(items.length >= 6);
    for (const links of items) {
      assert.ok(links.length > 0, 'an item without a live link');
      for (const href of links) assert.equal(await page.locator(href).count(), 1, `${href} leads nowhere`);
    }
  });
});

test('a refused formula gives a notice naming formula and keeps the rest', TIMEOUT, async () => {
  for (const [query, allowed] of [['norm=layer&formula=fancy', /torch/], ['norm=rms&formula=unbiased', /with norm=rms: torch, eps_outside/]]) {
    await onPage(`index.html?depth=6&${query}`, async (page) => {
      const notice = page.getByRole('alert').filter({ hasText: "'formula'" });
      await notice.waitFor();
      assert.match(await notice.innerText(), allowed);
      assert.equal(param(page, 'depth'), '6', `${query}: depth was lost`);
      assert.equal(param(page, 'formula'), 'torch');
    });
  }
});

test('Formula is reset to torch with a note, and disabled under norm=none', TIMEOUT, async () => {
  await onPage('index.html?norm=layer&formula=unbiased', async (page) => {
    const formula = page.getByLabel('Formula', { exact: true });
    const note = page.locator('.control[data-key="formula"] .control-note');
    assert.equal(await formula.inputValue(), 'unbiased');
    assert.ok(await formula.isEnabled());

    await page.getByLabel('Normalization', { exact: true }).selectOption('rms');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('norm') === 'rms');
    assert.equal(await formula.inputValue(), 'torch');
    assert.match(await note.innerText(), /reset to torch: unbiased does not apply to norm=rms/);
    assert.equal(param(page, 'formula'), 'torch');
    assert.equal(await page.locator('.notice').count(), 0, 'the reset is a note, not a refusal');

    await formula.selectOption('eps_outside');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('formula') === 'eps_outside');
    await page.getByLabel('Normalization', { exact: true }).selectOption('none');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('norm') === 'none');
    assert.ok(await formula.isDisabled(), 'Formula is enabled under norm=none');
    assert.equal(await formula.inputValue(), 'torch');
    assert.ok(await note.isVisible());
    assert.match(await note.innerText(), /reset to torch/);
    assert.equal(param(page, 'formula'), 'torch');

    await page.getByLabel('Normalization', { exact: true }).selectOption('batch');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('norm') === 'batch');
    assert.ok(await formula.isEnabled());
    assert.ok(await note.isHidden());
  });
  // Opened at norm=none (the default): disabled from the start.
  await onPage('index.html', async (page) => {
    assert.ok(await page.getByLabel('Formula', { exact: true }).isDisabled());
  });
});
