// End-to-end tests of compare (issue 9), in headless Chromium: a `vs.` link
// shows A and B side by side, both drawn and different; the B line names B's
// differences; Step moves both to the same step; Swap A/B and Stop comparing;
// a refused `vs.` key gives a notice naming it and A alone; a B equal to A
// draws pixel-identical charts; an embedded comparison; the B/A readout
// quotes the ratios of the two networks' statistics. Prints (does not assert)
// Play's frames/s with two depth-20 networks.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/compare.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figure, urlParam as param, useBrowser } from './figures.mjs';

const TIMEOUT = { timeout: 180_000 };
const TANH = 'depth=20&activation=tanh&init=torch_default';
const { onPage } = useBrowser();

/** The pixels of chart `kind`'s canvas on side A and side B. */
const sides = (page, kind) =>
  page.evaluate((k) => ['A', 'B'].map((s) => document.querySelector(`.chart-${k}[data-side="${s}"] canvas`).toDataURL()), kind);
/** Both networks' stats (the core's numbers), A first. */
const bothStats = (page) =>
  page.evaluate(() => window.normscope.figure.comparisonStats());
/** "×1.2·10⁴" -> 12000. */
function readRatio(text) {
  const digits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  const [mantissa, power] = text.replace('×', '').split('·10');
  const exponent = power ? Number([...power].map((c) => (c === '⁻' ? '-' : digits.indexOf(c))).join('')) : 0;
  return Number(mantissa) * 10 ** exponent;
}

test('a vs. link draws A and B, Step moves both, the readout quotes their ratios, Swap and Stop work', TIMEOUT, async () => {
  await onPage(`index.html?${TANH}&vs.norm=layer`, async (page) => {
    await page.waitForSelector('.chart[data-side="B"]');
    assert.match(await page.locator('.compare-differences').innerText(), /^B: norm = layer\. A and B see the same batches/);
    for (const kind of ['activations', 'gradients', 'summary']) {
      const [a, b] = await sides(page, kind);
      assert.notEqual(a, b, `${kind}: A and B draw the same pixels`);
    }
    assert.equal(param(page, 'vs.norm'), 'layer', 'the URL lost vs.norm');
    assert.match(await page.locator('.status').innerText(), /^A: step 0 ·/);
    for (let i = 1; i <= 3; i += 1) {
      await page.getByRole('button', { name: 'Step' }).click();
      await page.waitForFunction((k) => window.normscope.figure.comparison().steps.join() === `${k},${k}`, i);
    }
    await page.waitForFunction(() => /\(step 3\)/.test(document.querySelector('.compare-ratios').textContent));
    const [statsA, statsB] = await bothStats(page);
    const readout = await page.locator('.compare-ratios').innerText();
    const [h, grad] = readout.split('; std dL/dh: ');
    for (const [text, field] of [[h, 'out'], [grad, 'grad']]) {
      for (const layer of [1, 20]) {
        const shown = readRatio(new RegExp(`layer ${layer} (×[^,;( ]+)`).exec(text)[1]);
        const ratio = statsB.layers[layer - 1][field].std / statsA.layers[layer - 1][field].std;
        assert.ok(Math.abs(shown / ratio - 1) < 0.06, `layer ${layer} ${field}: shows ${shown}, the stats give ${ratio}`);
      }
    }
    console.log(`# B/A readout at step 3: ${readout}`);

    await page.getByRole('button', { name: 'Swap A/B' }).click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('vs.norm') === 'none');
    assert.equal(param(page, 'norm'), 'layer');
    assert.match(await page.locator('.compare-differences').innerText(), /^B: norm = none/);
    assert.equal((await figure(page, 'comparison()')).steps.join(), '0,0', 'Swap did not start both again');

    await page.getByRole('button', { name: 'Stop comparing' }).click();
    await page.waitForFunction(() => !document.querySelector('.chart[data-side]'));
    assert.equal(param(page, 'vs.norm'), null);
    assert.equal(param(page, 'norm'), 'layer');
    assert.equal(await figure(page, 'comparison()'), false);
    assert.ok(await page.locator('.compare-bar').isHidden());
  });
});

test('a refused vs. key gives a notice naming it and shows A alone', TIMEOUT, async () => {
  for (const [bad, named] of [['vs.norm=fancy', /'vs\.norm'/], ['vs.seed=2', /'vs\.seed'/]]) {
    await onPage(`index.html?${TANH}&${bad}`, async (page) => {
      assert.match(await page.locator('.notices').innerText(), named);
      assert.match(await page.locator('.notices').innerText(), /Showing A alone/);
      assert.equal(await page.locator('.chart[data-side]').count(), 0, `${bad}: B is shown`);
      assert.equal(await figure(page, 'comparison()'), false);
      assert.equal(param(page, 'depth'), '20', `${bad}: A's keys were lost`);
      assert.equal(param(page, bad.split('=')[0]), null, `${bad} stayed in the URL`);
    });
  }
});

test('a B equal to A draws pixel-identical charts, step after step', TIMEOUT, async () => {
  await onPage(`index.html?${TANH}&vs.norm=none`, async (page) => {
    await page.waitForSelector('.chart[data-side="B"]');
    assert.match(await page.locator('.compare-differences').innerText(), /^B: the same as A/);
    await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction(() => window.normscope.figure.comparison().steps.join() === '1,1');
    for (const kind of ['activations', 'gradients', 'normalized']) { // summary and training: one overlay of both
      const [a, b] = await sides(page, kind);
      assert.equal(a, b, `${kind}: a B equal to A draws other pixels`);
    }
  });
});

test('an embedded comparison shows both; mount() takes `compare`', TIMEOUT, async () => {
  await onPage(`index.html?${TANH}&embed=1&charts=summary&vs.norm=layer`, async (page) => {
    await page.waitForSelector('.compare-overlay .chart-summary[data-side="A"]'); // the summary overlays A and B
    assert.equal(await page.locator('.chart-summary').count(), 2);
    const [a, b] = await sides(page, 'summary');
    assert.notEqual(a, b);
    const mounted = await page.evaluate(async () => {
      const { mount } = await import(new URL('www/figure.js', location.href).href);
      const host = document.body.appendChild(document.createElement('div'));
      const fig = await mount(host, { config: 'depth=4', compare: { norm: 'rms' }, charts: ['summary'], controls: [] });
      const out = { query: fig.query(), sides: host.querySelectorAll('.chart[data-side]').length };
      fig.destroy();
      return out;
    });
    assert.match(mounted.query, /&vs\.norm=rms$/);
    assert.equal(mounted.sides, 2);
  });
});

test('Play with two depth-20 networks (frames/s printed, not asserted)', TIMEOUT, async () => {
  await onPage(`index.html?${TANH}&vs.norm=layer`, async (page) => {
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForTimeout(4000);
    const perf = await figure(page, 'perf()');
    await page.getByRole('button', { name: 'Pause' }).click();
    const [stepsA, stepsB] = (await figure(page, 'comparison()')).steps;
    assert.equal(stepsA, stepsB, 'A and B drifted apart during Play');
    console.log(`# compare Play, two depth-20 networks: ${JSON.stringify(perf)}; ${stepsA} steps each`);
  });
});

test('when B diverges both pause at the same step and the status says B and where', TIMEOUT, async () => {
  await onPage('index.html?depth=20&activation=relu&init=normal&scale=50&lr=10&norm=layer&vs.norm=none', async (page) => {
    await page.getByRole('button', { name: 'Play' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'diverged' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /^B diverged at step (\d+) in (layer \d+|the loss)/);
    await page.waitForFunction(() => !window.normscope.figure.playing);
    const step = Number(/^B diverged at step (\d+)/.exec(await alert.innerText())[1]);
    const [stepsA, stepsB] = (await figure(page, 'comparison()')).steps;
    assert.equal(stepsA, stepsB, 'A and B stopped at different steps');
    assert.equal(stepsB, step, 'B stopped after the step it diverged at');
    assert.match(await page.locator('.status').innerText(), /B diverged at step \d+ in (layer \d+|the loss); both paused/);
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await alert.waitFor({ state: 'detached' });
    assert.equal((await figure(page, 'comparison()')).steps.join(), '0,0');
  });
});

test('a comparison whose networks would train in a worker says so and shows A alone', TIMEOUT, async () => {
  await onPage('index.html?depth=64&width=256&vs.norm=layer', async (page) => {
    const notice = page.getByRole('alert').filter({ hasText: 'Not compared' });
    await notice.waitFor();
    assert.match(await notice.innerText(), /train in a worker, and compare runs on the page only for now\. Showing A alone/);
    assert.equal(await page.locator('.chart[data-side]').count(), 0);
    assert.equal(await figure(page, 'comparison()'), false);
    assert.equal(param(page, 'vs.norm'), null, 'the URL kept a comparison the figure does not show');
    assert.equal(param(page, 'width'), '256');
  });
});
