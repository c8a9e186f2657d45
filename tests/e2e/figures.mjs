// Helpers shared by the embedding and state tests (embed, course, state .test.mjs):
// one browser per test file whose frames report CSP violations as console
// errors, a page runner that also fails on any request off the site, and
// readers for what a figure shows.
//
//   const { onPage, context } = useBrowser();
//   test('x', () => onPage('index.html?embed=1', async (page) => { ... }));

import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { baseUrl, launch, openPage, waitForReady } from './browser.mjs';

/**
 * Launches Chromium before the file's tests and closes it after. Returns
 * { onPage(path, body, {viewport, ready}), context() }: onPage opens `path`,
 * waits for data-state="ready" (unless `ready: false`), runs `body(page)`, then
 * fails on any console error, failed request or request to another origin.
 */
export function useBrowser() {
  let browser;
  before(async () => {
    browser = await launch();
    await browser.context.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`),
      ),
    );
  });
  after(async () => {
    await browser?.close();
  });

  async function onPage(path, body, { viewport = { width: 1280, height: 900 }, ready = true } = {}) {
    const site = new URL(baseUrl()).origin;
    const offsite = [];
    const watch = (request) => {
      const url = new URL(request.url());
      if (!['data:', 'blob:', 'about:'].includes(url.protocol) && url.origin !== site) offsite.push(url.href);
    };
    browser.context.on('request', watch);
    const { page, assertNoProblems } = await openPage(browser.context, path);
    try {
      await page.setViewportSize(viewport);
      if (ready) await waitForReady(page);
      await body(page);
      assertNoProblems();
      assert.deepEqual(offsite, [], 'a request left the site');
    } finally {
      browser.context.off('request', watch);
      await page.close();
    }
  }
  return { onPage, context: () => browser.context };
}

/** The chart kinds shown under `root` in a page or frame, in order. */
export const kindsIn = (page, root = 'body') =>
  page.evaluate((r) => [...document.querySelectorAll(`${r} .chart`)].map((c) => c.dataset.kind), root);

/** The config keys of the controls shown under `root`. */
export const controlsIn = (page, root = 'body') =>
  page.evaluate((r) => [...document.querySelectorAll(`${r} .controls .control`)].map((c) => c.dataset.key), root);

/** In the page: whether every chart canvas under `root` (or only the `index`th) holds more than one colour. */
function painted([root, index]) {
  const canvases = [...document.querySelectorAll(`${root} .chart canvas`)].filter((_, i) => index === null || i === index);
  return canvases.length > 0 && canvases.every((canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 4; i < data.length; i += 4) if (data[i] !== data[0] || data[i + 1] !== data[1]) return true;
    return false;
  });
}

/** Whether every chart canvas under `root` holds more than one colour. */
export const allPainted = (page, root = 'body') => page.evaluate(painted, [root, null]);

/**
 * Scrolls each chart under `root` into view in turn and waits until it is
 * painted (a figure draws only the charts on screen, www/chartset.js, so one
 * below the fold is blank until a reader scrolls to it), then back to the top.
 */
export async function scrollThroughCharts(page, root = 'body') {
  const canvases = page.locator(`${root} .chart canvas`);
  const count = await canvases.count();
  for (let i = 0; i < count; i += 1) {
    await canvases.nth(i).scrollIntoViewIfNeeded();
    await page.waitForFunction(painted, [root, i], { timeout: 30_000 });
  }
  await page.evaluate(() => window.scrollTo(0, 0));
}

/** Evaluates `window.normscope.figure.<expression>` in a page or frame. */
export const figure = (page, expression) => page.evaluate(`window.normscope.figure.${expression}`);

/** The pixels of the first chart `kind`'s canvas in a page or frame, as a data URL. */
export const chartPixels = (page, kind) =>
  page.evaluate((k) => document.querySelector(`.chart-${k} canvas`).toDataURL(), kind);

/** The figure's statistics CSV, as its Export menu gives it. */
export const statsCsv = (page) => page.evaluate(async () => (await window.normscope.figure.exportCsv()).text());

/**
 * A viewport that holds every chart of the page (the lowest ends near 3500 px):
 * a figure draws only the charts on screen (www/chartset.js), so a chart below
 * the fold keeps the pixels of whenever it was last on screen, or none.
 */
export const TALL = { viewport: { width: 1280, height: 3600 } };

/**
 * Chart `kind`'s panels on sides A and B of a comparison: each canvas's
 * data-range and pixels (a data URL). Throws when a shown panel's canvas is
 * unpainted (off screen, or no state drawn yet), so that no comparison of
 * pixels passes on two blank canvases; B's panel of an overlay is hidden.
 */
export async function pairedPixels(page, kind) {
  const sides = await page.evaluate(
    (k) =>
      ['A', 'B'].map((side) => {
        const canvas = document.querySelector(`.chart-${k}[data-side="${side}"] canvas`);
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = false;
        for (let i = 3; i < data.length && !painted; i += 4) painted = data[i] > 0;
        const shown = !canvas.closest('.chart').hidden;
        return { side, shown, painted, range: canvas.dataset.range, pixels: canvas.toDataURL(), width: canvas.width };
      }),
    kind,
  );
  const blank = sides.filter((s) => s.shown && !s.painted).map((s) => s.side);
  if (blank.length) throw new Error(`${kind}: side ${blank.join(' and ')} is not painted (off screen?)`);
  return sides;
}

/**
 * Waits until a comparison shows both networks: A's and B's states are in (two
 * depth-20 networks train in workers, whose first frames come after the page
 * says ready) and nothing of either is on its way. Returns their steps, which
 * the caller asserts.
 */
export async function bothShown(page, { timeout = 60_000 } = {}) {
  await page.waitForFunction(() => {
    const { comparison, comparisonStats } = window.normscope.figure;
    return comparison()?.settled && comparisonStats() !== null;
  }, null, { timeout });
  return (await figure(page, 'comparison()')).steps;
}

/** Parameter `key` of the page's address, or null. */
export const urlParam = (page, key) => new URL(page.url()).searchParams.get(key);
