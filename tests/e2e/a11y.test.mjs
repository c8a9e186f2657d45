// Accessibility checks with axe-core (issue 11, section 6): its WCAG 2.1 A and
// AA rules and its best-practice rules report no violation on the full page
// (at 1280 and 390 px), an embed with every chart and control, an embed with
// the defaults, and the example course page (1280 and 390 px), each once its
// figures are drawn, and the full page with its Export menu and Embed dialog
// open. The course figures' landmarks carry their lesson's name.
//
// axe-core is pinned in package.json and installed by `npm ci` with
// playwright-core; its axe.min.js is read from node_modules and added to the
// page as an inline <script>. The server (`cargo xtask serve`, or the one
// `cargo xtask test` starts) sends no Content-Security-Policy, so the plain
// page load allows that script; embed.test.mjs and dist.test.mjs check the
// pages under a strict CSP, which would block it (and that is what they test).
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/a11y.test.mjs

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { allPainted, scrollThroughCharts, useBrowser } from './figures.mjs';

const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.0 and 2.1, levels A and AA, and axe's best practices. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const TIMEOUT = { timeout: 180_000 };
const { onPage } = useBrowser();

/**
 * Runs axe-core on the page; returns its violations, each with at most five targets.
 * `iframes: false` leaves frames out (the Embed dialog's preview is an embed,
 * checked on its own below, and holds no copy of axe to answer).
 */
async function violations(page, { iframes = true } = {}) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async ({ values, iframes }) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values }, resultTypes: ['violations'], iframes });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      count: v.nodes.length,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  }, { values: TAGS, iframes });
}

/** Fails with one line per violation: what the rule is and where it fails. */
function assertNone(found, where) {
  const lines = found.map((v) => `${v.id} (${v.impact}, ${v.count} node(s)): ${v.help}\n      targets: ${v.targets.join("\n               ")}`);
  assert.equal(found.length, 0, `axe-core found ${found.length} violation(s) on ${where}:\n  ${lines.join('\n  ')}`);
}

const PAGES = [
  { name: 'the full page', path: 'index.html', root: '#figure' },
  { name: 'the full page at 390 px', path: 'index.html', root: '#figure', viewport: { width: 390, height: 844 } },
  { name: 'an embed with every chart and control', path: 'index.html?embed=1&charts=all&controls=all', root: '#figure', viewport: { width: 800, height: 500 } },
  { name: 'an embed with the defaults', path: 'index.html?embed=1', root: '#figure', viewport: { width: 800, height: 500 } },
  { name: 'the course page', path: 'www/course.html', root: 'main', viewport: { width: 1280, height: 2600 } },
  { name: 'the course page at 390 px', path: 'www/course.html', root: 'main', viewport: { width: 390, height: 5000 } },
];

for (const { name, path, root, viewport } of PAGES) {
  test(`axe-core finds no WCAG 2.1 A/AA or best-practice violation on ${name}`, TIMEOUT, () =>
    onPage(path, async (page) => {
      // The figure is built and drawn: axe sees the page a reader meets.
      await page.waitForFunction((r) => document.querySelectorAll(`${r} .chart canvas`).length > 0, root);
      await scrollThroughCharts(page, root);
      assert.ok(await allPainted(page, root), `a chart on ${name} is blank`);
      assertNone(await violations(page), `${name} (${path})`);
    }, viewport ? { viewport } : undefined));
}

test('each course figure’s charts and settings are named after its lesson', TIMEOUT, () =>
  onPage('www/course.html', async (page) => {
    const lesson = '1. The signal vanishes in a deep tanh network';
    assert.equal(await page.getByRole('form', { name: `${lesson} Network settings`, exact: true }).count(), 1);
    assert.equal(await page.getByRole('region', { name: `${lesson} Per-layer summary`, exact: true }).count(), 1);
    assert.equal(await page.getByRole('group', { name: '2. LayerNorm restores it', exact: true }).count(), 1);
  }, { viewport: { width: 1280, height: 2600 } }));

test('axe-core finds no violation with the Export menu open, nor in the Embed dialog', TIMEOUT, () =>
  onPage('index.html', async (page) => {
    await page.locator('.export-menu summary').click();
    await page.locator('.export-list').waitFor({ state: 'visible' });
    assertNone(await violations(page), 'the full page with the Export menu open');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Embed' }).click();
    await page.getByRole('dialog').waitFor({ state: 'visible' });
    assertNone(await violations(page, { iframes: false }), 'the full page with the Embed dialog open');
  }));

test('the check can fail: axe-core reports a control without a label', TIMEOUT, () =>
  onPage('index.html?embed=1', async (page) => {
    await page.evaluate(() => document.querySelector('#figure').append(Object.assign(document.createElement('input'), { type: 'text' })));
    const ids = (await violations(page)).map((v) => v.id);
    assert.ok(ids.includes('label'), `axe-core missed an unlabelled input: ${ids.join(', ')}`);
  }));
