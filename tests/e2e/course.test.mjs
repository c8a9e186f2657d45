// End-to-end tests of the example course page and of the exports, in headless
// Chromium:
// - www/course.html runs three figures independently on one wasm module:
//   changing or playing one leaves the others' pixels, config and steps alone;
// - each export downloads a file whose contents are checked: the PNG's
//   signature, IHDR size and decoded pixels, the CSV's columns and one row per
//   layer, the snapshot's format, step and layers; also through the handle's API.
// Every page fails on a console error or a request off the site.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/course.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allPainted, useBrowser } from './figures.mjs';

/** src/core/stats.rs CSV_COLUMNS, as documented in docs/embedding.md. */
const CSV_COLUMNS = ['layer', 'pre_mean', 'pre_std', 'out_mean', 'out_std', 'out_min', 'out_max',
  'sample_spread', 'sample_cosine', 'grad_mean',
  'grad_std', 'grad_pre_std', 'nonfinite', 'saturated', 'dead', 'weight_std', 'weight_grad_std', 'grad_data_ratio',
  'update_data_ratio', 'bias_grad_max'];
const TIMEOUT = { timeout: 180_000 };
/** Tall enough for the whole course page, so every chart is on screen and drawn. */
const TALL = { width: 1280, height: 2600 };
const { onPage } = useBrowser();

test('the course page runs three independent figures on one wasm module', TIMEOUT, async () => {
  await onPage('www/course.html', async (page) => {
    const ids = ['#figure-vanishing', '#figure-layernorm', '#figure-batchnorm'];
    const snapshot = () =>
      page.evaluate((roots) => roots.map((root, i) => ({
        query: window.course.figures[i].query(),
        steps: window.course.figures[i].steps,
        pixels: [...document.querySelectorAll(`${root} canvas`)].map((c) => c.toDataURL()),
      })), ids);
    assert.equal(await page.locator('.figure').count(), 3);
    for (const id of ids) assert.ok(await allPainted(page, id), `${id} is blank`);
    assert.equal(await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length), 1);

    const start = await snapshot();
    await page.locator(ids[0]).getByLabel('Depth', { exact: true }).fill('24');
    await page.waitForFunction(() => window.course.figures[0].config().depth === 24);
    let now = await snapshot();
    assert.notDeepEqual(now[0].pixels, start[0].pixels, 'figure 1 did not redraw');
    assert.deepEqual(now.slice(1), start.slice(1), 'changing figure 1 changed another figure');

    await page.locator(ids[1]).getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => window.course.figures[1].steps >= 20);
    await page.locator(ids[1]).getByRole('button', { name: 'Pause' }).click();
    now = await snapshot();
    assert.equal(now[0].steps, 0);
    assert.equal(now[2].steps, 0);
    assert.deepEqual(now[2], start[2], 'playing figure 2 changed figure 3');

    await page.getByRole('button', { name: 'Batch 128' }).click();
    await page.waitForFunction(() => window.course.figures[2].config().batch === 128);
    const last = await snapshot();
    assert.deepEqual(last.slice(0, 2), now.slice(0, 2), 'the batch buttons changed figure 1 or 2');
  }, { viewport: TALL });
});

/** Clicks Export -> `item` under `root`; returns the download's name and bytes. */
async function download(page, root, item) {
  await page.locator(`${root} .export-menu summary`).click();
  const [file] = await Promise.all([page.waitForEvent('download'), page.locator(`${root} .export-list`).getByText(item).click()]);
  const chunks = [];
  for await (const chunk of await file.createReadStream()) chunks.push(chunk);
  return { name: file.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

/** Width and height from a PNG's signature and IHDR chunk. */
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'not a PNG signature');
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test('exports: chart PNG, statistics CSV and snapshot JSON, from the page, an embed and the API', TIMEOUT, async () => {
  await onPage('index.html?depth=5&seed=3&activation=relu', async (page) => {
    await page.getByRole('button', { name: 'Step' }).click();
    await page.getByRole('button', { name: 'Step' }).click();
    const png = await download(page, '#figure', 'Gradient distribution per layer (PNG)');
    assert.equal(png.name, 'normscope-gradients-step2.png');
    const canvas = await page.evaluate(() => [document.querySelector('.chart-gradients canvas').width, document.querySelector('.chart-gradients canvas').height]);
    assert.deepEqual(pngSize(png.bytes), canvas);
    // The browser decodes it to the same pixels the chart shows.
    const same = await page.evaluate(async (b64) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
      const canvas = document.querySelector('.chart-gradients canvas');
      const copy = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
      copy.drawImage(bitmap, 0, 0);
      const a = copy.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const b = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      return a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 2);
    }, png.bytes.toString('base64'));
    assert.ok(same, 'the PNG does not hold the chart’s pixels');

    // The menu works from the keyboard: Enter opens it, Escape closes it and keeps focus.
    const summary = page.locator('#figure .export-menu summary');
    await summary.focus();
    await page.keyboard.press('Enter');
    await page.locator('#figure .export-list').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    await page.locator('#figure .export-list').waitFor({ state: 'hidden' });
    assert.ok(await summary.evaluate((s) => s === document.activeElement), 'Escape lost the focus');

    const csv = await download(page, '#figure', 'Statistics per layer (CSV)');
    assert.equal(csv.name, 'normscope-stats-step2.csv');
    const rows = csv.bytes.toString('utf8').trim().split('\n').map((line) => line.split(','));
    assert.deepEqual(rows[0], CSV_COLUMNS);
    assert.deepEqual(rows.slice(1).map((r) => r[0]), ['1', '2', '3', '4', '5'], 'one row per hidden layer');
    const cell = (row, name) => row[CSV_COLUMNS.indexOf(name)];
    for (const row of rows.slice(1)) {
      assert.equal(row.length, CSV_COLUMNS.length);
      const [std, spread, cosine] = ['out_std', 'sample_spread', 'sample_cosine'].map((c) => Number(cell(row, c)));
      assert.ok(Number.isFinite(std) && std > 0, `out_std ${std}`);
      assert.ok(spread > 0 && spread <= std * 1.0001, `sample_spread ${spread} vs out_std ${std}`);
      assert.ok(cosine >= -1 && cosine <= 1 && cell(row, 'sample_cosine') !== '', `sample_cosine ${cosine}`);
      const dead = Number(cell(row, 'dead'));
      assert.ok(dead >= 0 && dead <= 1 && cell(row, 'saturated') === '', 'ReLU: a dead share and no saturated share');
    }

    const json = await download(page, '#figure', 'Snapshot of the network (JSON)');
    assert.equal(json.name, 'normscope-snapshot-step2.json');
    const snapshot = JSON.parse(json.bytes.toString('utf8'));
    assert.equal(snapshot.format, 'normscope-snapshot/1');
    assert.equal(snapshot.layers.length, 5);
    assert.equal(snapshot.step, 2);
    assert.equal(snapshot.config.seed, 3);
    assert.equal(snapshot.layers[1].weight.length, 64);

    // The PyTorch script: its numbers are checked in tests/torch_script.rs.
    const script = await download(page, '#figure', 'PyTorch script (.py)');
    assert.equal(script.name, 'normscope-step2.py');
    const python = script.bytes.toString('utf8');
    assert.ok(python.startsWith('#!/usr/bin/env python3\n'), python.slice(0, 40));
    assert.match(python, /^STEP = 2 /m);
    assert.match(python, /^    "blocks\.4\.linear\.weight": \(\(64, 64\), "f", "/m);
  });

  await onPage('index.html?embed=1&depth=3', async (page) => {
    const csv = await download(page, 'body', 'Statistics per layer (CSV)');
    assert.equal(csv.bytes.toString('utf8').trim().split('\n').length, 4, 'header and three layers');
    // The API: a chart this embed does not show, at the export size.
    const info = await page.evaluate(async () => {
      const blob = await window.normscope.figure.exportPng('decision');
      const bitmap = await createImageBitmap(blob);
      return { type: blob.type, size: [bitmap.width, bitmap.height] };
    });
    assert.deepEqual(info, { type: 'image/png', size: [1200, 750] });
    await assert.rejects(page.evaluate(() => window.normscope.figure.exportPng('nope')), /unknown chart 'nope'/);
  }, { viewport: { width: 800, height: 500 } });
});

