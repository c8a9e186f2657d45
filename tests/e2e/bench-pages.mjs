// The browser side of `cargo xtask bench --peer` and `--threads`: in one
// headless Chromium, runs each benchmark page named on the command line in
// turn (www/bench.html, www/peer-bench.html: the same MLPs in TF.js;
// www/threads-bench.html: one thread against all cores) and prints one JSON
// line per result on stdout, each tagged with `peer` (www/bench.html's as
// "normscope"); progress on stderr. Needs NORMSCOPE_URL (see browser.mjs).
// Exits non-zero on any page error.

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
    const pages = process.argv.slice(2);
    if (!pages.length) throw new Error('name the benchmark pages, e.g. www/bench.html www/peer-bench.html');
    for (const path of pages) {
      for (const result of await results(browser.context, path)) {
        process.stdout.write(`${JSON.stringify({ peer: 'normscope', ...result })}\n`);
      }
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`bench-pages.mjs: ${error.message}\n`);
  process.exit(1);
});
