// The charts of a comparison (issue 9): A's and B's chart sets (chartset.js)
// linked so that they can be compared.
// - Shared scales: each side-by-side pair (the distributions, what is
//   normalized, the distribution over time) is drawn with the union of A's and
//   B's own value ranges (`source.chartRange`, the core's numbers), passed to
//   both draws as `range=lo,hi` (and `linthresh=c` on a symlog axis), so that
//   equal pixels mean equal values. The panel's canvas states it in
//   `data-range` ("lo,hi" or "lo,hi,linthresh"). The decision regions are
//   computed over one extent instead (compare.js: `setDecisionExtent` on both
//   engines when B's points differ), so their axes agree as well.
// - Overlays: the per-layer summary and training are one chart of both
//   (`ns.drawOverlay` from both sources' Frames), in A's panel across the pair;
//   B's panel of those charts is hidden.
// - Hover reads out both: A's and B's text at the same pixel, merged.
// - The PNG of a comparison shows both panels, labelled, with B's differences
//   as the caption (exports.js `pairedPng`).

import { pairedCanvas } from './exports.js';
import { t } from './i18n.js';

/** "lo,hi[,linthresh]" of the union of ranges `a` and `b` ([lo, hi(, c)] each, or empty), or null. */
export function unionRange(a, b) {
  const ranges = [a, b].filter((r) => r && r.length >= 2);
  if (!ranges.length) return null;
  const lo = Math.min(...ranges.map((r) => r[0]));
  const hi = Math.max(...ranges.map((r) => r[1]));
  const thresholds = ranges.filter((r) => r.length > 2).map((r) => r[2]);
  return thresholds.length ? [lo, hi, Math.max(...thresholds)] : [lo, hi];
}

/**
 * One hover line from A's and B's texts at the same point: the parts both
 * share first, then each side's own ("layer 5 · A: h 0.1…0.2; 12% of values
 * · B: …"). Either side may be empty (nothing there).
 */
export function mergeReadouts(textA, textB) {
  if (!textA && !textB) return '';
  if (textA === textB) return t('charts.panel_readout_both', { text: textA });
  const [a, b] = [textA, textB].map((t) => (t ? t.split(' · ') : []));
  let shared = 0;
  while (shared < Math.min(a.length, b.length) - 1 && a[shared] === b[shared]) shared += 1;
  const own = (parts) => (parts.length ? parts.slice(shared).join('; ') : t('charts.panel_nothing_here'));
  return [...a.slice(0, shared), `A: ${own(a)}`, `B: ${own(b)}`].join(' · ');
}

/**
 * Links the chart sets of a comparison. `aCharts`, `bCharts`: A's and B's
 * chart sets; `sources()` -> [A's source, B's source] (either may be null);
 * `grid`: the figure's grid of `.compare-pair`s; `caption()`: B's differences.
 * Returns { unlink() }.
 */
export function linkCharts(ns, { aCharts, bCharts, sources, grid, caption }) {
  const overlaid = (kind) => {
    try {
      return ns.isOverlaid(kind);
    } catch {
      return false;
    }
  };
  const pairs = [...grid.querySelectorAll(':scope > .compare-pair')];
  // An overlay's panel words its own hint and accessible name (charts.js `relabel`, on link).
  for (const pair of pairs) {
    const kind = pair.firstElementChild?.dataset.kind;
    if (!overlaid(kind)) continue;
    pair.classList.add('compare-overlay');
    const b = pair.querySelector('[data-side="B"]');
    b.hidden = true;
    b.style.display = 'none'; // also where a page's CSS sets a chart's display (embeds)
  }

  const cache = new Map(); // kind?options -> {a, b, range}: per pair of sources (each state has its own)
  /** The union of A's and B's ranges of `kind` with options `base` ([lo, hi(, c)]), or null. */
  function shared(kind, base) {
    const [a, b] = sources();
    if (!a || !b) return null;
    const hit = cache.get(`${kind}?${base}`);
    if (hit && hit.a === a && hit.b === b) return hit.range;
    let range = null;
    try {
      range = unionRange(a.chartRange(kind, base), b.chartRange(kind, base));
    } catch {
      range = null; // e.g. a worker's frame without the layer matrix yet: each side's own scale then
    }
    cache.set(`${kind}?${base}`, { a, b, range });
    return range;
  }

  /** `base` with the shared range of `kind` added (unchanged for an overlay or without one). */
  function options(kind, base) {
    const range = overlaid(kind) ? null : shared(kind, base);
    if (!range) return base;
    // Numbers without '+' ("3.4e38", not "3.4e+38"): a query reads '+' as a space.
    const num = (x) => String(x).replace('e+', 'e');
    const extra = `range=${num(range[0])},${num(range[1])}` + (range.length > 2 ? `&linthresh=${num(range[2])}` : '');
    return base ? `${base}&${extra}` : extra;
  }

  /** Draws the overlay of `kind` into `canvas` (in the `lang` of `optionsText`); throws when a source is missing. */
  function drawOverlay(kind, canvas, optionsText) {
    const [a, b] = sources();
    if (!a || !b) throw new Error(t('charts.panel_b_building'));
    ns.drawOverlay(kind, canvas, a.frame(), b.frame(), optionsText);
  }

  const ids = new WeakMap(); // source -> a number: each state of a side its own
  let nextId = 0;
  const idOf = (source) => {
    if (!ids.has(source)) ids.set(source, ++nextId);
    return ids.get(source);
  };

  /** The hooks of side `side` (0: A, 1: B) for its chart set (chartset.js `link`). */
  const hooks = (side) => ({
    options,
    /** Part of the redraw stamp: the other side's state (a new one redraws shared scales and overlays). */
    stamp() {
      const other = sources()[1 - side];
      return other ? `${idOf(other)}` : '-';
    },
    /** Draws `kind` if it is an overlay (B: hidden, nothing to draw); false: the set draws it. */
    draw(kind, canvas, optionsText) {
      if (!overlaid(kind)) {
        const params = new URLSearchParams(optionsText);
        canvas.dataset.range = [params.get('range'), params.get('linthresh')].filter(Boolean).join(',');
        return false;
      }
      if (side === 0) drawOverlay(kind, canvas, optionsText);
      return true;
    },
    /** The hover text at canvas pixel (x, y): both sides'. */
    describe(kind, canvas, x, y, optionsText, own) {
      const [a, b] = sources();
      if (!a || !b) return own;
      try {
        if (overlaid(kind)) return ns.describeOverlay(kind, canvas.width, canvas.height, x, y, a.frame(), b.frame(), optionsText);
        const other = sources()[1 - side].describe(kind, canvas.width, canvas.height, x, y, optionsText);
        return side === 0 ? mergeReadouts(own, other) : mergeReadouts(other, own);
      } catch {
        return own;
      }
    },
    /** The canvas an export of `kind` shows: both networks, labelled, with B's differences. */
    render:
      side === 0
        ? (kind, canvas) => {
            const text = caption();
            if (overlaid(kind)) return pairedCanvas([{ canvas, label: t('charts.panel_a_and_b') }], text);
            return pairedCanvas([{ canvas, label: 'A' }, { canvas: bCharts.render(kind), label: 'B' }], text);
          }
        : null,
  });
  aCharts.link(hooks(0));
  bCharts.link(hooks(1));

  return {
    unlink() {
      for (const pair of pairs) {
        pair.classList.remove('compare-overlay');
        const b = pair.querySelector('[data-side="B"]');
        if (b) [b.hidden, b.style.display] = [false, ''];
      }
      aCharts.link(null); // after the classes go: the panels word their own hints again
      bCharts.link(null);
      for (const canvas of grid.querySelectorAll('canvas[data-range]')) delete canvas.dataset.range;
    },
  };
}
