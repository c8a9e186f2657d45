// The page's own speed (issue 9 §1, issue 13 §4), measured in headless
// Chromium and PRINTED, never asserted: for each scenario, the milliseconds
// from navigation to the first drawn chart (the first scenario's in a fresh
// browser, later ones with the browser running) and again on a reload (the
// files cached: a returning visitor), the page's animation frames per
// second during Play (requestAnimationFrame cadence, counted by the page
// itself), chart updates per second (the figure's perf()), and the longest
// main-thread task (PerformanceObserver 'longtask') while playing and in the
// seconds after a control change made during Play; for a worker, its last
// step's and frame's milliseconds. Threads: a worker on a
// cross-origin-isolated page (`cargo xtask serve` sends COOP/COEP) of a device
// with more than two cores runs the threaded build (the `threads` column, read
// from the status line); the `nothreads` rows hide `crossOriginIsolated` from
// the page so that the worker runs on one thread. The `site-` row loads the
// built site (`dist/site/`, esbuild's bundles: what a course site serves; run
// `cargo xtask dist` first) instead of the page's modules as the repository
// serves them.
//
// Prints one JSON line per scenario on stdout, a table on stderr.
// Run: NORMSCOPE_URL=http://127.0.0.1:8000/ node tests/e2e/pageperf.mjs [name...]
// (or `cargo xtask bench --page`).

import { launch, openPage, waitForReady } from './browser.mjs';

const PLAY_MS = Number(process.env.PAGEPERF_PLAY_MS || 5000);
const AFTER_CHANGE_MS = 2500;

/** name, query, targets (printed beside the numbers), and options. */
const SCENARIOS = [
  { name: 'default', query: '', target: '60 fps; first chart <= 300 ms' },
  { name: 'site-default', query: '', site: true, target: 'first chart <= 300 ms (dist/site/)' },
  { name: 'default-tall', query: '', tall: true, target: '60 fps, every chart on screen' },
  { name: 'd30x64-relu', query: 'depth=30&width=64&activation=relu', target: '60 fps' },
  { name: 'compare-d20', query: 'depth=20&vs.norm=layer', target: '60 fps' },
  { name: 'd64x256', query: 'depth=64&width=256', target: '>= 15 updates/s (threads, > 2 cores)' },
  { name: 'd64x256-nothreads', query: 'depth=64&width=256', noThreads: true, target: '>= 10 updates/s' },
  { name: 'compare-d64x256', query: 'depth=64&width=256&vs.norm=layer', target: '60 fps' },
];

/** Before any page script: the long-task log, the moment the page says it is ready, and `#nothreads`. */
function instrument() {
  if (location.hash === '#nothreads') Object.defineProperty(globalThis, 'crossOriginIsolated', { value: false });
  window.__perf = { longtasks: [], readyAt: null };
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__perf.longtasks.push({ start: entry.startTime, ms: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no Long Tasks API: the column stays empty
  }
  new MutationObserver(() => {
    const ready = document.documentElement?.dataset.state === 'ready';
    if (window.__perf.readyAt === null && ready) window.__perf.readyAt = performance.now();
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-state'] });
}

/** Counts animation frames for `ms`; resolves to {fps, worstGapMs}. */
function countFrames(ms) {
  return new Promise((resolve) => {
    const times = [];
    const tick = (now) => {
      times.push(now);
      if (now - times[0] < ms) return requestAnimationFrame(tick);
      let worst = 0;
      for (let i = 1; i < times.length; i += 1) worst = Math.max(worst, times[i] - times[i - 1]);
      resolve({ fps: ((times.length - 1) * 1000) / (times[times.length - 1] - times[0]), worstGapMs: worst });
    };
    requestAnimationFrame(tick);
  });
}

/** The longest task since `from` (ms of performance.now()), and how many passed 50 ms. */
const longest = (page, from) =>
  page.evaluate((since) => {
    const tasks = window.__perf.longtasks.filter((t) => t.start >= since);
    return { maxMs: Math.max(0, ...tasks.map((t) => t.ms)), over50: tasks.filter((t) => t.ms > 50).length };
  }, from);

const figure = (page, expression) => page.evaluate(`window.normscope.figure.${expression}`);

/** Sets the Learning rate control to `text`, as a user's input would (A's control in a comparison). */
const changeControl = (page, text) =>
  page.evaluate((value) => {
    const label = [...document.querySelectorAll('.controls label')].find((l) => l.textContent === 'Learning rate');
    const input = label.control;
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, text);

async function measure(context, scenario) {
  const path = `${scenario.site ? 'dist/site/' : ''}index.html${scenario.query ? `?${scenario.query}` : ''}${scenario.noThreads ? '#nothreads' : ''}`;
  const { page, assertNoProblems } = await openPage(context, path);
  try {
    if (scenario.tall) await page.setViewportSize({ width: 1280, height: 2600 });
    await waitForReady(page, { timeout: 120_000 });
    const firstChartMs = await page.evaluate(() => window.__perf.readyAt);
    // The same page again, its files in the browser's cache: a returning
    // visitor. Once built, so that the reload aborts no request of the first load.
    await page.waitForFunction(() => !document.querySelector('.figure.building'), null, { timeout: 120_000 });
    await page.reload();
    await waitForReady(page, { timeout: 120_000 });
    const revisitMs = await page.evaluate(() => window.__perf.readyAt);
    await page.waitForFunction(() => !document.querySelector('.figure.building'), null, { timeout: 120_000 });
    const loadTask = await longest(page, 0);

    const playFrom = await page.evaluate(() => performance.now());
    await figure(page, 'play()');
    await page.waitForTimeout(1000); // warm-up: k adapts, workers fill
    const frames = await page.evaluate(countFrames, PLAY_MS);
    const perf = await figure(page, 'perf()');
    const playing = await longest(page, playFrom);

    const changeFrom = await page.evaluate(() => performance.now());
    await changeControl(page, '0.04');
    const after = await page.evaluate(countFrames, AFTER_CHANGE_MS);
    const changed = await longest(page, changeFrom);
    await figure(page, 'pause()');
    // A worker's step on its way at Pause still lands; a comparison's once nothing of A or B is on its way.
    if (await figure(page, 'comparison()')) await page.waitForFunction(() => window.normscope.figure.comparison().settled, null, { timeout: 60_000 });
    else await page.waitForTimeout(1500);
    const steps = await figure(page, 'steps');
    const comparison = await figure(page, 'comparison()');
    assertNoProblems();
    return {
      name: scenario.name,
      query: scenario.query,
      target: scenario.target,
      engine: perf.engine,
      threads: await page.evaluate(() => {
        const text = document.querySelector('.status')?.textContent || '';
        return Number(/ on (\d+) threads/.exec(text)?.[1] || (/ on one thread/.test(text) ? 1 : 0)) || null;
      }),
      isolated: await page.evaluate(() => globalThis.crossOriginIsolated),
      firstChartMs: Math.round(firstChartMs),
      revisitMs: Math.round(revisitMs),
      loadLongestMs: Math.round(loadTask.maxMs),
      fps: Number(frames.fps.toFixed(1)),
      worstFrameGapMs: Math.round(frames.worstGapMs),
      updatesPerS: Number(perf.updates.toFixed(1)),
      stepsPerS: Number(perf.stepsPerSecond.toFixed(1)),
      stepsPerFrame: perf.stepsPerFrame,
      pageMsPerUpdate: Number(perf.frameMs.toFixed(1)),
      workerStepMs: perf.workerStepMs === undefined ? null : Number(perf.workerStepMs.toFixed(1)),
      workerFrameMs: perf.workerFrameMs === undefined ? null : Number(perf.workerFrameMs.toFixed(1)),
      playLongestMs: Math.round(playing.maxMs),
      playOver50: playing.over50,
      changeFps: Number(after.fps.toFixed(1)),
      changeLongestMs: Math.round(changed.maxMs),
      steps,
      lockstep: comparison ? comparison.steps.join('=') : null,
    };
  } finally {
    await page.close();
  }
}

const COLUMNS = [
  ['name', 18], ['engine', 6], ['threads', 3], ['firstChartMs', 7], ['revisitMs', 7], ['fps', 5], ['worstFrameGapMs', 6], ['updatesPerS', 6], ['stepsPerS', 7],
  ['workerStepMs', 6], ['workerFrameMs', 6],
  ['playLongestMs', 6], ['changeFps', 5], ['changeLongestMs', 6], ['lockstep', 9], ['target', 30],
];

async function main() {
  const wanted = process.argv.slice(2);
  // In the order asked for, so that an A/B can alternate which runs first in the browser.
  const scenarios = wanted.length ? SCENARIOS.filter((s) => wanted.includes(s.name)).sort((a, b) => wanted.indexOf(a.name) - wanted.indexOf(b.name)) : SCENARIOS;
  if (!scenarios.length) throw new Error(`no scenario named ${wanted.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const browser = await launch();
  await browser.context.addInitScript(instrument);
  const rows = [];
  try {
    for (const scenario of scenarios) {
      process.stderr.write(`pageperf: ${scenario.name} ...\n`);
      const row = await measure(browser.context, scenario);
      rows.push(row);
      process.stdout.write(`${JSON.stringify(row)}\n`);
    }
  } finally {
    await browser.close();
  }
  const cell = (value, width) => String(value ?? '-').padEnd(width);
  process.stderr.write(`\n${COLUMNS.map(([key, width]) => cell(key.replace(/Ms$/, ' ms'), width)).join(' ')}\n`);
  for (const row of rows) process.stderr.write(`${COLUMNS.map(([key, width]) => cell(row[key], width)).join(' ')}\n`);
}

main().catch((error) => {
  process.stderr.write(`pageperf.mjs: ${error.stack || error.message}\n`);
  process.exit(1);
});
