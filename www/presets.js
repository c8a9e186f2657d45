// Presets: one lesson each, with two or three sentences on what to look for and
// one button per variant. A variant is a config query over the defaults (keys
// not named take their defaults), so every preset is a plain, shareable link.
// The numbers quoted in the texts were read off the core at these configs.

import { el } from './controls.js';

export const PRESETS = [
  {
    title: 'Vanishing signal',
    text:
      'torch’s default Linear init draws weights with variance 1/(3·fan_in), so each tanh layer passes on ' +
      'about 1/√3 of the signal’s std: the activation heatmap narrows layer by layer until only the biases’ ' +
      'spread is left. The gradient chart (try symlog) mirrors it: dL/dh at layer 1 is four to five decades ' +
      'smaller than at layer 20, so the first layers barely learn.',
    variants: [{ label: 'Deep tanh, torch default init', query: 'depth=20&activation=tanh&init=torch_default' }],
  },
  {
    title: 'Saturation',
    text:
      'Weights drawn from N(0, 1) make every pre-activation after the first layer a sum of 64 terms with std ' +
      'near 8, deep in tanh’s flat tails: the heatmap piles up at −1 and +1 and the summary chart’s saturated ' +
      'share is around 80%. ' +
      'The loss starts high because the output layer is just as overconfident; try Init scale 0.1.',
    variants: [{ label: 'tanh, N(0, 1) weights', query: 'activation=tanh&init=normal&scale=1' }],
  },
  {
    title: 'ReLU at depth 30: Xavier vs Kaiming',
    text:
      'Xavier’s variance 2/(fan_in + fan_out) is 1/64 for these square layers, but ReLU zeroes half of each ' +
      'layer’s input, so the signal’s std shrinks by about 1/√2 per layer and ends four decades below ' +
      'layer 1. Kaiming’s 2/fan_in makes up for the halving exactly: the std stays flat through all 30 layers.',
    variants: [
      { label: 'ReLU + Xavier', query: 'depth=30&activation=relu&init=xavier_uniform' },
      { label: 'ReLU + Kaiming', query: 'depth=30&activation=relu&init=kaiming_normal' },
    ],
  },
  {
    title: 'LayerNorm rescues a deep tanh net',
    text:
      'The vanishing-signal network again, with and without a LayerNorm on every Linear output before tanh. ' +
      'Normalized, each sample’s pre-activations have mean 0 and std 1 whatever the weights did, so every ' +
      'layer’s activation distribution looks alike and dL/dh stays within a factor of about 4 from layer 20 ' +
      'down to layer 1.',
    variants: [
      { label: 'No normalization', query: 'depth=20&activation=tanh&init=torch_default' },
      { label: 'LayerNorm', query: 'depth=20&activation=tanh&init=torch_default&norm=layer' },
    ],
  },
  {
    title: 'BatchNorm: batch 2 vs 128, train vs eval',
    text:
      'With two samples each unit’s batch mean lies halfway between them and x̂ = ±1 whatever the input ' +
      'was, so at the start every tanh output is ±0.76 (see “What is normalized”) and almost no gradient ' +
      'reaches the early layers. Batch 128 gives smooth statistics. In eval mode the running averages are ' +
      'used instead; they start at mean 0 and variance 1, so BatchNorm does almost nothing until Play lets ' +
      'them catch up.',
    variants: [
      { label: 'Batch 2', query: 'norm=batch&batch=2' },
      { label: 'Batch 128', query: 'norm=batch&batch=128' },
      { label: 'Batch 128, eval', query: 'norm=batch&batch=128&mode=eval' },
    ],
  },
  {
    title: 'Pre-LN vs Post-LN at depth 32',
    text:
      'Read the summary chart. Pre-LN, h + φ(N(h)W + b), never rescales the residual stream, so activation ' +
      'std grows with depth (from 0.7 to about 3.4) while gradients flow back along the identity path; ' +
      'Post-LN, N(h + φ(hW + b)), pins every layer’s std at 1 and sends the gradient back through 32 ' +
      'LayerNorms. At learning rate 0.5, press Play: Post-LN’s loss explodes and training diverges within ' +
      'about 80 steps, while Pre-LN keeps learning.',
    variants: [
      { label: 'Pre-LN', query: 'depth=32&residual=pre&norm=layer' },
      { label: 'Post-LN', query: 'depth=32&residual=post&norm=layer' },
      { label: 'Pre-LN, lr 0.5', query: 'depth=32&residual=pre&norm=layer&lr=0.5' },
      { label: 'Post-LN, lr 0.5', query: 'depth=32&residual=post&norm=layer&lr=0.5' },
    ],
  },
  {
    title: 'A blow-up',
    text:
      'Weights with std 50 multiply a ReLU network’s signal by a few hundred per layer, so it overflows ' +
      'float32 (largest 3.4·10³⁸) within the first pass and the charts count non-finite values. Press Step: ' +
      'training pauses with the step and the layer where the first infinity or NaN appeared; Reset starts again.',
    variants: [{ label: 'ReLU, std 50, lr 10', query: 'depth=20&activation=relu&init=normal&scale=50&lr=10' }],
  },
];

/** Renders the preset cards into `container`; `apply(query)` loads a variant. */
export function renderPresets(container, apply) {
  const list = el('ul', { class: 'preset-list' });
  for (const preset of PRESETS) {
    const buttons = preset.variants.map((variant) => {
      const button = el('button', { type: 'button', text: variant.label });
      button.addEventListener('click', () => {
        apply(variant.query);
        for (const other of container.querySelectorAll('.preset-list button')) {
          other.setAttribute('aria-pressed', String(other === button));
        }
      });
      button.setAttribute('aria-pressed', 'false');
      return button;
    });
    list.append(
      el('li', { class: 'preset' }, [
        el('h3', { text: preset.title }),
        el('p', { text: preset.text }),
        el('div', { class: 'preset-buttons' }, buttons),
      ]),
    );
  }
  container.append(list);
}
