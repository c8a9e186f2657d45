// End-to-end tests of the real page (index.html) in headless Chromium: the
// controls, built from the core's config table, drive the charts and the URL;
// a URL drives the controls; a bad URL gives a visible notice naming the key;
// Play trains; divergence pauses; no console error anywhere. Also saves the
// README's screenshots (docs/screenshots/ with NORMSCOPE_UPDATE_SCREENSHOTS=1) and prints, without asserting, the
// control-change-to-redraw time and the frame rate during Play. Big networks,
// which train in a worker, are tested in worker.test.mjs.
//
// The screenshots use their own browser contexts (a phone needs its own device
// scale), launched with browser.mjs's flags.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/   (or `cargo xtask test`)

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, hoverText, launch, onReadyPage, openPage, waitForReady } from './browser.mjs';

// The committed README screenshots are rewritten only on request
// (NORMSCOPE_UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean; otherwise
// they go to tests/e2e/out/ (ignored by git) for a look.
const HERE = dirname(fileURLToPath(import.meta.url));
const SCREENSHOTS = process.env.NORMSCOPE_UPDATE_SCREENSHOTS
  ? join(HERE, '..', '..', 'docs', 'screenshots')
  : join(HERE, 'out');
const TIMEOUT = { timeout: 180_000 };
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Opens `path`, waits for the page to be ready, runs `body`, fails on any logged problem. */
const onPage = (path, body) => onReadyPage(browser.context, path, body);

/** The pixels of chart `kind`'s canvas, as a data URL. */
const pixels = (page, kind) =>
  page.evaluate((k) => document.querySelector(`.chart-${k} canvas`).toDataURL(), kind);

/** Whether chart `kind`'s canvas holds more than one colour (not blank). */
const painted = (page, kind) =>
  page.evaluate((k) => {
    const canvas = document.querySelector(`.chart-${k} canvas`);
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 4; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) return true;
    }
    return false;
  }, kind);

const param = (page, key) => new URL(page.url()).searchParams.get(key);
const figure = (page, expression) => page.evaluate(`window.normscope.figure.${expression}`);

/** Milliseconds from a control change to the next painted frame (rebuild + redraw included). */
function timeControlChange(page, label, value) {
  return page.evaluate(
    ([labelText, text]) =>
      new Promise((resolve) => {
        const input = [...document.querySelectorAll('.controls label')].find((l) => l.textContent === labelText).control;
        const started = performance.now();
        input.value = text;
        input.dispatchEvent(new Event(input.type === 'range' ? 'input' : 'change', { bubbles: true }));
        // The figure rebuilds and draws at once (or in the next animation frame
        // when it already did this frame); the frame after that one is painted.
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - started)));
      }),
    [label, value],
  );
}

/** Plays for `ms` and returns the figure's measured performance. */
async function playFor(page, ms) {
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForTimeout(ms);
  const perf = await figure(page, 'perf()');
  await page.getByRole('button', { name: 'Pause' }).click();
  return perf;
}

test('every config key has a labelled control; Depth, Initialization and Normalization redraw the charts and the URL', TIMEOUT, async () => {
  await onPage('index.html', async (page) => {
    const labels = await page.evaluate(() => [...document.querySelectorAll('.controls label')].map((l) => l.textContent));
    for (const label of ['Depth', 'Width', 'Activation', 'Initialization', 'Init scale', 'Normalization',
      'Norm position', 'Residual', 'Affine', 'Epsilon', 'BatchNorm mode', 'Batch size', 'Dataset', 'Noise',
      'Optimizer', 'Learning rate', 'Seed']) {
      assert.ok(labels.includes(label), `no control labelled ${label}`);
      assert.ok(await page.getByLabel(label, { exact: true }).isVisible(), `${label} is not visible`);
    }
    assert.equal(await page.getByLabel('Groups', { exact: true }).isVisible(), false, 'Groups shows without GroupNorm');
    assert.ok(await painted(page, 'activations'), 'the activation chart is blank after load');

    const changes = [
      ['Depth', (l) => l.fill('20'), 'depth', '20'],
      ['Initialization', (l) => l.selectOption('kaiming_normal'), 'init', 'kaiming_normal'],
      ['Normalization', (l) => l.selectOption('layer'), 'norm', 'layer'],
    ];
    for (const [label, change, key, value] of changes) {
      const before = await pixels(page, 'activations');
      await change(page.getByLabel(label, { exact: true }));
      await page.waitForFunction(([k, v]) => new URL(location.href).searchParams.get(k) === v, [key, value]);
      assert.notEqual(await pixels(page, 'activations'), before, `changing ${label} left the activation chart unchanged`);
    }
    assert.equal(param(page, 'seed'), '1', 'the URL must hold the full config, seed included');

    await page.getByLabel('Normalization', { exact: true }).selectOption('group');
    await page.getByLabel('Groups', { exact: true }).waitFor({ state: 'visible' });

    // Keyboard: focus Depth and press the right arrow.
    await page.getByLabel('Depth', { exact: true }).focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('depth') === '21');
  });
});

test('a URL with a config shows it in the controls', TIMEOUT, async () => {
  const query = 'depth=12&width=32&activation=relu&init=orthogonal&norm=group&groups=4&affine=false&lr=0.1&seed=7&view=histograms';
  await onPage(`index.html?${query}`, async (page) => {
    assert.equal(await page.getByLabel('Depth', { exact: true }).inputValue(), '12');
    assert.equal(await page.getByLabel('Width', { exact: true }).inputValue(), '32');
    assert.equal(await page.getByLabel('Activation', { exact: true }).inputValue(), 'relu');
    assert.equal(await page.getByLabel('Initialization', { exact: true }).inputValue(), 'orthogonal');
    assert.equal(await page.getByLabel('Normalization', { exact: true }).inputValue(), 'group');
    assert.equal(await page.getByLabel('Groups', { exact: true }).inputValue(), '4');
    assert.equal(await page.getByLabel('Affine', { exact: true }).isChecked(), false);
    assert.equal(await page.getByLabel('Learning rate', { exact: true }).inputValue(), '0.1');
    assert.equal(await page.getByLabel('Seed', { exact: true }).inputValue(), '7');
    assert.ok(await page.locator('.chart-activations input[value="histograms"]').isChecked());
    assert.equal(await page.locator('.notice').count(), 0, 'a valid URL raised a notice');
    for (const pair of query.split('&')) assert.ok(page.url().includes(pair), `URL lost ${pair}: ${page.url()}`);
  });
});

test('a bad URL shows a notice naming the key and what is allowed, and uses the default', TIMEOUT, async () => {
  await onPage('index.html?depth=999&norm=bogus&colour=red&layer=0', async (page) => {
    const alert = page.getByRole('alert').filter({ hasText: 'depth' });
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, /invalid value "999" for 'depth': allowed an integer in 1\.\.=64/);
    assert.match(text, /'norm': allowed one of none, batch, layer, rms, group/);
    assert.match(text, /unknown key 'colour'/);
    assert.match(text, /'layer': allowed an integer in 1\.\.=8/);
    assert.equal(await page.getByLabel('Depth', { exact: true }).inputValue(), '8');
    assert.equal(await page.getByLabel('Normalization', { exact: true }).inputValue(), 'none');
    assert.equal(param(page, 'depth'), '8');
    assert.equal(param(page, 'colour'), null);
  });
});

test('a refused control value is named, and the last good state is kept', TIMEOUT, async () => {
  await onPage('index.html?norm=group', async (page) => {
    const lr = page.getByLabel('Learning rate', { exact: true });
    await lr.fill('0');
    await lr.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'lr' }).waitFor();
    assert.match(await page.getByRole('alert').innerText(), /invalid value "0" for 'lr': allowed a number in \(0, 10\]/);
    assert.equal(param(page, 'lr'), '0.05');
    // Fixing the value applies it and clears the message.
    await lr.fill('0.1');
    await lr.press('Enter');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('lr') === '0.1');
    assert.equal(await page.locator('.notice').count(), 0);
    await page.getByLabel('Groups', { exact: true }).selectOption('16');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('groups') === '16');
  });
  // GroupNorm refused at width 10 (8 groups): Groups must still be reachable to fix it.
  await onPage('index.html?width=10', async (page) => {
    await page.getByLabel('Normalization', { exact: true }).selectOption('group');
    await page.getByRole('alert').filter({ hasText: 'groups' }).waitFor();
    assert.match(await page.getByRole('alert').innerText(), /'groups': allowed a divisor of width 10/);
    assert.equal(param(page, 'norm'), 'none', 'a refused config reached the URL');
    await page.getByLabel('Groups', { exact: true }).selectOption('5');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('norm') === 'group');
    assert.equal(param(page, 'groups'), '5');
  });
});

test('Play trains, Step steps, divergence pauses with its step and layer, Reset recovers', TIMEOUT, async () => {
  await onPage('index.html', async (page) => {
    const perf = await playFor(page, 3000);
    const steps = await figure(page, 'steps');
    assert.ok(steps > 0, 'Play did not advance the step count');
    assert.match(await page.locator('.status').innerText(), new RegExp(`step ${steps}`));
    await page.getByRole('button', { name: 'Step' }).click();
    assert.equal(await figure(page, 'steps'), steps + 1);
    console.log(`# default config, Play: ${perf.fps.toFixed(1)} frames/s, ${perf.frameMs.toFixed(1)} ms of work per frame, ` +
      `${Math.round(perf.stepsPerSecond)} steps/s, ${perf.stepsPerFrame} steps/frame`);
    // The same with all six charts on screen (only visible charts are redrawn).
    await page.setViewportSize({ width: 1280, height: 1800 });
    const all = await playFor(page, 3000);
    await page.setViewportSize({ width: 1280, height: 900 });
    console.log(`# default config, Play, all six charts visible: ${all.fps.toFixed(1)} frames/s, ` +
      `${all.frameMs.toFixed(1)} ms of work per frame, ${Math.round(all.stepsPerSecond)} steps/s, ${all.stepsPerFrame} steps/frame`);
    const times = [];
    for (const depth of ['9', '8', '9', '8', '9']) times.push(await timeControlChange(page, 'Depth', depth));
    times.sort((a, b) => a - b);
    console.log(`# default config, control change to painted redraw: median ${times[2].toFixed(0)} ms ` +
      `(rebuild + draw ${(await figure(page, 'perf()')).rebuildMs.toFixed(0)} ms)`);
  });
  await onPage('index.html?depth=20&activation=relu&init=normal&scale=50&lr=10', async (page) => {
    await page.getByRole('button', { name: 'Step' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'diverged' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /diverged at step \d+ in (layer \d+|the loss)/);
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await alert.waitFor({ state: 'detached' });
    assert.equal(await figure(page, 'steps'), 0);
  });
});

test('presets apply in one click, and hovering a chart describes it', TIMEOUT, async () => {
  await onPage('index.html', async (page) => {
    const buttons = page.locator('.preset-list button');
    const count = await buttons.count();
    assert.ok(count >= 6, `only ${count} preset buttons`);
    for (let i = 0; i < count; i += 1) {
      const before = page.url();
      await buttons.nth(i).click();
      await page.waitForFunction((url) => location.href !== url, before).catch(() => {});
      assert.equal(await page.locator('.notice-warning').count(), 0, `preset ${i} raised a notice`);
    }
    await page.getByRole('button', { name: 'Default settings' }).click();

    // Hover the middle of the activation chart: the tooltip shows what is there.
    assert.match(await hoverText(page, 'activations'), /layer/i);
    // The summary's hover names the collapse measures with their values.
    const summary = await hoverText(page, 'summary');
    assert.match(summary, /spread across samples \d[\d.e−]*/, summary);
    assert.match(summary, /mean cosine between samples −?\d\.\d{4}/, summary);
    await page.mouse.move(0, 0);
  });
});

test('reflow: at 320 px wide nothing makes the page scroll sideways (WCAG 1.4.10)', TIMEOUT, async () => {
  await onPage('index.html', async (page) => {
    await page.setViewportSize({ width: 320, height: 800 });
    await page.waitForTimeout(300);
    const wide = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      // An element inside a scrolling or clipping box (a wide table, a display formula) is not a culprit.
      const clipped = (e) => {
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
          if (getComputedStyle(a).overflowX !== 'visible' || a.getBoundingClientRect().right > width + 0.5) return true;
        }
        return false;
      };
      return {
        scrollWidth: document.documentElement.scrollWidth,
        width,
        culprits: [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > width + 0.5 && !clipped(e))
          .map((e) => `${e.tagName.toLowerCase()}.${e.className} "${e.textContent.trim().slice(0, 40)}"`),
      };
    });
    assert.ok(wide.scrollWidth <= wide.width, `the page is ${wide.scrollWidth} px wide at ${wide.width} px: ${wide.culprits.join('; ')}`);
  });
});

test('screenshots for the README: desktop 1280x800 and a 390 px phone', TIMEOUT, async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  const shots = [
    ['desktop.png', { viewport: { width: 1280, height: 800 } }, null],
    ['phone.png', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }, '#figure'],
  ];
  const phoneBrowser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    for (const [file, device, scrollTo] of shots) {
      const context = await phoneBrowser.newContext(device);
      const { page, assertNoProblems } = await openPage(context, 'index.html?depth=16&init=torch_default');
      await waitForReady(page);
      await playFor(page, 2500);
      if (scrollTo) await page.evaluate((selector) => document.querySelector(selector).scrollIntoView(), scrollTo);
      await page.waitForTimeout(200);
      await page.screenshot({ path: join(SCREENSHOTS, file) });
      assertNoProblems();
      await context.close();
    }
  } finally {
    await phoneBrowser.close();
  }
});
