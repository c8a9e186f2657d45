// Exports of one figure: any chart as PNG, the statistics as CSV, the snapshot
// as JSON, the network as a PyTorch script. The figure handle returns Blobs
// (`exportPng(kind)`, `exportCsv()`, `exportSnapshot()`, `exportTorch()`, each
// a Promise); `saveBlob` offers one as a download; `createExportMenu` is the
// small "Export" menu in a figure's toolbar. The PNG of a comparison is
// `pairedCanvas`: A's and B's panels, labelled, with B's differences below.
//
// A download is an <a download> with an object URL, clicked and revoked: no
// request leaves the page. Inside a sandboxed iframe the host must allow it
// (`sandbox="allow-scripts allow-downloads"`), or the browser drops it.

import { el } from './controls.js';
import { errorText } from './errors.js';
import { t } from './i18n.js';

/** How long an object URL outlives its click (the browser has started the download by then). */
const REVOKE_AFTER_MS = 10_000;

/** Media type of the text exports. */
const TYPES = { csv: 'text/csv', snapshot: 'application/json', torch: 'text/x-python' };

/** `normscope-activations-step120.png`, `normscope-stats-step0.csv`, `normscope-snapshot-step7.json`, `normscope-step7.py`. */
export function exportName(what, step) {
  if (what === 'torch') return `normscope-step${step}.py`;
  const base = what === 'csv' ? 'stats' : what;
  const ext = what === 'csv' ? 'csv' : what === 'snapshot' ? 'json' : 'png';
  return `normscope-${base}-step${step}.${ext}`;
}

/** A canvas's pixels as a PNG Blob. */
export function canvasPng(canvas) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the chart as PNG'))), 'image/png');
  });
}

/**
 * Where `pairedCanvas` puts panels of sizes `sizes` ([[width, height]]):
 * {font, pad, width, top, height, at: [[x, y]] of each panel}. A panel sits at
 * whole pixels, unscaled, so its pixels are the PNG's.
 */
export function pairedLayout(sizes) {
  const font = Math.max(14, Math.round(sizes[0][1] * 0.045));
  const pad = Math.round(font * 0.8);
  const top = pad + Math.round(font * 1.4);
  const at = [];
  let x = pad;
  for (const [w] of sizes) {
    at.push([x, top]);
    x += w + pad;
  }
  return { font, pad, width: x, top, height: Math.max(...sizes.map(([, h]) => h)), at };
}

/**
 * One canvas showing `panels` ([{canvas, label}]) side by side, each under its
 * label in bold, with `caption` (B's differences in a comparison) wrapped
 * below: the PNG of a comparison, so that the file shows both networks.
 */
export function pairedCanvas(panels, caption) {
  const { font, pad, width, top, height, at } = pairedLayout(panels.map(({ canvas }) => [canvas.width, canvas.height]));
  const out = document.createElement('canvas');
  const ctx = out.getContext('2d');
  const face = (weight) => `${weight} ${font}px system-ui, sans-serif`;
  ctx.font = face('normal');
  const lines = wrapText(ctx, caption || '', width - 2 * pad);
  out.width = width;
  out.height = Math.ceil(top + height + pad + lines.length * font * 1.35 + pad);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#222';
  ctx.textBaseline = 'top';
  ctx.font = face('bold');
  panels.forEach(({ canvas, label }, i) => {
    ctx.fillText(label, at[i][0], pad);
    ctx.drawImage(canvas, ...at[i]);
  });
  ctx.font = face('normal');
  lines.forEach((line, i) => ctx.fillText(line, pad, top + height + pad + i * font * 1.35));
  return out;
}

/** `text` in lines no wider than `width` pixels in `ctx`'s font. */
function wrapText(ctx, text, width) {
  const lines = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines.length - 1;
    if (last >= 0 && ctx.measureText(`${lines[last]} ${word}`).width <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** Text as a Blob of the export's media type ('csv', 'snapshot' or 'torch'). */
export function textBlob(text, what) {
  return new Blob([text], { type: `${TYPES[what]};charset=utf-8` });
}

/** Offers `blob` as a download named `filename`. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}

/** The tag of a comparison's snapshot: {format, query, differences, a, b} (docs/snapshot.md). */
export const COMPARISON_FORMAT = 'normscope-comparison/1';

/**
 * The CSV of a comparison: a `network` column first (A or B), then the core's
 * columns; A's rows, then B's, under one header. A single network's CSV has no
 * such column, so older readers of it are unchanged.
 */
export function comparisonCsv(csvA, csvB) {
  const [header, ...rowsA] = csvA.trimEnd().split('\n');
  const rowsB = csvB.trimEnd().split('\n').slice(1);
  const rows = [...rowsA.map((row) => `A,${row}`), ...rowsB.map((row) => `B,${row}`)];
  return `network,${header}\n${rows.join('\n')}\n`;
}

/** How long a CSV export of a comparison waits for A and B to show one step, at most. */
const LOCKSTEP_WAIT_MS = 2000;

/**
 * A figure handle's export methods. `render(kind)` returns a canvas showing
 * chart `kind` now; `engine()` the figure's engine (engine.js; null once destroyed);
 * `compared()` B, when comparing: {engine, query, differences: {key: B's value}} (compare.js), else null;
 * `notify(text)` shows a failed download (null clears it).
 */
export function figureExports({ kinds, render, engine, compared = () => null, notify }) {
  const live = () => {
    const current = engine();
    if (!current) throw new Error('the figure was destroyed');
    return current;
  };
  /** A's and B's sources at one step (a worker's frame may still be on its way). */
  async function bothSources(a, b) {
    const until = performance.now() + LOCKSTEP_WAIT_MS;
    for (;;) {
      await Promise.all([a.refresh(), b.refresh()]);
      if (!a.source || !b.source) throw new Error('the networks are still being built');
      if (a.source.steps === b.source.steps) return [a.source, b.source];
      if (performance.now() > until) throw new Error('A and B were between two steps; pause and try again');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const api = {
    /** Chart `kind` (any chart kind, shown or not) as a PNG Blob, as drawn now. */
    async exportPng(kind) {
      if (!kinds.includes(kind)) throw new Error(`unknown chart '${kind}': allowed ${kinds.join(', ')}`);
      return canvasPng(render(kind));
    },
    /** The statistics, one row per hidden layer, as a CSV Blob. */
    async exportCsv() {
      const a = live();
      const b = compared();
      if (b) {
        const [sourceA, sourceB] = await bothSources(a, b.engine);
        return textBlob(comparisonCsv(sourceA.statsCsv(), sourceB.statsCsv()), 'csv');
      }
      if (!a.source) throw new Error('the network is still being built');
      return textBlob(a.source.statsCsv(), 'csv');
    },
    /**
     * The snapshot (format normscope-snapshot/1) as a JSON Blob; of a comparison,
     * {format: normscope-comparison/1, query, differences, a, b} with A's and B's
     * snapshots, both taken after the same steps (lockstep queues them alike).
     */
    async exportSnapshot() {
      const b = compared();
      if (!b) return textBlob(await live().snapshotJson(), 'snapshot');
      const [a, bJson] = await Promise.all([live().snapshotJson(), b.engine.snapshotJson()]);
      // The two snapshots go in as written, so their numbers keep every digit.
      const head = `"format":${JSON.stringify(COMPARISON_FORMAT)},"query":${JSON.stringify(b.query)}`;
      return textBlob(`{${head},"differences":${JSON.stringify(b.differences)},"a":${a},"b":${bJson}}`, 'snapshot');
    },
    /** The network as a self-contained PyTorch script (Python text) Blob; of a comparison, A's, saying so. */
    async exportTorch() {
      const script = await live().torchScript();
      const b = compared();
      if (!b) return textBlob(script, 'torch');
      const listed = Object.entries(b.differences).map(([key, value]) => `${key} = ${value}`).join(', ') || 'nothing';
      const note =
        `# normscope comparison (${b.query}):\n` +
        `# this script rebuilds network A only. B differs from A in: ${listed}.\n` +
        `# For B's script, press Swap A/B and export again.\n`;
      // After the #! line, which must stay first.
      const [first, rest] = script.startsWith('#!') ? [script.slice(0, script.indexOf('\n') + 1), script.slice(script.indexOf('\n') + 1)] : ['', script];
      return textBlob(first + note + rest, 'torch');
    },
    /** Offers an export as a download: `what` is a chart kind, 'csv', 'snapshot' or 'torch'. Resolves to the file name. */
    async download(what) {
      const text = { csv: api.exportCsv, snapshot: api.exportSnapshot, torch: api.exportTorch }[what];
      try {
        const blob = await (text ? text() : api.exportPng(what));
        // After the await: a worker's snapshot is taken once its queued steps are done.
        const filename = exportName(what, live().steps);
        saveBlob(blob, filename);
        notify(null);
        return filename;
      } catch (error) {
        notify(() => t('page.export_failed', { error: errorText(error) }));
        return null;
      }
    },
  };
  return api;
}

/**
 * The toolbar's "Export" menu: one item per chart in `charts` ([{kind, title}]),
 * then the statistics, the snapshot and the PyTorch script. `onExport(what)`
 * gets a chart kind, 'csv', 'snapshot' or 'torch'. A native <details>: Enter
 * or Space opens it; Escape, a click outside or a chosen item closes it.
 * `menu.relabel(charts)` rewrites it in the current language.
 */
export function createExportMenu(charts, onExport) {
  const labels = (shown) => [
    ...shown.map(({ kind, title }) => [kind, t('page.export_png', { title })]),
    ['csv', t('page.export_csv')],
    ['snapshot', t('page.export_snapshot')],
    ['torch', t('page.export_torch')],
  ];
  const summary = el('summary', { text: t('page.export') });
  const list = el('ul', { class: 'export-list' });
  const menu = el('details', { class: 'export-menu' }, [summary, list]);
  for (const [what, label] of labels(charts)) {
    const button = el('button', { type: 'button', text: label });
    button.dataset.export = what;
    button.addEventListener('click', () => {
      menu.open = false;
      summary.focus();
      onExport(what);
    });
    list.append(el('li', {}, [button]));
  }
  menu.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !menu.open) return;
    event.stopPropagation(); // an Escape here must not also close a surrounding dialog
    menu.open = false;
    summary.focus();
  });
  const outside = (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  };
  document.addEventListener('pointerdown', outside);
  menu.relabel = (shown) => {
    summary.textContent = t('page.export');
    const buttons = list.querySelectorAll('button');
    labels(shown).forEach(([, label], i) => buttons[i] && (buttons[i].textContent = label));
  };
  menu.destroy = () => document.removeEventListener('pointerdown', outside);
  return menu;
}
