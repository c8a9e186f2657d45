// End-to-end tests of a comparison's charts (issue 9, "Charts that can be
// compared"), in headless Chromium: paired charts share one scale (the range
// each canvas states in data-range is the union of A's and B's own ranges as
// the core reports them, equal on both sides, and it changes the pixels);
// the per-layer summary and training are one overlay of A and B; hover reads
// out A's and B's values (checked against both networks' stats); the PNG of
// a comparison holds both panels; a B equal to A is still pixel-identical;
// a B with other points (dataset, noise) has its decision regions over the
// same extent as A's, on the page and in workers; the distributions over
// time share their value axis.
// Two depth-20 networks train in workers, whose first frames come after the
// page says ready: bothShown waits for both.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/compare-charts.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bothShown, figure, pairedPixels, TALL, useBrowser } from './figures.mjs';

const TIMEOUT = { timeout: 180_000 };
const TANH = 'depth=20&activation=tanh&init=torch_default';
const { onPage } = useBrowser();

/** data-range and pixels of chart `kind` on sides A and B (painted: pairedPixels). */
const sides = pairedPixels;

/** The tooltip of side `side`'s chart `kind` (null: not comparing) hovered at (fx, fy) of its canvas box. */
async function hover(page, kind, side, [fx, fy]) {
  const chart = side ? `.chart-${kind}[data-side="${side}"]` : `.chart-${kind}`;
  const canvas = page.locator(`${chart} canvas`);
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  await canvas.hover({ position: { x: box.width * fx, y: box.height * fy } });
  const tooltip = page.locator(`${chart} .chart-tooltip`);
  await tooltip.waitFor({ state: 'visible' });
  return tooltip.innerText();
}

/** "1.23e-4", "0.42", "−0.5" -> number. */
const num = (text) => Number(text.replace('\u2212', '-'));

test('paired heatmaps share one range: the union of A’s and B’s, equal on both sides', TIMEOUT, async () => {
  await onPage(`index.html?${TANH}&vs.norm=layer`, async (page) => {
    await page.waitForSelector('.chart[data-side="B"]');
    await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction(() => window.normscope.figure.comparison().steps.join() === '1,1');
    assert.match(await page.locator('.compare-differences').innerText(), /Paired charts share their scales\./);
    assert.doesNotMatch(await page.locator('.compare-bar').innerText(), /own scale/);
    for (const kind of ['activations', 'gradients']) {
      const [a, b] = await sides(page, kind);
      assert.ok(a.range, `${kind}: A states no range`);
      assert.equal(a.range, b.range, `${kind}: A and B are drawn on different ranges`);
      // The union of each side's own histogram range (the core's stats).
      const [statsA, statsB] = await figure(page, 'comparisonStats()');
      const field = kind === 'activations' ? 'out' : 'grad';
      const own = (stats) => [stats.layers[0][field].histogram.lo, stats.layers[0][field].histogram.hi];
      const [lo, hi] = a.range.split(',').map(Number);
      const union = [Math.min(own(statsA)[0], own(statsB)[0]), Math.max(own(statsA)[1], own(statsB)[1])];
      assert.ok(Math.abs(lo - union[0]) <= 1e-6 * Math.abs(union[0]) && Math.abs(hi - union[1]) <= 1e-6 * Math.abs(union[1]),
        `${kind}: range ${a.range}, the stats give ${union}`);
      assert.notEqual(a.pixels, b.pixels, `${kind}: A and B draw the same pixels`);
    }
    // What is normalized: one colour extent for both matrices.
    const [na, nb] = await sides(page, 'normalized');
    assert.match(na.range, /^-[\d.e-]+,[\d.e-]+$/, `normalized: A states ${na.range}`);
    assert.equal(na.range, nb.range, 'normalized: A and B have different colour scales');
    // The gradients' symlog axis shares its threshold too.
    await page.locator('.chart-gradients[data-side="A"]').getByText('symlog', { exact: true }).click();
    await page.waitForFunction(() => document.querySelector('.chart-gradients[data-side="B"] canvas').dataset.range.split(',').length === 3);
    const [a, b] = await sides(page, 'gradients');
    assert.equal(a.range, b.range);
  }, TALL);
});

test('the summary and training are one overlay of A and B; hover reads out both', TIMEOUT, async () => {
  await onPage(`index.html?${TANH}&vs.norm=layer`, async (page) => {
    await page.waitForSelector('.chart[data-side="B"]');
    for (let i = 0; i < 3; i += 1) await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction(() => window.normscope.figure.comparison().steps.join() === '3,3');
    for (const kind of ['summary', 'training']) {
      assert.ok(await page.locator(`.chart-${kind}[data-side="B"]`).isHidden(), `${kind}: B's own panel is shown`);
      assert.ok(await page.locator(`.chart-${kind}[data-side="A"]`).isVisible());
      assert.match(await page.locator(`.compare-overlay .chart-${kind}[data-side="A"] .chart-hint`).innerText(), /A \(blue, solid\) and B \(vermillion, dashed\)/);
      assert.match(await page.locator(`.chart-${kind}[data-side="A"] canvas`).getAttribute('aria-label'), /^Networks A and B in one chart\./);
    }
    // Both series are drawn: A's blue (0,114,178) and B's vermillion (213,94,0) in the summary.
    const colours = await page.evaluate(() => {
      const canvas = document.querySelector('.chart-summary[data-side="A"] canvas');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      const count = (r, g, b) => {
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 12) n += 1;
        return n;
      };
      return { blue: count(0, 114, 178), vermillion: count(213, 94, 0) };
    });
    assert.ok(colours.blue > 200 && colours.vermillion > 200, `summary overlay colours: ${JSON.stringify(colours)}`);

    // Hover on the summary overlay: layer L's std h of A and of B, as the stats give them.
    const [statsA, statsB] = await figure(page, 'comparisonStats()');
    const text = await hover(page, 'summary', 'A', [0.5, 0.25]);
    const match = /^layer (\d+) · std h A (\S+) · B (\S+) · std dL\/dh A (\S+) · B (\S+) · mean cosine A (\S+) · B (\S+)$/.exec(text);
    assert.ok(match, `summary hover: ${text}`);
    const layer = Number(match[1]);
    const close = (shown, value) => Math.abs(num(shown) / value - 1) < 0.006;
    assert.ok(close(match[2], statsA.layers[layer - 1].out.std), `A std h ${match[2]}`);
    assert.ok(close(match[3], statsB.layers[layer - 1].out.std), `B std h ${match[3]}`);
    assert.ok(close(match[4], statsA.layers[layer - 1].grad.std), `A std dL/dh ${match[4]}`);
    assert.ok(close(match[5], statsB.layers[layer - 1].grad.std), `B std dL/dh ${match[5]}`);
    console.log(`# summary overlay hover: ${text}`);

    const training = await hover(page, 'training', 'A', [0.9, 0.22]);
    const loss = /^step (\d+) · batch loss A (\S+) · B (\S+)$/.exec(training);
    assert.ok(loss, `training hover: ${training}`);
    // The core's training history of both networks, rebuilt from the comparison's query.
    const histories = await page.evaluate(async () => {
      const { load } = await import(new URL('www/wasm.js', location.href).href);
      const ns = await load();
      const answer = ns.compareQuery(window.normscope.figure.comparison().query);
      return [answer.a, answer.b].map((query) => {
        const scope = new ns.Scope(query);
        scope.step(3);
        const history = scope.history();
        scope.free();
        return history;
      });
    });
    const record = histories[0].steps.indexOf(Number(loss[1]));
    assert.ok(record >= 0, `step ${loss[1]} is not a record`);
    assert.ok(close(loss[2], histories[0].loss[record]), `A loss ${loss[2]}, the core gives ${histories[0].loss[record]}`);
    assert.ok(close(loss[3], histories[1].loss[record]), `B loss ${loss[3]}, the core gives ${histories[1].loss[record]}`);
    console.log(`# training overlay hover: ${training}`);

    // A side-by-side chart's hover has both sides' readings.
    const heat = await hover(page, 'activations', 'B', [0.5, 0.5]);
    assert.match(heat, /^layer \d+ · .*A: .* · B: .*mean \S+, std \S+$/, `activations hover: ${heat}`);

    // Stop comparing: A's charts are its own again (own scale, own summary, own hover).
    await page.getByRole('button', { name: 'Stop comparing' }).click();
    await page.waitForFunction(() => !document.querySelector('.chart[data-side]'));
    assert.equal(await page.locator('.compare-overlay').count(), 0);
    assert.doesNotMatch(await page.locator('.chart-summary canvas').getAttribute('aria-label'), /Networks A and B/);
    assert.equal(await page.locator('canvas[data-range]').count(), 0);
    assert.doesNotMatch(await hover(page, 'summary', null, [0.5, 0.25]), / A .* B /);
  }, TALL);
});

test('the PNG of a comparison shows A and B, labelled, with B’s differences', TIMEOUT, async () => {
  await onPage(`index.html?${TANH}&vs.norm=layer`, async (page) => {
    await page.waitForSelector('.chart[data-side="B"]');
    assert.deepEqual(await bothShown(page), [0, 0]);
    /** Chart `kind`'s PNG, and whether each panel's pixels are in it where the layout puts them. */
    const exported = (kind, panels) =>
      page.evaluate(
        async ([k, sides]) => {
          const { pairedLayout } = await import(new URL('www/exports.js', location.href).href);
          const image = await createImageBitmap(await window.normscope.figure.exportPng(k));
          const png = document.createElement('canvas');
          [png.width, png.height] = [image.width, image.height];
          png.getContext('2d').drawImage(image, 0, 0);
          const canvases = sides.map((s) => document.querySelector(`.chart-${k}[data-side="${s}"] canvas`));
          const layout = pairedLayout(canvases.map((c) => [c.width, c.height]));
          const found = canvases.map((c, i) => {
            const [x, y] = layout.at[i];
            const inPng = png.getContext('2d').getImageData(x, y, c.width, c.height).data;
            const own = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let differ = 0;
            for (let j = 0; j < own.length; j += 1) if (Math.abs(own[j] - inPng[j]) > 2) differ += 1;
            return differ / own.length;
          });
          // The caption's dark text under the panels.
          const below = png.getContext('2d').getImageData(0, layout.top + layout.height, png.width, png.height - layout.top - layout.height).data;
          let ink = 0;
          for (let j = 0; j < below.length; j += 4) if (below[j] < 100) ink += 1;
          return { width: png.width, panels: canvases.map((c) => c.width), found, ink };
        },
        [kind, panels],
      );
    const pair = await exported('activations', ['A', 'B']);
    assert.ok(pair.width > pair.panels[0] + pair.panels[1], `PNG ${pair.width} px wide, panels ${pair.panels}`);
    assert.deepEqual(pair.found.map((share) => share < 0.001), [true, true], `A's and B's pixels in the PNG: ${pair.found}`);
    assert.ok(pair.ink > 50, 'no caption under the panels');
    const overlay = await exported('summary', ['A']);
    assert.ok(overlay.width > overlay.panels[0] && overlay.found[0] < 0.001, `summary PNG: ${JSON.stringify(overlay)}`);
  });
});

test('vs.norm=none equal to A still draws pixel-identical pairs on the shared scale', TIMEOUT, async () => {
  await onPage(`index.html?${TANH}&vs.norm=none`, async (page) => {
    await page.waitForSelector('.chart[data-side="B"]');
    await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction(() => window.normscope.figure.comparison().steps.join() === '1,1');
    for (const kind of ['activations', 'gradients', 'decision']) {
      const [a, b] = await sides(page, kind);
      assert.equal(a.range, b.range);
      assert.equal(a.pixels, b.pixels, `${kind}: a B equal to A draws other pixels`);
    }
    assert.match(await hover(page, 'activations', 'A', [0.5, 0.5]), /\(A and B\)$/);
  }, TALL);
});

test('a B with other points: both decision charts cover one extent (page and workers), Stop gives A its own', TIMEOUT, async () => {
  // The default network trains on the page; two depth-20 networks in two workers.
  for (const query of ['dataset=moons&noise=0&vs.noise=0.6', `${TANH}&noise=0&vs.noise=0.6`]) {
    await onPage(`index.html?${query}`, async (page) => {
      await page.waitForSelector('.chart[data-side="B"]');
      await page.getByRole('button', { name: 'Step' }).click();
      await page.waitForFunction(() => window.normscope.figure.comparison().steps.join() === '1,1');
      await bothShown(page);
      const [a, b] = await sides(page, 'decision');
      assert.notEqual(a.pixels, b.pixels, `${query}: other points, other pictures`);
      // The same pixel is the same input on both sides: the coordinates are the shared part of the readout.
      const both = await hover(page, 'decision', 'A', [0.3, 0.6]);
      const coordinates = both.split(' · ')[0];
      assert.match(coordinates, /^x₁ \S+, x₂ \S+$/, `${query}: ${both}`);
      assert.match(both, / · (A: .* · B: .*|.*\(A and B\))$/, `${query}: ${both}`);
      // Back to A alone: its decision regions cover its own data again.
      await page.getByRole('button', { name: 'Stop comparing' }).click();
      await page.waitForFunction(() => !document.querySelector('.chart[data-side="B"]'));
      await page.mouse.move(0, 0);
      const alone = await hover(page, 'decision', null, [0.3, 0.6]);
      assert.notEqual(alone.split(' · ')[0], coordinates, `${query}: A alone still covers B's points`);
    }, TALL);
  }
});

test('the distributions over time share one value axis: the union of A’s and B’s', TIMEOUT, async () => {
  // Layer 1's h: tanh of the Linear output (A) against tanh of its LayerNorm (B), which differ.
  await onPage(`index.html?${TANH}&vs.norm=layer&timetensor=out`, async (page) => {
    await page.waitForSelector('.chart[data-side="B"]');
    for (let i = 0; i < 3; i += 1) await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction(() => window.normscope.figure.comparison().steps.join() === '3,3');
    await bothShown(page);
    const [a, b] = await sides(page, 'overtime');
    assert.match(a.range || '', /^-?[\d.e-]+,-?[\d.e-]+$/, `overtime: A states ${a.range}`);
    assert.equal(a.range, b.range, 'overtime: A and B have different value axes');
    assert.notEqual(a.pixels, b.pixels);
  }, TALL);
});
