// End-to-end tests of compare (issue 9), in headless Chromium: a `vs.` link
// shows A and B side by side, both drawn and different; the B line names B's
// differences; Step moves both to the same step; Swap A/B and Stop comparing;
// a refused `vs.` key gives a notice naming it and A alone; a B equal to A
// draws pixel-identical charts; an embedded comparison; the B/A readout
// quotes the ratios of the two networks' statistics; the Compare toggle sets a
// B value (URL `vs.`), a bad one gives the notice and keeps A; the CSV, the
// snapshot and the script of a comparison; two depth-20 networks (their costs
// together past the worker threshold) and a depth 64 x 256 comparison train in
// two workers in lockstep, and after Pause the status line (A's step) and the
// B/A readout (B's) never show different steps. Prints (does not assert) Play's
// frames/s with two depth-20 networks and with the 64 x 256 comparison.
// Two workers' first frames come after the page says ready: bothShown waits.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/compare.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bothShown, figure, pairedPixels, TALL, urlParam as param, useBrowser } from './figures.mjs';

const TIMEOUT = { timeout: 180_000 };
const TANH = 'depth=20&activation=tanh&init=torch_default';
const { onPage } = useBrowser();

/** The pixels of chart `kind`'s canvas on side A and side B (painted: pairedPixels). */
const sides = async (page, kind) => (await pairedPixels(page, kind)).map((side) => side.pixels);
/** Both networks' stats (the core's numbers), A first. */
const bothStats = (page) =>
  page.evaluate(() => window.normscope.figure.comparisonStats());
/**
 * Presses Pause and from that moment records, after every change of either,
 * the step the status line shows ("A: step N", A's) and the step the B/A
 * readout shows ("(step N)", B's); once nothing is on its way, returns the
 * records and both networks' steps. A step that lands after Pause lands on both.
 */
async function pauseAndWatch(page) {
  await page.evaluate(() => {
    const read = () => [
      /^A: step (\d+)/.exec(document.querySelector('.status').textContent)?.[1],
      /\(step (\d+)\)/.exec(document.querySelector('.compare-ratios').textContent)?.[1],
    ];
    [...document.querySelectorAll('button')].find((button) => button.textContent === 'Pause').click();
    window.shownSteps = [read()];
    const observer = new MutationObserver(() => window.shownSteps.push(read()));
    for (const selector of ['.status', '.compare-ratios']) {
      observer.observe(document.querySelector(selector), { childList: true, characterData: true, subtree: true });
    }
  });
  const steps = await bothShown(page);
  return { steps, shown: await page.evaluate(() => window.shownSteps) };
}

/** Asserts that A and B stopped at one step and the figure never showed them apart after Pause. */
function assertPausedTogether({ steps, shown }) {
  assert.equal(steps[0], steps[1], `A and B drifted apart: ${steps}`);
  const apart = shown.filter(([a, b]) => a !== b);
  assert.deepEqual(apart, [], `after Pause the status showed A at one step and the readout B at another: ${JSON.stringify(shown)}`);
  assert.deepEqual(shown.at(-1), [String(steps[0]), String(steps[1])], 'the figure does not show the steps A and B are at');
}

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
    assert.deepEqual(await bothShown(page), [0, 0]);
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

    // Stop comparing keeps A as it is, trained steps included.
    for (let i = 1; i <= 2; i += 1) await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction(() => window.normscope.figure.comparison().steps.join() === '2,2');
    await page.getByRole('button', { name: 'Stop comparing' }).click();
    await page.waitForFunction(() => !document.querySelector('.chart[data-side]'));
    assert.match(await page.locator('.status').innerText(), /^step 2 ·/, 'Stop comparing started A again');
    assert.equal(param(page, 'vs.norm'), null);
    assert.equal(param(page, 'norm'), 'layer');
    assert.equal(await figure(page, 'comparison()'), false);
    assert.ok(await page.locator('.compare-bar').isHidden());
  }, TALL);
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
  }, TALL);
});

test('an embedded comparison shows both; mount() takes `compare`', TIMEOUT, async () => {
  await onPage(`index.html?${TANH}&embed=1&charts=summary&vs.norm=layer`, async (page) => {
    await page.waitForSelector('.compare-overlay .chart-summary[data-side="A"]'); // the summary overlays A and B
    assert.deepEqual(await bothShown(page), [0, 0]);
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

test('two depth-20 networks train in two workers; after Pause both show one step (frames/s printed, not asserted)', TIMEOUT, async () => {
  await onPage(`index.html?${TANH}&vs.norm=layer`, async (page) => {
    // Each is under WORKER_FLOPS (www/engine.js), their sum is past it: the page would take both steps.
    const flops = await page.evaluate(async (query) => {
      const { load } = await import(new URL('www/wasm.js', location.href).href);
      const { WORKER_FLOPS } = await import(new URL('www/engine.js', location.href).href);
      const ns = await load();
      const { a, b } = ns.compareQuery(query);
      return { a: ns.checkQuery(a).flopsPerStep, b: ns.checkQuery(b).flopsPerStep, limit: WORKER_FLOPS };
    }, `${TANH}&vs.norm=layer`);
    assert.ok(flops.a <= flops.limit && flops.a + flops.b > flops.limit, `FLOP per step: ${JSON.stringify(flops)}`);
    assert.deepEqual((await figure(page, 'comparison()')).where, ['worker', 'worker']);
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForTimeout(4000);
    const perf = await figure(page, 'perf()');
    const paused = await pauseAndWatch(page);
    assertPausedTogether(paused);
    assert.ok(paused.steps[0] >= 2, `only ${paused.steps[0]} steps`);
    console.log(`# compare Play, two depth-20 networks: ${JSON.stringify(perf)}; ${paused.steps[0]} steps each`);
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
    const [stepsA, stepsB] = await bothShown(page);
    assert.equal(stepsA, stepsB, 'A and B stopped at different steps');
    assert.equal(stepsB, step, 'B stopped after the step it diverged at');
    assert.match(await page.locator('.status').innerText(), /B diverged at step \d+ in (layer \d+|the loss); both paused/);
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await alert.waitFor({ state: 'detached' });
    assert.equal((await figure(page, 'comparison()')).steps.join(), '0,0');
    // Diverged again, then Stop comparing: A stays at its step, B's notice goes, A alone plays on.
    await page.getByRole('button', { name: 'Play' }).click();
    await alert.waitFor();
    await page.waitForFunction(() => !window.normscope.figure.playing);
    await page.getByRole('button', { name: 'Stop comparing' }).click();
    await alert.waitFor({ state: 'detached' });
    assert.match(await page.locator('.status').innerText(), new RegExp(`^step ${step} ·`));
    await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction((s) => new RegExp(`^step ${s + 1} ·`).test(document.querySelector('.status').textContent), step);
  });
});

/** Text of an export Blob of the figure, e.g. 'exportCsv()'. */
const exported = (page, call) => page.evaluate(async (c) => (await window.normscope.figure[c]()).text(), call);

test('the Compare toggle sets a B value and the URL gets vs.; a bad B value: a notice, A alone and kept', TIMEOUT, async () => {
  await onPage(`index.html?${TANH}`, async (page) => {
    await page.getByLabel('Compare with a network B').check();
    await page.getByLabel('B differs in').selectOption({ label: 'Normalization' });
    await page.getByLabel("B's value").selectOption('layer');
    await page.waitForSelector('.chart[data-side="B"]');
    assert.equal(param(page, 'vs.norm'), 'layer');
    assert.equal(param(page, 'depth'), '20', "A's keys were lost");
    assert.deepEqual((await figure(page, 'comparison()')).differences, { norm: 'layer' });
    assert.match(await page.locator('.compare-differences').innerText(), /^B: norm = layer\./);
    assert.equal(await page.locator('.compare-keys li').innerText(), 'norm = layer\n×');

    await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction(() => window.normscope.figure.comparison().steps.join() === '1,1');
    await page.getByLabel('B differs in').selectOption({ label: 'Learning rate' });
    await page.getByLabel("B's value").fill('-1');
    await page.getByLabel("B's value").press('Enter');
    const notice = page.getByRole('alert').filter({ hasText: 'Not compared' });
    await notice.waitFor();
    assert.match(await notice.innerText(), /'vs\.lr'.*Showing A alone/s);
    assert.equal(await page.locator('.chart[data-side]').count(), 0);
    assert.equal(param(page, 'vs.norm'), null, 'the URL kept a comparison the figure does not show');
    assert.equal(await figure(page, 'steps'), 1, "A lost its trained step");
    assert.equal(param(page, 'depth'), '20');

    await page.getByLabel('B differs in').selectOption({ label: 'Normalization' });
    await page.getByLabel("B's value").selectOption('rms');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('vs.norm') === 'rms');
    await page.getByRole('button', { name: 'B takes A’s Normalization again' }).click();
    await page.waitForFunction(() => !new URL(location.href).search.includes('vs.'));
    assert.equal(await figure(page, 'comparison()'), false);
    await page.getByLabel('B differs in').selectOption({ label: 'Normalization' });
    await page.getByLabel("B's value").selectOption('layer');
    await page.waitForSelector('.chart[data-side="B"]');
    await page.getByLabel('Compare with a network B').uncheck();
    await page.waitForFunction(() => !document.querySelector('.chart[data-side]'));
    assert.equal(param(page, 'vs.norm'), null);
  });
});

test('the Compare toggle at 390 px (screenshot)', TIMEOUT, async () => {
  await onPage(`index.html?${TANH}&vs.norm=layer`, async (page) => {
    const editor = page.locator('.compare-editor');
    await editor.scrollIntoViewIfNeeded();
    const box = await editor.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `the toggle overflows 390 px: ${JSON.stringify(box)}`);
    await editor.screenshot({ path: new URL('out/compare-toggle-390.png', import.meta.url).pathname });
  }, { viewport: { width: 390, height: 844 } });
});

test('exports of a comparison: the CSV has A and B rows, the snapshot both networks, the script says it is A', TIMEOUT, async () => {
  await onPage(`index.html?${TANH}&vs.norm=layer`, async (page) => {
    await page.waitForSelector('.chart[data-side="B"]');
    for (let i = 1; i <= 2; i += 1) {
      await page.getByRole('button', { name: 'Step' }).click();
      await page.waitForFunction((k) => window.normscope.figure.comparison().steps.join() === `${k},${k}`, i);
    }
    const [header, ...rows] = (await exported(page, 'exportCsv')).trimEnd().split('\n');
    assert.match(header, /^network,layer,pre_mean,/);
    const column = header.split(',').indexOf('out_std');
    const [statsA, statsB] = await bothStats(page);
    for (const [side, stats] of [['A', statsA], ['B', statsB]]) {
      const mine = rows.filter((row) => row.startsWith(`${side},`)).map((row) => row.split(','));
      assert.deepEqual(mine.map((row) => Number(row[1])), stats.layers.map((l) => l.layer), `${side}: not one row per layer`);
      for (const [i, row] of mine.entries()) {
        const std = stats.layers[i].out.std;
        assert.ok(Math.abs(Number(row[column]) - std) <= 1e-6 * Math.abs(std), `${side} layer ${i + 1}: out_std ${row[column]} vs ${std}`);
      }
    }
    assert.equal(rows.length, statsA.layers.length * 2);

    const snapshot = JSON.parse(await exported(page, 'exportSnapshot'));
    assert.equal(snapshot.format, 'normscope-comparison/1');
    assert.deepEqual(snapshot.differences, { norm: 'layer' });
    assert.match(snapshot.query, /&vs\.norm=layer$/);
    assert.deepEqual([snapshot.a.format, snapshot.b.format], ['normscope-snapshot/1', 'normscope-snapshot/1']);
    assert.deepEqual([snapshot.a.step, snapshot.b.step], [2, 2]);
    assert.deepEqual([snapshot.a.config.norm, snapshot.b.config.norm], ['none', 'layer']);
    // A snapshot's statistics are those of its own parameters on its own batch
    // (docs/network.md, "Which pass the charts show"): B's must be what B's
    // network alone, built and trained 2 steps by the page's module, writes.
    const alone = await page.evaluate(async (query) => {
      const { Scope } = await import(new URL('pkg/normscope.js', location.href).href);
      const scope = new Scope(query);
      scope.step(2);
      const json = JSON.parse(scope.snapshotJson());
      scope.free();
      return json.stats.layers[0].out.std;
    }, `${TANH}&norm=layer`);
    const written = snapshot.b.stats.layers[0].out.std;
    assert.equal(written, alone, `B's snapshot: out_std ${written}, B's network alone ${alone}`);
    assert.notEqual(written, snapshot.a.stats.layers[0].out.std, "B's snapshot holds A's statistics");

    const script = await exported(page, 'exportTorch');
    assert.match(script, /^#!/);
    assert.match(script, /rebuilds network A only\. B differs from A in: norm = layer\./);
  });
});

test('a depth 64 x 256 comparison trains A and B in two workers, in lockstep (Play frames/s printed, not asserted)', TIMEOUT, async () => {
  await onPage('index.html?depth=64&width=256&vs.norm=layer', async (page) => {
    await page.waitForSelector('.chart[data-side="B"]');
    await page.waitForFunction(() => !document.querySelector('.figure.building'), null, { timeout: 60_000 });
    assert.equal(await page.getByRole('alert').filter({ hasText: 'Not compared' }).count(), 0);
    assert.deepEqual((await figure(page, 'comparison()')).where, ['worker', 'worker']);
    assert.equal(param(page, 'vs.norm'), 'layer');
    await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction(() => window.normscope.figure.comparison().steps.join() === '1,1', null, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Play' }).click();
    const frames = page.evaluate(
      () =>
        new Promise((resolve) => {
          let count = 0;
          const started = performance.now();
          const tick = (now) => (now - started < 6000 ? (count += 1, requestAnimationFrame(tick)) : resolve((count * 1000) / (now - started)));
          requestAnimationFrame(tick);
        }),
    );
    const fps = await frames;
    const perf = await figure(page, 'perf()');
    const paused = await pauseAndWatch(page);
    assertPausedTogether(paused);
    const { steps } = paused;
    assert.ok(steps[0] >= 2, `only ${steps[0]} steps`);
    console.log(`# compare Play, depth 64 x 256 in two workers: page ${fps.toFixed(1)} frames/s; ${JSON.stringify(perf)}; ${steps[0]} steps each`);
    const [header, ...rows] = (await exported(page, 'exportCsv')).trimEnd().split('\n');
    assert.match(header, /^network,/);
    assert.deepEqual([rows.filter((r) => r.startsWith('A,')).length, rows.filter((r) => r.startsWith('B,')).length], [64, 64]);
  });
});
