// Shared helpers for the end-to-end tests and the browser benchmark.
//
// Launches the system Chromium through playwright-core (never a downloaded
// browser) with the flags a root, network-less CI machine needs, in a fresh
// empty profile; opens pages under NORMSCOPE_URL (set by `cargo xtask test`,
// or by hand: `cargo xtask serve` then NORMSCOPE_URL=http://127.0.0.1:8000/);
// and records console errors, uncaught page errors and failed requests so a
// test fails on them.
//
// Page contract: a page sets `data-state="ready"` on <html> once it has loaded
// the wasm module and drawn its first frame, or `data-state="error"` if it could
// not start. `waitForReady` waits for either.
//
// Usage:
//   import { withPage, waitForReady } from './browser.mjs';
//   test('x', async () => {
//     await withPage('index.html', async (page) => { await waitForReady(page); ... });
//   });

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** Flags for a root user on a machine without network or GPU. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The served repository root, always ending in '/'. */
export function baseUrl() {
  const url = process.env.NORMSCOPE_URL;
  if (!url) {
    throw new Error(
      'NORMSCOPE_URL is not set: run `cargo xtask test --e2e-only`, or start ' +
        '`cargo xtask serve` and set NORMSCOPE_URL=http://127.0.0.1:8000/',
    );
  }
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * Starts Chromium in a new empty profile. Returns { context, close }; close()
 * ends the browser and deletes the profile.
 */
export async function launch() {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  const profile = await mkdtemp(join(tmpdir(), 'normscope-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw new Error(
      `could not start Chromium at ${executablePath} (set CHROMIUM_PATH, or on Debian ` +
        `\`apt-get install chromium\`): ${error.message}`,
    );
  }
  const close = async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/**
 * Opens `path` (relative to NORMSCOPE_URL) in a new page and starts recording
 * problems. Returns { page, problems, assertNoProblems }.
 */
export async function openPage(context, path = '') {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location()?.url ?? '';
    if (where.endsWith('/favicon.ico')) return; // browsers ask for it unprompted
    problems.push(`console error: ${message.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught error: ${error.stack || error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) {
      problems.push(`HTTP ${response.status()} for ${response.url()}`);
    }
  });
  const url = new URL(path, baseUrl()).href;
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || !response.ok()) {
    problems.push(`could not load ${url}: HTTP ${response ? response.status() : 'no response'}`);
  }
  const assertNoProblems = () => {
    if (problems.length > 0) {
      throw new Error(`${url} reported ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    }
  };
  return { page, problems, assertNoProblems };
}

/**
 * Waits until the page says data-state="ready" on <html>; fails if it says
 * "error" or never gets there.
 */
export async function waitForReady(page, { timeout = 30_000 } = {}) {
  const handle = await page.waitForFunction(
    () => ['ready', 'error'].includes(document.documentElement.dataset.state),
    null,
    { timeout },
  );
  await handle.dispose();
  const state = await page.evaluate(() => document.documentElement.dataset.state);
  if (state !== 'ready') {
    const text = await page.evaluate(() => document.body.innerText.slice(0, 500));
    throw new Error(`page reported data-state="${state}": ${text}`);
  }
}

/**
 * Opens `path` in `context`, waits until it is ready, runs `body(page)`, then
 * fails if the page logged any problem; always closes the page.
 */
export async function onReadyPage(context, path, body) {
  const { page, assertNoProblems } = await openPage(context, path);
  try {
    await waitForReady(page);
    await body(page);
    assertNoProblems();
  } finally {
    await page.close();
  }
}

/** Hovers the middle of chart `kind` and returns the tooltip's text once it shows. */
export async function hoverText(page, kind) {
  const canvas = page.locator(`.chart-${kind} canvas`);
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  await canvas.hover({ position: { x: box.width / 2, y: box.height / 2 } });
  const tooltip = page.locator(`.chart-${kind} .chart-tooltip`);
  await tooltip.waitFor({ state: 'visible' });
  return tooltip.innerText();
}

/**
 * Launches Chromium, opens `path`, runs `body(page)`, then fails if the page
 * logged any error along the way; always closes the browser.
 */
export async function withPage(path, body) {
  const browser = await launch();
  try {
    const { page, assertNoProblems } = await openPage(browser.context, path);
    const result = await body(page);
    assertNoProblems();
    return result;
  } finally {
    await browser.close();
  }
}
