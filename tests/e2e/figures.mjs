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

/** Whether every chart canvas under `root` holds more than one colour. */
export const allPainted = (page, root = 'body') =>
  page.evaluate((r) => {
    const canvases = [...document.querySelectorAll(`${r} .chart canvas`)];
    return canvases.length > 0 && canvases.every((canvas) => {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 4; i < data.length; i += 4) if (data[i] !== data[0] || data[i + 1] !== data[1]) return true;
      return false;
    });
  }, root);

/** Evaluates `window.normscope.figure.<expression>` in a page or frame. */
export const figure = (page, expression) => page.evaluate(`window.normscope.figure.${expression}`);

/** The pixels of the first chart `kind`'s canvas in a page or frame, as a data URL. */
export const chartPixels = (page, kind) =>
  page.evaluate((k) => document.querySelector(`.chart-${k} canvas`).toDataURL(), kind);

/** The figure's statistics CSV, as its Export menu gives it. */
export const statsCsv = (page) => page.evaluate(async () => (await window.normscope.figure.exportCsv()).text());

/** Parameter `key` of the page's address, or null. */
export const urlParam = (page, key) => new URL(page.url()).searchParams.get(key);
