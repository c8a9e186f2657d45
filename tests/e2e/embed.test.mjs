// End-to-end tests of embed mode and the Embed dialog, in headless Chromium:
// - index.html?embed=1 shows exactly the listed charts and controls, readable
//   in 800x500, with an "open in normscope" link to the full page; unknown
//   names get a notice naming the key, and URL text never becomes HTML;
// - the Embed dialog is labelled and keeps focus; its snippet, loaded in a host
//   page, reproduces the state (same config, view, charts, controls, statistics);
//   of a comparison, its link, snippet and mount() call hold B (the `vs.` keys,
//   `compare`) unless its checkbox is unticked;
// - the pages run under `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'`
//   with no violation and hold no inline script, handler or style attribute.
// Every page fails on a console error (any frame) or a request off the site.
// course.test.mjs covers the course page and the exports.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/embed.test.mjs

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { baseUrl } from './browser.mjs';
import { allPainted, controlsIn, figure, kindsIn, useBrowser } from './figures.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
const TIMEOUT = { timeout: 180_000 };
/** Tall enough for the whole course page, so every chart is on screen and drawn. */
const TALL = { width: 1280, height: 2600 };
const { onPage, context } = useBrowser();

test('embed mode shows exactly the listed charts and controls, readable at 800x500', TIMEOUT, async () => {
  const query = 'depth=6&norm=layer&seed=4&embed=1&charts=summary,gradients&controls=norm,depth';
  await onPage(`index.html?${query}`, async (page) => {
    assert.deepEqual(await kindsIn(page), ['summary', 'gradients']);
    assert.deepEqual(await controlsIn(page), ['depth', 'norm'], 'controls come in the config table’s order');
    assert.equal(await page.locator('.chart-activations').count(), 0, 'a chart that is not listed is shown');
    assert.equal(await page.getByLabel('Width', { exact: true }).count(), 0, 'a control that is not listed is shown');
    assert.equal(await page.getByLabel('Normalization', { exact: true }).inputValue(), 'layer');
    for (const gone of ['.site-header', '.intro', '#presets', '#explainer', '.site-footer']) {
      assert.equal(await page.locator(gone).count(), 0, `${gone} is shown in embed mode`);
    }
    assert.ok(await allPainted(page), 'a chart is blank');
    // Everything fits the frame: no sideways scrolling, the charts end inside 500 px.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'the embed scrolls sideways');
    for (const box of await page.locator('.chart canvas').evaluateAll((cs) => cs.map((c) => c.getBoundingClientRect().toJSON()))) {
      assert.ok(box.bottom <= 500 && box.height >= 150 && box.width >= 300, `a chart is cut off or tiny: ${JSON.stringify(box)}`);
    }
    const open = page.getByRole('link', { name: 'open in normscope' });
    assert.equal(await open.getAttribute('target'), '_blank');
    assert.match(await open.getAttribute('rel'), /noopener/);
    const full = new URL(await open.getAttribute('href'));
    assert.equal(full.href.split('?')[0], new URL('index.html', baseUrl()).href);
    assert.equal(full.searchParams.get('seed'), '4');
    for (const key of ['embed', 'charts', 'controls']) assert.equal(full.searchParams.get(key), null, `the full-page link keeps ${key}`);
    // The figure still works: a control change, Step, Play.
    await page.getByLabel('Depth', { exact: true }).fill('7');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('depth') === '7');
    assert.equal(new URL(await open.getAttribute('href')).searchParams.get('depth'), '7', 'the link lost the change');
    assert.equal(new URL(page.url()).searchParams.get('charts'), 'summary,gradients', 'the embed keys left the URL');
    await page.getByRole('button', { name: 'Step' }).click();
    assert.equal(await figure(page, 'steps'), 1);
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => window.normscope.figure.steps > 5);
    await page.getByRole('button', { name: 'Pause' }).click();
  }, { viewport: { width: 800, height: 500 } });

  await onPage('index.html?embed=1', async (page) => {
    assert.deepEqual(await kindsIn(page), ['activations', 'gradients'], 'default charts');
    assert.equal(await page.locator('.controls').count(), 0, 'embed mode shows controls by default');
    for (const name of ['Play', 'Step', 'Reset']) assert.ok(await page.getByRole('button', { name }).isVisible());
  }, { viewport: { width: 800, height: 500 } });

  await onPage('index.html?embed=1&controls=all&charts=all', async (page) => {
    const keys = [...new URLSearchParams(await figure(page, 'query()')).keys()];
    assert.deepEqual(await controlsIn(page), keys, 'controls=all shows every config key');
    assert.equal((await kindsIn(page)).length, 7);
  }, { viewport: { width: 800, height: 500 } });
});

test('unknown chart and control names give a notice naming the key; URL text is never HTML', TIMEOUT, async () => {
  await onPage('index.html?embed=1&charts=activations,bogus&controls=nope', async (page) => {
    const charts = page.getByRole('alert').filter({ hasText: "'charts'" });
    assert.match(await charts.innerText(), /invalid value "bogus" for 'charts': allowed a comma-separated list of activations, gradients, summary/);
    assert.match(await page.getByRole('alert').innerText(), /invalid value "nope" for 'controls'/);
    assert.deepEqual(await kindsIn(page), ['activations'], 'the valid name is kept');
    assert.equal(await page.locator('.controls').count(), 0);
  });
  const evil = encodeURIComponent('<img src=x onerror="window.pwned=1">');
  await onPage(`index.html?embed=1&charts=${evil}&norm=${evil}`, async (page) => {
    await page.getByRole('alert').filter({ hasText: '<img' }).first().waitFor();
    assert.equal(await page.locator('img').count(), 0, 'a value from the URL became HTML');
    assert.equal(await page.evaluate(() => window.pwned), undefined);
  });
});

test('the Embed dialog: labelled, focus kept, a snippet that reproduces the state in a host page', TIMEOUT, async () => {
  let snippet;
  let expected;
  await onPage('index.html?depth=12&norm=layer&seed=7&lr=0.1&view=histograms', async (page) => {
    await page.getByLabel('Depth', { exact: true }).fill('14');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('depth') === '14');
    const opener = page.getByRole('button', { name: 'Embed', exact: true });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'Embed this figure' });
    await dialog.waitFor();
    assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), 'focus is not in the dialog');
    await dialog.getByLabel('Gradient distribution per layer').uncheck();
    await dialog.getByLabel('Per-layer summary').check();
    await dialog.getByLabel('Normalization', { exact: true }).check();
    await dialog.getByLabel('Depth', { exact: true }).check();
    snippet = await dialog.getByLabel('HTML for your page').inputValue();
    const link = await dialog.getByLabel('Link', { exact: true }).inputValue();
    const frame = await page.evaluate((html) => {
      const f = new DOMParser().parseFromString(html, 'text/html').querySelector('iframe');
      return { src: f.src, width: f.width, height: f.height, title: f.title, loading: f.loading, tags: document.body.children.length };
    }, snippet);
    assert.equal(frame.src, link, 'the snippet and the link differ');
    assert.equal(frame.width, '800');
    assert.equal(frame.height, '500');
    assert.equal(frame.loading, 'lazy');
    assert.match(frame.title, /^normscope: Activation distribution per layer, Per-layer summary \(depth 14/);
    const src = new URL(frame.src);
    assert.equal(src.href.split('?')[0], new URL('index.html', baseUrl()).href, 'the snippet URL is not absolute');
    for (const [key, value] of [['depth', '14'], ['seed', '7'], ['lr', '0.1'], ['norm', 'layer'], ['view', 'histograms'],
      ['embed', '1'], ['charts', 'activations,summary'], ['controls', 'depth,norm']]) {
      assert.equal(src.searchParams.get(key), value, `the snippet URL has ${key}=${src.searchParams.get(key)}`);
    }
    // The live preview loads exactly that URL.
    const preview = page.frameLocator('.embed-frame');
    await preview.locator('.chart-summary canvas').waitFor();
    assert.equal(await dialog.locator('.embed-frame').getAttribute('src'), link);
    expected = {
      query: await figure(page, 'query()'),
      csv: await page.evaluate(async () => (await window.normscope.figure.exportCsv()).text()),
    };
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.ok(await opener.evaluate((b) => b === document.activeElement), 'focus did not return to the Embed button');
  });

  // A host page that holds only the snippet, on the same server.
  const host = new URL('embed-host-test.html', baseUrl()).href;
  await context().route(host, (route) =>
    route.fulfill({ contentType: 'text/html', body: `<!doctype html><title>host</title><h1>A course</h1>${snippet}` }),
  );
  try {
    await onPage('embed-host-test.html', async (page) => {
      await page.waitForFunction(() => document.querySelector('iframe').contentDocument?.documentElement?.dataset.state === 'ready');
      const frame = await (await page.locator('iframe').elementHandle()).contentFrame();
      assert.match(frame.url(), /embed=1/);
      assert.equal(await figure(frame, 'query()'), expected.query, 'the embed has another config');
      assert.deepEqual(await kindsIn(frame), ['activations', 'summary']);
      assert.deepEqual(await controlsIn(frame), ['depth', 'norm']);
      assert.ok(await frame.locator('.chart-activations input[value="histograms"]').isChecked(), 'the view was lost');
      const csv = await frame.evaluate(async () => (await window.normscope.figure.exportCsv()).text());
      assert.equal(csv, expected.csv, 'the embed’s statistics differ from the page’s');
    }, { ready: false });
  } finally {
    await context().unroute(host);
  }
});

test('the Embed dialog of a comparison: link, snippet and mount() hold the vs. keys unless unticked', TIMEOUT, async () => {
  let snippet;
  await onPage('index.html?depth=8&activation=tanh&vs.norm=layer', async (page) => {
    await page.waitForSelector('.chart[data-side="B"]');
    await page.getByRole('button', { name: 'Embed', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Embed this figure' });
    await dialog.waitFor();
    const read = async () => ({
      link: new URL(await dialog.getByLabel('Link', { exact: true }).inputValue()),
      html: await dialog.getByLabel('HTML for your page').inputValue(),
      mount: await dialog.getByLabel(/mount\(\)/).inputValue(),
    });
    const withB = dialog.getByLabel('compare with B (vs.norm=layer)');
    assert.ok(await withB.isChecked(), 'the comparison is not offered by default');
    const on = await read();
    assert.equal(on.link.searchParams.get('vs.norm'), 'layer');
    assert.equal(on.link.searchParams.get('depth'), '8');
    assert.match(on.html, /vs\.norm=layer/);
    assert.match(on.html, /title="normscope: [^"]*norm: none; B: norm = layer\)"/);
    assert.match(on.mount, /compare: \{"norm":"layer"\}/);
    assert.match(on.mount, /config: "[^"]*depth=8[^"]*"/);
    assert.doesNotMatch(on.mount, /vs\./);
    snippet = on.html;
    await withB.uncheck();
    const off = await read();
    assert.equal(off.link.searchParams.get('vs.norm'), null);
    assert.equal(off.link.searchParams.get('depth'), '8');
    assert.doesNotMatch(off.html, /vs\.|B: /);
    assert.doesNotMatch(off.mount, /compare:/);
    await withB.check();
  });
  // The snippet's embed shows both networks.
  const host = new URL('embed-compare-host-test.html', baseUrl()).href;
  await context().route(host, (route) =>
    route.fulfill({ contentType: 'text/html', body: `<!doctype html><title>host</title><h1>A course</h1>${snippet}` }),
  );
  try {
    await onPage('embed-compare-host-test.html', async (page) => {
      await page.waitForFunction(() => document.querySelector('iframe').contentDocument?.documentElement?.dataset.state === 'ready');
      const frame = await (await page.locator('iframe').elementHandle()).contentFrame();
      await frame.waitForSelector('.chart[data-side="B"]');
      assert.deepEqual((await figure(frame, 'comparison()')).differences, { norm: 'layer' });
    }, { ready: false });
  } finally {
    await context().unroute(host);
  }
});

test('strict CSP: no violation on the full page with the dialog open, an embed, a worker figure or the course page; no inline code', TIMEOUT, async () => {
  const site = new URL(baseUrl());
  const addCsp = async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': STRICT_CSP } });
  };
  const htmlPages = (url) => url.origin === site.origin && /\.html$/.test(url.pathname);
  await context().route(htmlPages, addCsp);
  try {
    await onPage('index.html?depth=4', async (page) => {
      await page.getByRole('button', { name: 'Embed', exact: true }).click();
      await page.frameLocator('.embed-frame').locator('.chart-gradients canvas').waitFor();
      await page.waitForTimeout(500);
    });
    await onPage('index.html?embed=1&controls=all', async (page) => assert.ok(await allPainted(page)));
    // A network big enough to train in a worker: 'self' allows the worker script.
    await onPage('index.html?embed=1&depth=20&width=128', async (page) => {
      await page.waitForFunction(() => window.normscope.figure.perf().engine === 'worker' && !document.querySelector('.figure.building'));
      assert.ok(await allPainted(page));
    });
    await onPage('www/course.html', async (page) => assert.ok(await allPainted(page)), { viewport: TALL });
  } finally {
    await context().unroute(htmlPages, addCsp);
  }
  for (const file of ['index.html', 'www/course.html']) {
    const html = await readFile(join(ROOT, file), 'utf8');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, `${file} has an inline script`);
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i, `${file} has an inline style or event handler`);
  }
});
