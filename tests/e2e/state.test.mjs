// End-to-end tests of state that survives: BatchNorm's mode switch keeps the
// trained network; a `step=N` link trains to step N on load (on the page and
// in a worker) with the same statistics as pressing Step N times; Width and
// Groups under GroupNorm stay a valid pair while Width is dragged; the status
// line says what loss and accuracy are measured on, with the core's numbers.
//
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node --test tests/e2e/   (or `cargo xtask test`)

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartPixels as pixels, figure, statsCsv as csv, urlParam as param, useBrowser } from './figures.mjs';

const TIMEOUT = { timeout: 180_000 };
const BIG = 'depth=64&width=256&norm=batch';
const { onPage } = useBrowser();

/** Waits until the figure has its network and any start step: nothing building or training to a step. */
const settled = (page) =>
  page.waitForFunction(() => !document.querySelector('.figure.building, .figure.seeking'), null, { timeout: 90_000 });
/** Clicks Step `n` times, each time waiting for the step to land (a worker's arrive with its frame). */
async function stepTimes(page, n) {
  for (let i = 1; i <= n; i += 1) {
    await page.getByRole('button', { name: 'Step' }).click();
    await page.waitForFunction((k) => window.normscope.figure.steps === k, i, { timeout: 60_000 });
  }
  await settled(page);
}

test('switching BatchNorm mode keeps the trained network; switching back shows the same charts', TIMEOUT, async () => {
  await onPage('index.html?norm=batch&depth=6', async (page) => {
    await stepTimes(page, 10);
    const [trainCsv, trainPixels] = [await csv(page), await pixels(page, 'activations')];
    const mode = page.getByLabel('BatchNorm mode', { exact: true });
    await mode.selectOption('eval');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('mode') === 'eval');
    assert.equal(await figure(page, 'steps'), 10, 'the mode switch reset the step count');
    assert.match(await page.locator('.status').innerText(), /^step 10 ·/);
    const evalCsv = await csv(page);
    assert.notEqual(evalCsv, trainCsv, 'eval mode shows the same statistics as train mode');
    assert.notEqual(await pixels(page, 'activations'), trainPixels, 'the charts did not change with the mode');
    await mode.selectOption('train');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('mode') === 'train');
    assert.equal(await figure(page, 'steps'), 10);
    assert.equal(await csv(page), trainCsv, 'switching back changed the statistics');
    assert.equal(await pixels(page, 'activations'), trainPixels, 'switching back changed the chart');

    // The wasm Scope refuses a bad mode by name and changes nothing.
    const refused = await page.evaluate(async () => {
      const { Scope } = await import(new URL('pkg/normscope.js', location.href).href);
      const scope = new Scope('norm=batch&depth=3');
      scope.step(2);
      let error = '';
      try {
        scope.setMode('bogus');
      } catch (e) {
        error = e.message;
      }
      const out = { error, mode: scope.config().mode, steps: scope.steps };
      scope.free();
      return out;
    });
    assert.deepEqual(refused, { error: `invalid value "bogus" for 'mode': allowed one of train, eval`, mode: 'train', steps: 2 });
  });
});

test('a step=N link trains to step N on the page: the statistics of pressing Step N times; the URL keeps it', TIMEOUT, async () => {
  const query = 'norm=batch&depth=6';
  let stepped;
  await onPage(`index.html?${query}`, async (page) => {
    await stepTimes(page, 25);
    stepped = await csv(page);
  });
  await onPage(`index.html?${query}&step=25`, async (page) => {
    await settled(page);
    assert.equal(await figure(page, 'steps'), 25);
    assert.equal(await csv(page), stepped, 'step=25 differs from 25 presses of Step');
    assert.equal(await page.locator('.notice').count(), 0);
    // Play does not rewrite `step`; a config change or Reset drops it.
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => window.normscope.figure.steps > 30);
    await page.getByRole('button', { name: 'Pause' }).click();
    assert.equal(param(page, 'step'), '25');
    await page.getByLabel('BatchNorm mode', { exact: true }).selectOption('eval');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('mode') === 'eval');
    assert.equal(param(page, 'step'), '25', 'a mode switch keeps the run, so its step');
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('step'));
    assert.equal(await figure(page, 'steps'), 0);
  });
  // Eval mode at step 10 by link equals training 10 steps and switching to eval.
  await onPage(`index.html?${query}`, async (page) => {
    await stepTimes(page, 10);
    await page.getByLabel('BatchNorm mode', { exact: true }).selectOption('eval');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('mode') === 'eval');
    stepped = await csv(page);
  });
  await onPage(`index.html?${query}&mode=eval&step=10`, async (page) => {
    await settled(page);
    assert.equal(await csv(page), stepped);
  });
});

test('a step=N link to a big network trains in the worker, counting in the status line', TIMEOUT, async () => {
  let stepped;
  await onPage(`index.html?${BIG}`, async (page) => {
    await settled(page);
    assert.equal((await figure(page, 'perf()')).engine, 'worker');
    await stepTimes(page, 3);
    stepped = await csv(page);
  });
  await onPage(`index.html?${BIG}&step=3`, async (page) => {
    // All at once, while it trains: the count, the dimmed charts, Play waiting.
    await page.waitForFunction(() =>
      /^training to step 3: [0-3]\/3 · training in a worker$/.test(document.querySelector('.status').textContent) &&
      document.querySelector('.figure.seeking.building') &&
      document.querySelector('.buttons button.primary').disabled,
    );
    await settled(page);
    assert.equal(await figure(page, 'steps'), 3);
    assert.equal((await figure(page, 'perf()')).engine, 'worker');
    assert.equal(await csv(page), stepped, 'step=3 in the worker differs from 3 presses of Step');
    assert.match(await page.locator('.status').innerText(), /^step 3 · statistics of the batch of step 3 \(64 samples\): loss/);
    // The worker switches the mode on the same network too.
    const mode = page.getByLabel('BatchNorm mode', { exact: true });
    await mode.selectOption('eval');
    await page.waitForFunction((old) => window.normscope.figure.exportCsv().then((b) => b.text()).then((t) => t !== old), stepped);
    assert.equal(await figure(page, 'steps'), 3);
    await mode.selectOption('train');
    await page.waitForFunction((old) => window.normscope.figure.exportCsv().then((b) => b.text()).then((t) => t === old), stepped);
    assert.equal(await figure(page, 'steps'), 3);
  });
});

test('Copy link and the Embed dialog offer the current step; such a link reproduces it', TIMEOUT, async () => {
  let link;
  let shown;
  await onPage('index.html?norm=batch&depth=6', async (page) => {
    await page.evaluate(() => {
      navigator.clipboard.writeText = async (text) => (window.copied = text);
    });
    await stepTimes(page, 7);
    shown = await csv(page);
    const copy = page.getByRole('button', { name: 'Copy link' });
    await copy.click();
    assert.equal(new URL(await page.evaluate(() => window.copied)).searchParams.get('step'), null, 'step is in the link by default');
    await page.getByLabel('include the current step (7)').check();
    await copy.click();
    link = new URL(await page.evaluate(() => window.copied));
    assert.equal(link.searchParams.get('step'), '7');
    assert.equal(param(page, 'step'), null, 'Copy link rewrote the address bar');

    await page.getByRole('button', { name: 'Embed' }).click();
    const dialog = page.getByRole('dialog', { name: 'Embed this figure' });
    await dialog.getByLabel('include the current step (7)').check();
    const embed = new URL(await dialog.getByLabel('Link', { exact: true }).inputValue());
    assert.equal(embed.searchParams.get('step'), '7');
    assert.ok((await dialog.getByLabel('HTML for your page').inputValue()).includes('step=7'));
    await dialog.getByRole('button', { name: 'Close' }).click();
  });
  for (const url of [link.href, `${link.href}&embed=1`]) {
    await onPage(url.slice(url.indexOf('index.html')), async (page) => {
      await settled(page);
      assert.equal(await csv(page), shown, `${url} does not reproduce step 7`);
    });
  }
});

test('a bad step value gets a notice naming step and its range, and everything else is kept', TIMEOUT, async () => {
  for (const bad of ['-1', '2.5', '100001']) {
    await onPage(`index.html?depth=5&step=${bad}`, async (page) => {
      const notice = page.getByRole('alert').filter({ hasText: "'step'" });
      await notice.waitFor();
      const text = await notice.innerText();
      assert.ok(text.includes(`invalid value "${bad}" for 'step': allowed an integer in 0..=100000`), text);
      assert.match(text, /Starting at step 0\./);
      assert.equal(await figure(page, 'steps'), 0);
      assert.equal((await figure(page, 'config()')).depth, 5);
      assert.equal(param(page, 'step'), null);
    });
  }
});

test('a link that diverges before its step stops there and says so', TIMEOUT, async () => {
  await onPage('index.html?depth=20&activation=relu&init=normal&scale=50&lr=10&step=500', async (page) => {
    await settled(page);
    const notice = page.getByRole('alert').filter({ hasText: 'Step 500 not reached' });
    await notice.waitFor();
    const [, step] = /diverged at step (\d+)/.exec(await notice.innerText());
    assert.ok(Number(step) < 500);
    assert.equal(await figure(page, 'steps'), Number(step));
  });
});

test('Width under GroupNorm keeps Groups a divisor, with a note; the charts keep updating', TIMEOUT, async () => {
  await onPage('index.html?norm=group&width=64&groups=8', async (page) => {
    const groups = page.getByLabel('Groups', { exact: true });
    const options = () => groups.evaluate((select) => [...select.options].map((o) => Number(o.value)));
    assert.deepEqual(await options(), [1, 2, 4, 8, 16, 32, 64]);
    const before = await pixels(page, 'activations');
    await page.getByLabel('Width', { exact: true }).fill('12');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('width') === '12');
    assert.equal(param(page, 'groups'), '6');
    assert.equal(await groups.inputValue(), '6');
    assert.deepEqual(await options(), [1, 2, 3, 4, 6, 12]);
    const note = page.locator('.control[data-key="groups"] .control-note');
    assert.equal(await note.innerText(), 'Groups set to 6: 8 does not divide width 12.');
    assert.ok(await note.isVisible());
    assert.equal(await page.locator('.control-error:not([hidden])').count(), 0, 'an error shows under a control');
    assert.notEqual(await pixels(page, 'activations'), before, 'the charts did not redraw');

    // Dragging Width, one position a frame: every position is applied, and
    // Groups comes back to 8 where the width allows it.
    const drawn = await page.evaluate(async () => {
      const input = document.querySelector('.control[data-key="width"] input');
      const canvas = document.querySelector('.chart-activations canvas');
      const seen = new Set();
      for (let width = 13; width <= 40; width += 1) {
        input.value = String(width);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise(requestAnimationFrame);
        await new Promise(requestAnimationFrame);
        seen.add(canvas.toDataURL());
      }
      return seen.size;
    });
    assert.ok(drawn > 20, `only ${drawn} distinct activation charts over 28 widths`);
    await page.waitForFunction(() => new URL(location.href).searchParams.get('width') === '40');
    assert.equal(param(page, 'groups'), '8', 'Groups did not return to the count asked for');
    assert.equal(await note.isVisible(), false, 'the note outlived its cause');
    assert.equal(await page.locator('.control-error:not([hidden])').count(), 0);
  });
  // An embed that offers Width but not Groups says it in a notice.
  await onPage('index.html?norm=group&width=64&groups=8&embed=1&controls=width', async (page) => {
    await page.getByLabel('Width', { exact: true }).fill('12');
    await page.getByRole('alert').filter({ hasText: 'Groups set to 6: 8 does not divide width 12.' }).waitFor();
    assert.equal(param(page, 'groups'), '6');
  });
});

test('the status line says loss and accuracy are on the current batch, with the core numbers', TIMEOUT, async () => {
  const query = 'depth=5&batch=32';
  await onPage(`index.html?${query}`, async (page) => {
    await stepTimes(page, 3);
    const expected = await page.evaluate(async (q) => {
      const { Scope } = await import(new URL('pkg/normscope.js', location.href).href);
      const scope = new Scope(q);
      scope.step(3);
      const { loss, accuracy } = scope.stats();
      scope.free();
      return `step 3 · statistics of the batch of step 3 (32 samples): loss ${loss.toPrecision(3)} · accuracy ${Math.round(accuracy * 100)}%`;
    }, query);
    assert.ok((await page.locator('.status').innerText()).startsWith(expected), expected);
  });
});

test('mount() takes a step option: trained resolves at that step; a bad one is named and 0 used', TIMEOUT, async () => {
  await onPage('index.html?depth=4', async (page) => {
    await stepTimes(page, 12);
    const shown = await csv(page);
    const result = await page.evaluate(async () => {
      const { mount } = await import(new URL('www/figure.js', location.href).href);
      const [good, bad] = [document.createElement('div'), document.createElement('div')];
      document.body.append(good, bad);
      const a = await mount(good, { config: 'depth=4', step: 12, charts: ['summary'], controls: [] });
      const b = await mount(bad, { config: 'depth=4', step: -3, charts: ['summary'], controls: [] });
      const reached = await a.trained;
      const out = { reached, steps: a.steps, csv: await (await a.exportCsv()).text(), badSteps: b.steps, notice: bad.innerText };
      a.destroy();
      b.destroy();
      return out;
    });
    assert.equal(result.reached, 12);
    assert.equal(result.steps, 12);
    assert.equal(result.csv, shown, 'mount({step: 12}) differs from 12 presses of Step');
    assert.equal(result.badSteps, 0);
    assert.ok(result.notice.includes(`In mount(): invalid value "-3" for 'step': allowed an integer in 0..=100000. Starting at step 0.`), result.notice);
  });
});
