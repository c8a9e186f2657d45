// The browser side of `cargo xtask bench --peer`: in one headless Chromium, runs
// www/bench.html (normscope) and then www/peer-bench.html (the same MLPs in
// TF.js, wasm and cpu backends), and prints one JSON line per result on stdout,
// each tagged with `peer` ("normscope", "tfjs-wasm", "tfjs-cpu"); progress on
// stderr. Needs NORMSCOPE_URL (see browser.mjs). Exits non-zero on any page error.

import { launch, openPage } from './browser.mjs';

const TIMEOUT_MS = 15 * 60 * 1000;

/** Opens `path`, waits for window.benchResults, returns them. */
async function results(context, path) {
  const { page, assertNoProblems } = await openPage(context, path);
  page.on('console', (message) => {
    if (message.type() === 'log') process.stderr.write(`${message.text()}\n`);
  });
  const handle = await page.waitForFunction(() => window.benchResults || window.benchError, null, {
    timeout: TIMEOUT_MS,
    polling: 500,
  });
  await handle.dispose();
  const { found, error, status } = await page.evaluate(() => ({
    found: window.benchResults,
    error: window.benchError,
    status: document.getElementById('status').textContent,
  }));
  if (error) throw new Error(`${path} failed: ${error}`);
  assertNoProblems();
  process.stderr.write(`${path}: ${status}\n`);
  await page.close();
  return found;
}

async function main() {
  const browser = await launch();
  try {
    const ours = await results(browser.context, 'www/bench.html');
    const peers = await results(browser.context, 'www/peer-bench.html');
    for (const result of [...ours.map((r) => ({ ...r, peer: 'normscope' })), ...peers]) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`peer-bench.mjs: ${error.message}\n`);
  process.exit(1);
});
