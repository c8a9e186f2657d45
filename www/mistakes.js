// The "Common mistakes" lab: one card per mistake (the markup and the MathML
// of each formula beside torch's are in index.html; this file holds the texts
// and the buttons). A button opens a comparison, A = torch and B = the mistake
// (`vs.` keys, compare.js), on a config where the difference shows. Every
// number a text quotes was read off the core at that config for seeds 1-8:
// tests/mistakes.rs checks it natively and, where a divergence step depends on
// float rounding, tests/node/claims.test.mjs on the wasm build the page runs.
// The bias card also shows the live max |dL/db| of both networks.

import { el } from './controls.js';
import { variantButtons } from './presets.js';

export const MISTAKES = {
  unbiased: {
    text:
      'Dividing the squared deviations by n − 1 (the sample variance, which torch’s x.var() and x.std() give ' +
      'by default) instead of n. It shrinks x̂ by √((n − 1)/n): with LayerNorm after tanh the std of every ' +
      'layer’s h is ×0.866 of torch’s at width 4 and ×0.999 at width 512. Narrow layers, small groups and small ' +
      'batches feel it; a learned γ can make up for it, but the trained weights no longer fit PyTorch’s layer.',
    variants: [
      { label: 'Compare at width 4', query: 'norm=layer&position=after&width=4&vs.formula=unbiased' },
      { label: 'At width 512', query: 'norm=layer&position=after&width=512&vs.formula=unbiased' },
    ],
  },
  eps_outside: {
    text:
      'Adding ε to the standard deviation rather than to the variance still keeps the forward pass finite, but ' +
      'the slope of √σ² at σ² = 0 is infinite, so a set whose values are all equal gets 0 · ∞ = NaN in backward. ' +
      'A tanh unit saturated for the whole batch outputs exactly ±1 in float32: with N(0, 1) weights and ' +
      'BatchNorm after tanh, layer 1 turns NaN at step 2 (seed 6: step 3; seeds 1–8) while torch trains on. ' +
      'GroupNorm with one unit per group has NaN gradients from step 0. Where σ² is far above ε the two agree.',
    variants: [{
      label: 'Compare on saturated tanh',
      query: 'activation=tanh&init=normal&scale=1&norm=batch&position=after&vs.formula=eps_outside',
    }],
  },
  eps_after: {
    text:
      'Adding ε to x̂ after normalizing moves every output up by ε. At ε = 0.1, with LayerNorm after tanh, ' +
      'the mean of h is 0.1000 in B’s layers where it is 0 in A’s. At torch’s ε = 10⁻⁵ nobody would notice, ' +
      'and a learned β absorbs the shift: it matters only with a large ε or with Affine off.',
    variants: [{ label: 'Compare at ε = 0.1', query: 'norm=layer&position=after&eps=0.1&vs.formula=eps_after' }],
  },
  negative_eps: {
    text:
      'Calling ε a small negative constant turns σ² + ε into σ² − ε, and the square root of a negative number ' +
      'is NaN as soon as one set’s variance falls below ε. That can take a while: with BatchNorm at batch 4, ' +
      'where a unit’s variance over 4 samples is now and then tiny, layer 1 turns NaN at steps 134, 63, 449, ' +
      '133 and 165 for seeds 1, 2, 4, 6 and 7, and seeds 3, 5 and 8 train 500 steps without (these steps are ' +
      'this page’s; a native build rounds differently). With LayerNorm at width 64 only seed 7 fails, at step 1.',
    variants: [{ label: 'Compare at batch 4 (seed 2)', query: 'norm=batch&batch=4&seed=2&vs.formula=negative_eps' }],
  },
  seed_code: {
    text:
      'The post’s LayerNorm class divides by x.std() plus ε: torch’s std is unbiased by default, so this is ' +
      'the unbiased variance with ε outside the root. As written the class does not run, since its forward ' +
      'reads a variable epsilon that it never defines; normscope reads it as the ε passed to the constructor. ' +
      'With GroupNorm of 2 units per group after tanh, x̂ becomes ±1/√2 whatever the input: the std of h at ' +
      'layer 8 is 0.707 against 0.99–1.00, and dL/dh at layer 1 falls to 6·10⁻¹⁶–4·10⁻¹¹ from 0.02–14.',
    variants: [{ label: 'Compare on 2-unit groups', query: 'norm=group&groups=32&position=after&vs.formula=seed_code' }],
  },
  batch_axes: {
    text:
      'Taking LayerNorm’s mean and variance per unit over the batch, as the post’s equations do, is BatchNorm ' +
      'in train mode, without running statistics: at step 0 its statistics match BatchNorm’s to 10⁻⁵ (seeds ' +
      '1–8). A sample’s output then depends on its batch-mates and on the batch size: the first held-out ' +
      'point’s first logit moves by 0.2 to 2.0 when its 63 batch-mates are swapped for others or the batch is ' +
      'cut to 4. With LayerNorm it does not move at all.',
    variants: [
      { label: 'Compare at batch 64', query: 'norm=layer&vs.formula=batch_axes' },
      { label: 'At batch 2', query: 'norm=layer&batch=2&vs.formula=batch_axes' },
    ],
  },
  seed_formula: {
    text:
      'The post’s equations all at once: statistics per unit over the batch, ε subtracted inside the root and ' +
      'subtracted again after. A ReLU unit that is off for the whole batch has variance 0, and √(0 − ε) is NaN: ' +
      'with the norm after ReLU, layer 1 turns NaN at step 2 for seeds 1–8, while torch’s LayerNorm trains.',
    variants: [{ label: 'Compare after ReLU', query: 'norm=layer&activation=relu&position=after&vs.formula=seed_formula' }],
  },
  bias: {
    text:
      'BatchNorm in train mode subtracts each unit’s batch mean, and with it any constant the Linear added: the ' +
      'bias cannot change the output, so its gradient is 0 (hence bias=False before BatchNorm in torch code). ' +
      'At step 0 the largest |dL/db| over the layers is 1·10⁻⁶–8·10⁻⁶, float rounding, with BatchNorm right ' +
      'after the Linear, against 2·10⁻³–9·10⁻² with no norm, and about as much in BatchNorm’s eval mode, which ' +
      'subtracts the running mean instead. The CSV export has it per layer (bias_grad_max).',
    variants: [{ label: 'Compare BatchNorm with no norm', query: 'norm=batch&vs.norm=none' }],
    live: true,
  },
  eval: {
    text:
      'In train mode BatchNorm normalizes with the batch’s own statistics; model.eval() switches to the running ' +
      'averages. Forget it at test time and the predictions depend on the test batch. After 300 steps at batch ' +
      '64, the 256 held-out points score 52–69% in eval mode and 59–65% in train mode fed 64 at a time (seeds ' +
      '1–8): 64 random points give similar statistics. Fed one at a time, every BatchNorm outputs β, every point ' +
      'gets the same answer and accuracy is exactly 50%, the share of each class. The button shows one network ' +
      'read in train mode (A) and eval mode (B).',
    variants: [{ label: 'Compare train and eval mode', query: 'norm=batch&vs.mode=eval' }],
  },
};

/** "max |dL/db|: A 3.1·10⁻⁶, B 2.2·10⁻²" from both sides' stats. */
export function biasReadout([a, b]) {
  const most = (stats) => Math.max(...stats.layers.map((l) => l.bias_grad_max));
  const show = (x) => (Number.isFinite(x) ? x.toExponential(1) : String(x));
  return `Now, largest |dL/db| over the layers: A (BatchNorm) ${show(most(a))}, B (no norm) ${show(most(b))}.`;
}

/**
 * Fills the cards in `container` (index.html's markup); `apply(query)` opens a
 * comparison. Returns `refresh(figure)`, to call when the figure's state changes.
 */
export function renderMistakes(container, apply) {
  const live = [];
  for (const card of container.querySelectorAll('[data-mistake]')) {
    const mistake = MISTAKES[card.dataset.mistake];
    if (!mistake) continue;
    card.querySelector('.mistake-text').textContent = mistake.text;
    card.querySelector('.preset-buttons').append(...variantButtons(mistake.variants, container, apply));
    if (mistake.live) {
      const output = el('p', { class: 'mistake-live', role: 'status' });
      card.querySelector('.preset-buttons').after(output);
      live.push(output);
    }
  }
  // Only while the figure compares BatchNorm (A) with no norm (B), whichever way it got there.
  return (figure) => {
    const comparison = figure.comparison();
    const query = new URLSearchParams(comparison ? comparison.query : '');
    const shown = query.get('norm') === 'batch' && query.get('vs.norm') === 'none';
    for (const output of live) output.textContent = shown ? biasReadout(figure.comparisonStats()) : '';
  };
}
