// The status line of a figure: where training stands and how fast it runs.
//
//   step 120 · statistics of the batch of step 120 (64 samples): loss 0.412 · accuracy 83% · held out (eval, step 112): loss 0.45 · accuracy 80% · frame 23 ms · 38 fps · 246 steps/s
//   step 0 · statistics of the first batch (64 samples): loss NaN (non-finite logits) · accuracy 48% (argmax of non-finite logits) · 167454 non-finite values · …
//   step 12 · statistics of the batch of step 12 (64 samples): loss 0.695 · … · 3.2 updates/s · 3.2 steps/s · training in a worker on 4 threads
//   training to step 500: 120/500 · training in a worker
//
// The statistics, loss and accuracy are those of the last training step: its
// batch, with the parameters before its update (at step 0 the first batch;
// docs/network.md, "Which pass the charts show"); beside them the latest
// evaluation of the 256 held-out points in eval mode (src/core/heldout.rs).
// During Play it shows the loop's measurements (loop.js perf()); otherwise how
// long the last rebuild took to draw. While a link's `step=N` is being reached,
// only the progress. Every word comes from the catalogue (`page.status_*`,
// `page.threads_why_*`), in the current language; the numbers are formatted here, the same in both.

import { t } from './i18n.js';

const fmt = (v, digits = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toPrecision(digits) : '—');

// The core writes a non-finite loss as "NaN", "inf" or "-inf" (JSON has no
// NaN). With non-finite logits (`nonfinite_logits`) the loss is NaN or inf and
// the accuracy is torch's argmax of them (NaN counts as largest), so both say so.
function lossParts(stats) {
  const loss = typeof stats.loss === 'string' ? stats.loss : fmt(stats.loss);
  const accuracy = typeof stats.accuracy === 'number' ? `${Math.round(stats.accuracy * 100)}%` : '—';
  if (!(stats.nonfinite_logits > 0)) return [t('page.status_loss', { loss }), t('page.status_accuracy', { accuracy })];
  return [t('page.status_loss_nonfinite', { loss }), t('page.status_accuracy_nonfinite', { accuracy })];
}

/** "held out (eval, step 120): loss 0.52 · accuracy 74%": the latest evaluation of the test split. */
function heldOut(test) {
  const loss = typeof test.loss === 'string' ? test.loss : fmt(test.loss);
  return t('page.status_held_out', { step: test.step, loss, accuracy: `${Math.round(test.accuracy * 100)}%` });
}

/**
 * `steps`; `stats` (Scope.stats(), or null); `batch` (samples per batch, the
 * config's); `perf` (Loop.perf()); `playing` (the last action was Play);
 * `rebuildMs`; `where` (the engine's: 'page' or 'worker'); `ready` (false
 * while the engine builds the network); `target` (the step being trained to, or 0);
 * `threads` (a worker's {count, why, error}, see workerText).
 */
export function statusText({ steps, stats, batch, perf, playing, rebuildMs, where, ready, target = 0, threads }) {
  const remote = where === 'worker';
  const worker = remote ? ` · ${workerText(threads)}` : '';
  if (target > 0) return t('page.status_seeking', { target, steps }) + worker;
  const parts = [t('page.status_step', { steps })];
  if (stats) {
    const [loss, accuracy] = lossParts(stats);
    const one = batch === 1; // "1 sample", not "1 samples"
    const key = steps > 0
      ? (one ? 'page.status_batch_of_step_one' : 'page.status_batch_of_step')
      : (one ? 'page.status_first_batch_one' : 'page.status_first_batch');
    parts.push(t(key, { steps, batch, loss }), accuracy);
    if (stats.test) parts.push(heldOut(stats.test));
    if (stats.nonfinite > 0) parts.push(t('page.status_nonfinite', { count: stats.nonfinite }));
  }
  if (playing && perf.updates) {
    parts.push(t('page.status_frame', { ms: perf.frameMs.toFixed(0) }), t('page.status_fps', { fps: perf.fps.toFixed(0) }));
    if (remote) parts.push(t('page.status_updates', { rate: perf.updates.toFixed(1) }));
    const rate = perf.stepsPerSecond;
    parts.push(t('page.status_steps_per_second', { rate: rate < 10 ? rate.toFixed(1) : Math.round(rate) }));
  } else if (ready) {
    parts.push(t('page.status_redrawn', { ms: rebuildMs.toFixed(0) }));
  } else {
    parts.push(t('page.status_building'));
  }
  if (remote) parts.push(workerText(threads));
  return parts.join(' · ');
}

/**
 * Where a worker trains: "training in a worker on 4 threads", or on one
 * thread and why (`threads`: {count, why, error} from the worker's start,
 * `why` naming a `page.threads_why_*` text; absent while it starts).
 */
export function workerText(threads) {
  if (!threads) return t('page.status_worker');
  if (threads.count > 1) return t('page.status_worker_threads', { count: threads.count });
  if (!threads.why) return t('page.status_worker_one_thread');
  const why = t(`page.threads_why_${threads.why}`, { error: threads.error });
  return t('page.status_worker_one_thread_why', { why });
}
