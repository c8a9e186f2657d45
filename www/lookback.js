// "Look back": a step slider that redraws the per-layer charts (activations,
// gradients, summary) as they were at an earlier step, and returns to live.
//
// The figure hands it every source it draws (engine.js); on steps that fall
// on its stride it keeps the bytes of that state's Frame without history
// (`source.lookback()`, a few kB per layer), so both engines, page and worker,
// look back alike. At most LOOKBACK_CAP states are kept: one more drops every
// other one and doubles the stride (as the core's history thins), so a long
// run keeps an evenly thinned past in bounded memory. A state is decoded into
// a wasm Frame only while it is shown.
//
//   const lookback = createLookback(ns, { id, onShow });
//   lookback.record(source);   // after each draw
//   lookback.past()            // the Frame to draw per-layer charts from, or null (live)
//   lookback.live();  lookback.clear();  lookback.element

import { el } from './controls.js';
import { errorText } from './errors.js';
import { t } from './i18n.js';

/** States kept before the look-back halves its resolution. */
export const LOOKBACK_CAP = 64;

/** The charts a look-back redraws: those that show every layer at one step. */
export const LOOKBACK_KINDS = ['activations', 'gradients', 'summary'];

/**
 * The slider of one figure (`id` unique on the page). `onShow()` runs when the
 * shown step changes (the figure redraws).
 */
export function createLookback(ns, { id, onShow }) {
  const slider = el('input', { type: 'range', id: `${id}-lookback`, min: 0, max: 0, step: 1, value: 0 });
  const label = el('label', { htmlFor: slider.id, text: t('page.lookback_live', { steps: 0 }) });
  const back = el('button', { type: 'button', text: t('page.lookback_back'), disabled: true });
  const element = el('div', { class: 'lookback', hidden: true }, [label, slider, back]);
  let kept = []; // [{steps, bytes}], ascending
  let stride = 1;
  let liveSteps = 0;
  let shown = null; // {index, frame} while looking back

  function forget() {
    shown?.frame.free();
    shown = null;
  }

  /** Updates the slider and its label to what is shown. */
  function sync() {
    slider.max = String(kept.length);
    slider.value = String(shown ? shown.index : kept.length);
    const past = shown ? kept[shown.index].steps : null;
    label.textContent = past === null ? t('page.lookback_live', { steps: liveSteps }) : t('page.lookback_showing', { past, steps: liveSteps });
    slider.setAttribute('aria-valuetext', past === null ? t('page.lookback_value_live', { steps: liveSteps }) : t('page.lookback_value', { past }));
    back.textContent = t('page.lookback_back');
    back.disabled = !shown;
    element.hidden = kept.length === 0;
    element.classList.toggle('looking-back', Boolean(shown));
  }

  function show(index) {
    forget();
    if (index < kept.length) {
      try {
        shown = { index, frame: new ns.Frame(kept[index].bytes) };
      } catch (error) {
        label.textContent = t('page.lookback_failed', { error: errorText(error) });
      }
    }
    sync();
    onShow();
  }

  slider.addEventListener('input', () => show(Number(slider.value)));
  back.addEventListener('click', () => show(kept.length));

  return {
    element,
    /** The Frame of the step shown, or null when live. */
    past: () => shown?.frame ?? null,
    /** Keeps `source`'s state when its step falls on the stride. */
    record(source) {
      if (!source?.lookback) return;
      const steps = source.steps;
      const last = kept.length ? kept[kept.length - 1].steps : -Infinity;
      if (steps < last) this.clear(); // a new run
      liveSteps = steps;
      if (steps >= last + stride) {
        try {
          kept.push({ steps, bytes: source.lookback() });
        } catch {
          return; // a state gone (rebuilt) is simply not kept
        }
        if (kept.length > LOOKBACK_CAP) {
          const showing = shown && kept[shown.index];
          kept = kept.filter((_, i) => i % 2 === 0);
          stride *= 2;
          if (showing) shown.index = Math.max(0, kept.findIndex((k) => k.steps >= showing.steps));
        }
      }
      sync();
    },
    /** Rewrites the label in the current language. */
    relabel: () => sync(),
    /** Back to the live state. */
    live() {
      if (shown) show(kept.length);
    },
    /** Forgets every kept state (a new network). */
    clear() {
      forget();
      kept = [];
      stride = 1;
      sync();
    },
    /** Hides the slider (a comparison shows both sides live). */
    set enabled(on) {
      if (!on && kept.length) this.clear();
      element.classList.toggle('lookback-off', !on);
    },
    free: () => forget(),
  };
}
