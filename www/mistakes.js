// The "Common mistakes" lab: one card per mistake (the markup, the titles and
// the MathML of each formula beside torch's are in index.html; this file fills
// in the texts, from the mistakes catalogue www/i18n/{en,zh}/mistakes.json, in
// the page's language, and the buttons). A button opens a comparison, A = torch and B = the mistake
// (`vs.` keys, compare.js), on a config where the difference shows. Every
// number a text quotes was read off the core at that config for seeds 1-8:
// tests/mistakes.rs checks it natively and, where a divergence step depends on
// float rounding, tests/node/claims.test.mjs on the wasm build the page runs.
// The bias card also shows the live max |dL/db| of both networks.

import { el } from './controls.js';
import { onLanguage, t } from './i18n.js';
import { localized, variantButtons } from './presets.js';

/**
 * The cards by id (index.html's data-mistake): the comparisons each card's
 * buttons open. The texts are in the mistakes catalogue (mistakes.<id>.text,
 * mistakes.<id>.label_<variant id>); `live`: the card shows the bias readout.
 */
export const MISTAKES = {
  unbiased: {
    variants: [
      { id: 'width4', query: 'norm=layer&position=after&width=4&vs.formula=unbiased' },
      { id: 'width512', query: 'norm=layer&position=after&width=512&vs.formula=unbiased' },
    ],
  },
  eps_outside: {
    variants: [{ id: 'tanh', query: 'activation=tanh&init=normal&scale=1&norm=batch&position=after&vs.formula=eps_outside' }],
  },
  eps_after: { variants: [{ id: 'eps', query: 'norm=layer&position=after&eps=0.1&vs.formula=eps_after' }] },
  negative_eps: { variants: [{ id: 'batch4', query: 'norm=batch&batch=4&seed=2&vs.formula=negative_eps' }] },
  seed_code: { variants: [{ id: 'groups', query: 'norm=group&groups=32&position=after&vs.formula=seed_code' }] },
  batch_axes: {
    variants: [
      { id: 'batch64', query: 'norm=layer&vs.formula=batch_axes' },
      { id: 'batch2', query: 'norm=layer&batch=2&vs.formula=batch_axes' },
    ],
  },
  seed_formula: { variants: [{ id: 'relu', query: 'norm=layer&activation=relu&position=after&vs.formula=seed_formula' }] },
  bias: { variants: [{ id: 'none', query: 'norm=batch&vs.norm=none' }], live: true },
  eval: { variants: [{ id: 'modes', query: 'norm=batch&vs.mode=eval' }] },
};

/** "max |dL/db|: A 3.1·10⁻⁶, B 2.2·10⁻²" from both sides' stats. */
export function biasReadout([a, b]) {
  const most = (stats) => Math.max(...stats.layers.map((l) => l.bias_grad_max));
  const show = (x) => (Number.isFinite(x) ? x.toExponential(1) : String(x));
  return t('mistakes.bias_readout', { a: show(most(a)), b: show(most(b)) });
}

/**
 * Fills the cards in `container` (index.html's markup); `apply(query)` opens a
 * comparison. Returns `refresh(figure)`, to call when the figure's state changes.
 */
export function renderMistakes(container, apply) {
  const live = [];
  for (const card of container.querySelectorAll('[data-mistake]')) {
    const id = card.dataset.mistake;
    const mistake = MISTAKES[id];
    if (!mistake) continue;
    localized(card.querySelector('.mistake-text'), () => t(`mistakes.${id}.text`));
    const variants = mistake.variants.map((variant) => ({ ...variant, key: `mistakes.${id}.label_${variant.id}` }));
    card.querySelector('.preset-buttons').append(...variantButtons(variants, container, apply));
    if (mistake.live) {
      const output = el('p', { class: 'mistake-live', role: 'status' });
      card.querySelector('.preset-buttons').after(output);
      live.push(output);
    }
  }
  // Only while the figure compares BatchNorm (A) with no norm (B), whichever way it got there.
  let last = null;
  const refresh = (figure) => {
    last = figure;
    const comparison = figure.comparison();
    const query = new URLSearchParams(comparison ? comparison.query : '');
    const shown = query.get('norm') === 'batch' && query.get('vs.norm') === 'none';
    for (const output of live) output.textContent = shown ? biasReadout(figure.comparisonStats()) : '';
  };
  onLanguage(() => last && refresh(last));
  return refresh;
}
