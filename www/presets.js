// Presets: one lesson each, with two or three sentences on what to look for and
// one button per variant. A variant is a config query over the defaults (keys
// not named take their defaults), so every preset is a plain, shareable link.
// A variant with `vs.` keys opens a comparison: A and B side by side, in
// lockstep (compare.js). Every number quoted in the texts was read off the core at these configs
// for seeds 1-8, and tests/claims.rs checks it; a claim that holds for some
// seeds only says so, and its links pin the seed.

import { el } from './controls.js';

export const PRESETS = [
  {
    title: 'Vanishing signal',
    text:
      'torch’s default Linear init draws weights with variance 1/(3·fan_in), so each tanh layer passes on ' +
      'about 1/√3 of the signal’s std (layer 2 keeps 0.53–0.63 of layer 1’s, seeds 1–8). From layer 5 on the std ' +
      'stays flat between 0.07 and 0.12, but that is the biases’ spread, the same for every sample: the summary’s ' +
      'spread across samples falls from 0.17–0.21 at layer 1 to a few 10⁻⁶ at layer 20, where the samples’ ' +
      'mean cosine is 1.0000: every input gives the same representation. The gradient ' +
      'chart (try symlog) mirrors it: dL/dh at layer 1 is 4 to 5 decades smaller than at layer 20, so the first ' +
      'layers barely learn.',
    variants: [{ label: 'Deep tanh, torch default init', query: 'depth=20&activation=tanh&init=torch_default' }],
  },
  {
    title: 'Saturation',
    text:
      'Weights drawn from N(0, 1): layer 2’s pre-activations have std 3.0–3.7, and from layer 3 on, sums of 64 ' +
      'tanh outputs near ±1, 6.2–8.1 (seeds 1–8), deep in tanh’s flat tails: the heatmap piles up at −1 and +1 ' +
      'and the summary shows 70–81% of the tanh outputs saturated. The gradient does not vanish towards the input, it ' +
      'grows: dL/dh at layer 1 is 300 to 820 times that at layer 8, because each step back multiplies it by ' +
      '64 weights of std 1 per unit, faster than the saturated units damp it. The loss starts high (3.4–6.3; chance is 0.69) because the output layer is just as overconfident; try Init scale 0.1.',
    variants: [{ label: 'tanh, N(0, 1) weights', query: 'activation=tanh&init=normal&scale=1' }],
  },
  {
    title: 'ReLU at depth 30: Xavier vs Kaiming',
    text:
      'Xavier’s variance 2/(fan_in + fan_out) is 1/64 for these square layers, but ReLU zeroes half of each ' +
      'layer’s input, so the signal’s std shrinks by about 1/√2 per layer and ends 10⁴ to 3.3·10⁴ times below ' +
      'layer 1’s. Kaiming’s 2/fan_in makes up for the halving on average: layer 30’s std stays within a factor ' +
      'of 4 of layer 1’s. A flat std is not yet a healthy network, though: with Kaiming 27–59% of layer 30’s ' +
      'units are dead (off for every sample, seeds 1–8), and the samples’ mean cosine climbs from 0.40–0.44 at ' +
      'layer 1 to 0.97–1.00 at layer 30: their representations line up.',
    variants: [
      { label: 'ReLU + Xavier', query: 'depth=30&activation=relu&init=xavier_uniform' },
      { label: 'ReLU + Kaiming', query: 'depth=30&activation=relu&init=kaiming_normal' },
      { label: 'Side by side', query: 'depth=30&activation=relu&init=xavier_uniform&vs.init=kaiming_normal' },
    ],
  },
  {
    title: 'LayerNorm rescues a deep tanh net',
    text:
      'The vanishing-signal network again, with and without a LayerNorm on every Linear output before tanh. ' +
      'Normalized, each sample’s pre-activations have mean 0 and std 1 whatever the weights did, so every ' +
      'layer’s activation distribution looks alike and dL/dh at layer 1 is within a factor of 5 of layer 20’s ' +
      '(2.4 to 4.9 times it, seeds 1–8), instead of 4 to 5 decades below.',
    variants: [
      { label: 'No normalization', query: 'depth=20&activation=tanh&init=torch_default' },
      { label: 'LayerNorm', query: 'depth=20&activation=tanh&init=torch_default&norm=layer' },
      { label: 'Side by side', query: 'depth=20&activation=tanh&init=torch_default&vs.norm=layer' },
    ],
  },
  {
    title: 'BatchNorm: batch 2 vs 128, train vs eval',
    text:
      'With two samples each unit’s batch mean lies halfway between them, so x̂ = ±1 whatever the input was ' +
      '(89–98% of the entries within 1% of ±1; only where the two samples nearly coincide, within about √ε, ' +
      'is x̂ smaller). Every BatchNorm’s output then hardly depends on its input, so it passes almost no ' +
      'gradient back: at step 0 dL/dh at layer 1 is 10⁻⁹ to 0.15 times layer 8’s, depending on the seed, and ' +
      'only γ, β and the output layer learn much. The status line’s accuracy is measured on those 2 samples, ' +
      'so it is 0%, 50% or 100%. Batch 128 gives smooth statistics. In eval mode the running averages are used ' +
      'instead; they start at mean 0 and variance 1, so BatchNorm does almost nothing until Play lets them ' +
      'catch up.',
    variants: [
      { label: 'Batch 2', query: 'norm=batch&batch=2' },
      { label: 'Batch 128', query: 'norm=batch&batch=128' },
      { label: 'Batch 128, eval', query: 'norm=batch&batch=128&mode=eval' },
      { label: 'Batch 2 beside 128', query: 'norm=batch&batch=2&vs.batch=128' },
    ],
  },
  {
    title: 'Pre-LN vs Post-LN at depth 32',
    text:
      'Read the summary chart. Pre-LN, h + φ(N(h)W + b), never rescales the residual stream, so activation ' +
      'std grows with depth (from 0.65 at layer 1 to 3.3–3.9 at layer 32, seeds 1–8); Post-LN, ' +
      'N(h + φ(hW + b)), pins the std of layers 2–32 at 1 (layer 1 is a plain block) and sends the gradient back through 32 LayerNorms. At ' +
      'learning rate 0.5 press Play: with seed 1 (these links) Post-LN diverges at step 76 (a native build of ' +
      'the same core diverges at step 88: when a network on the edge blows up depends on the last bits of ' +
      'floating-point rounding). With seeds 2–8 it ' +
      'does not diverge in 300 steps, but it does not learn either: its loss stays at 0.68–0.69 (chance is ' +
      '0.693) while dL/dh at layer 1 is 4 to 7 decades below layer 32’s. Pre-LN trains without diverging: its loss on the ' +
      'training batch falls to 0.59–0.66 in the same 300 steps for seven of the eight seeds (seed 6: 0.69), ' +
      'though at this learning rate its held-out loss (0.61–0.73 at the last evaluation) shows how little of ' +
      'that carries over to new points.',
    variants: [
      { label: 'Pre-LN', query: 'depth=32&residual=pre&norm=layer&seed=1' },
      { label: 'Post-LN', query: 'depth=32&residual=post&norm=layer&seed=1' },
      { label: 'Pre-LN, lr 0.5', query: 'depth=32&residual=pre&norm=layer&lr=0.5&seed=1' },
      { label: 'Post-LN, lr 0.5', query: 'depth=32&residual=post&norm=layer&lr=0.5&seed=1' },
      { label: 'Side by side, lr 0.5', query: 'depth=32&residual=pre&norm=layer&lr=0.5&seed=1&vs.residual=post' },
    ],
  },
  {
    title: 'A blow-up',
    text:
      'Weights with std 50 multiply a ReLU network’s signal by a few hundred per layer, so it overflows ' +
      'float32 (largest 3.4·10³⁸) within the first pass, at layer 16 or 17 (seeds 1–8): the charts count ' +
      'non-finite values, and the loss reads NaN. Press Step: training pauses at step 1 with the layer where ' +
      'the first infinity or NaN appeared; Reset starts again.',
    variants: [{ label: 'ReLU, std 50, lr 10', query: 'depth=20&activation=relu&init=normal&scale=50&lr=10' }],
  },
  {
    title: 'Ioffe & Szegedy 2015, Figure 1: a drifting input, and BatchNorm holding it',
    text:
      'Ioffe & Szegedy (2015, “Batch Normalization”, Figure 1b–c) trained three sigmoid layers of 100 on MNIST for ' +
      '50 000 steps and plotted the 15th, 50th and 85th percentiles of a typical last-layer sigmoid’s input: without ' +
      'BatchNorm they drift, with it they stay put. Here: the same three sigmoid layers of 100 and batch 60, but on ' +
      'our 100-dimensional gaussian task (a random linear teacher), SGD at lr 0.5, 2000 steps, all 100 units of layer 3 ' +
      'pooled, and the 16th/50th/84th percentiles of its output h = σ(input), which σ keeps in order. Without ' +
      'BatchNorm the median falls from 0.49–0.52 at step 1 to 0.15–0.17 at step 200, the 16th–84th band squeezed ' +
      'into 0.13–0.19; by step 2000 the median is 0.16–0.18 while the 84th percentile has climbed to 0.46–0.55. ' +
      'With BatchNorm the median stays at 0.46–0.50, the 16th percentile at 0.20–0.27 and the 84th at 0.73–0.76 ' +
      '(steps 1, 200 and 2000, seeds 1–8). Both reach 90–97% held-out accuracy: unlike MNIST in the paper, this ' +
      'easy task does not show BatchNorm training faster. Press Play and watch the “Distribution over time” chart.',
    view: { timelayer: 3, timetensor: 'out' },
    variants: [
      { label: 'Sigmoid, no norm', query: 'depth=3&width=100&activation=sigmoid&batch=60&dataset=gaussian&lr=0.5' },
      { label: 'Sigmoid + BatchNorm', query: 'depth=3&width=100&activation=sigmoid&batch=60&dataset=gaussian&lr=0.5&norm=batch' },
      {
        label: 'Sigmoid, side by side',
        query: 'depth=3&width=100&activation=sigmoid&batch=60&dataset=gaussian&lr=0.5&vs.norm=batch',
      },
    ],
  },
];

/** Renders the preset cards into `container`; `apply(query, view)` loads a variant (`view`: the preset's view keys, if any). */
export function renderPresets(container, apply) {
  const list = el('ul', { class: 'preset-list' });
  for (const preset of PRESETS) {
    const buttons = preset.variants.map((variant) => {
      const button = el('button', { type: 'button', text: variant.label });
      button.addEventListener('click', () => {
        apply(variant.query, preset.view);
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
