// The wasm side of `cargo xtask bench`: opens www/bench.html in headless
// Chromium, waits for it to publish `window.benchResults`, and prints one JSON
// line per config on stdout ({"name", "steps_per_s", "gflops"}), progress on
// stderr. Needs NORMSCOPE_URL (see browser.mjs). Exits non-zero on any page
// error.

import { launch, openPage } from './browser.mjs';

const TIMEOUT_MS = 10 * 60 * 1000;

async function main() {
  const browser = await launch();
  try {
    const { page, assertNoProblems } = await openPage(browser.context, 'www/bench.html');
    page.on('console', (message) => {
      if (message.type() === 'log') process.stderr.write(`${message.text()}\n`);
    });
    const handle = await page.waitForFunction(
      () => window.benchResults || window.benchError,
      null,
      { timeout: TIMEOUT_MS, polling: 500 },
    );
    await handle.dispose();
    const { results, error } = await page.evaluate(() => ({
      results: window.benchResults,
      error: window.benchError,
    }));
    if (error) throw new Error(`www/bench.html failed: ${error}`);
    assertNoProblems();
    for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`bench.mjs: ${error.message}\n`);
  process.exit(1);
});
