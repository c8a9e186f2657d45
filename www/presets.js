// Presets: one lesson each, with two or three sentences on what to look for and
// one button per variant. A variant is a config query over the defaults (keys
// not named take their defaults), so every preset is a plain, shareable link.
// A variant with `vs.` keys opens a comparison: A and B side by side, in
// lockstep (compare.js). A variant with `step` is a link that trains to that
// step on load. Every number quoted in the texts was read off the core at these configs
// for seeds 1-8, and tests/claims.rs checks it; a claim that holds for some
// seeds only says so, and its links pin the seed.

import { el } from './controls.js';

const KARPATHY_NET = 'depth=5&width=100&init=kaiming_normal';

const WU_HE = {
  title: 'Wu & He 2018: GroupNorm does not depend on the batch size',
  cite: 'Wu & He (2018), Group Normalization, Figure 1 (error against batch size)',
  text:
    'In the paper’s Figure 1 (ResNet-50 on ImageNet) BatchNorm’s error climbs as the batch shrinks while ' +
    'GroupNorm’s stays flat. Here, on the moons data with 8 tanh layers of 64 and GroupNorm’s 8 groups, read the ' +
    'held-out accuracy on the training chart: it is measured in eval mode, where BatchNorm normalizes with its ' +
    'running statistics. At batch 2, after 2000 steps (the last held-out evaluation is at step 1708), BatchNorm ' +
    'reaches 61–90% on this page (seeds 1–8, mean 78%): in training every x̂ was ±1, and the running statistics ' +
    'it is evaluated with were gathered from batches of two. GroupNorm, which normalizes each sample on its own, ' +
    'reaches 77–100% (mean 91%), higher for 7 of the 8 seeds. Training at batch 2 is so noisy that the last bits ' +
    'of rounding move these numbers: a native build of the same core gives BatchNorm 45–82% (mean 71%) and ' +
    'GroupNorm 88–99% (mean 94%), higher for every seed. At batch 64 both do well after 1000 steps: BatchNorm 96–100%, GroupNorm 99–100%. Our ' +
    'runs are short and our data 2-D, so the batch-2 numbers scatter from seed to seed; the paper’s are ' +
    'validation errors of fully trained networks. These links train to the step they name.',
  variants: [
    { label: 'Batch 2: BatchNorm beside GroupNorm, step 2000', query: 'dataset=moons&norm=batch&batch=2&vs.norm=group', step: 2000 },
    { label: 'Batch 64: BatchNorm beside GroupNorm, step 1000', query: 'dataset=moons&norm=batch&batch=64&vs.norm=group', step: 1000 },
  ],
};

const POST_LN = 'depth=32&residual=post&norm=layer&lr=1';

const XIONG = {
  title: 'Xiong et al. 2020: Post-LN and a learning-rate warmup',
  cite: 'Xiong et al. (2020), On Layer Normalization in the Transformer Architecture',
  text:
    'The paper finds that Post-LN Transformers need a learning-rate warmup and Pre-LN ones do not: at ' +
    'initialization Post-LN’s gradients near the output are large, and the full rate from step 0 throws the ' +
    'training off. Our version: 32 residual blocks with LayerNorm, plain SGD at lr 1, 300 steps. Without warmup ' +
    'Post-LN diverges on this page for 5 of the 8 seeds (1, 2, 4, 5 and 8, at steps 40–54); with warmup=50 (the ' +
    'rate ramps from 0.02 to 1 over 50 steps) for 1 of 8 (seed 8, at step 212). Which runs blow up depends on ' +
    'the last bits of rounding: a native build of the same core diverges for seeds 2, 3 and 6 (by step 53) ' +
    'without warmup and for seed 3 (step 137) with it. These links pin seed 2, which diverges without warmup in ' +
    'both builds and not with it. So the warmup keeps more runs alive, but here it does not make Post-LN learn: diverged or not, its held-out accuracy is 50%, ' +
    'chance, for every seed on both sides. Pre-LN at lr 1 without warmup diverges for none of the 8 seeds, ' +
    'though at this rate it learns little in 300 steps either (held-out 50–60%). Unlike the paper’s, our ' +
    'network is an MLP on 2-D points trained with SGD, and at depth 32 Post-LN’s gradient also vanishes toward ' +
    'the input (see “Pre-LN vs Post-LN at depth 32”).',
  variants: [
    { label: 'Post-LN, no warmup', query: `${POST_LN}&seed=2` },
    { label: 'Post-LN, warmup 50', query: `${POST_LN}&warmup=50&seed=2` },
    { label: 'Pre-LN, no warmup', query: 'depth=32&residual=pre&norm=layer&lr=1&seed=2' },
    { label: 'Post-LN: no warmup beside warmup 50', query: `${POST_LN}&seed=2&vs.warmup=50` },
  ],
};

const KARPATHY = {
  title: 'Karpathy’s makemore part 3: gain, saturation and update:data',
  cite: 'Andrej Karpathy (2022), “Building makemore Part 3: Activations & Gradients, BatchNorm”',
  text:
    'Five tanh layers of 100 with kaiming_normal init: torch’s tanh gain 5/3 makes the weight std ' +
    '(5/3)/√fan_in, as Karpathy’s torch.randn(...) * (5/3) / fan_in**0.5; Init scale 0.6 turns that into gain 1 ' +
    '(std 1/√fan_in). After 1000 steps (these links train to it): with gain 5/3 the std of h grows from ' +
    '0.45–0.51 at layer 1 to 0.66–0.70 at layer 5 and the share of saturated outputs (|tanh| > 0.97, his ' +
    'threshold) from 0.4–2.4% to 7–11% (seeds 1–8): a little saturation, as he aims for. With gain 1 the signal ' +
    'shrinks with depth (0.31–0.37 to 0.14–0.26), at most 0.5% saturates, and the loss is still 0.62–0.71 where ' +
    'gain 5/3 reached 0.25–0.51 (the loss of the batch of step 1000). With a BatchNorm before every tanh the gain no longer matters: the std is ' +
    '0.62–0.68 at every layer, at most 4.2% saturated, loss 0.54–0.74. The update:data ratio (std of an update ' +
    'over std of the weights, on the training chart) stays within a decade of his 10⁻³ guide in all three: ' +
    '6·10⁻⁴ to 6·10⁻³ (gain 5/3), 10⁻⁴ to 4·10⁻³ (gain 1), 4·10⁻⁴ to 6·10⁻³ (BatchNorm). His network is a ' +
    'character-level MLP trained with SGD at lr 0.1 on batches of 32; ours classifies the 2-D spiral at lr 0.05, ' +
    'batch 64.',
  variants: [
    { label: 'Gain 5/3', query: KARPATHY_NET, step: 1000 },
    { label: 'Gain 1', query: `${KARPATHY_NET}&scale=0.6`, step: 1000 },
    { label: 'BatchNorm', query: `${KARPATHY_NET}&norm=batch`, step: 1000 },
    { label: 'Gain 5/3 beside gain 1', query: `${KARPATHY_NET}&vs.scale=0.6`, step: 1000 },
    { label: 'Gain 5/3 beside BatchNorm', query: `${KARPATHY_NET}&vs.norm=batch`, step: 1000 },
  ],
};

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
      'does not diverge in 300 steps, but it does not learn either: its loss stays at 0.68–0.70 (chance is ' +
      '0.693) while dL/dh at layer 1 is 4 to 7.3 decades below layer 32’s. Pre-LN trains without diverging: its loss on the ' +
      'training batch falls to 0.60–0.67 in the same 300 steps for seven of the eight seeds (seed 6: 0.70), ' +
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
  // Published results: each reproduces a paper's figure or finding on our small
  // MLP (tests/papers.rs checks every number). `cite` names the paper and figure;
  // a variant with `step` is a link that trains to that step on load.
  {
    title: 'Glorot & Bengio 2010: standard vs normalized init',
    cite: 'Glorot & Bengio (2010), Understanding the difficulty of training deep feedforward neural networks, Figures 6 and 7',
    text:
      'The paper’s “standard” init U[−1/√n, 1/√n] is torch_default’s weight init (torch’s kaiming_uniform_ with ' +
      'a = √5 gives the bound 1/√fan_in), though torch_default also draws the biases from that range where the ' +
      'paper set them to 0. Each tanh layer then passes on about 1/√3 of the signal: the std of h falls from ' +
      '0.39–0.44 at layer 1 to 0.085–0.11 at layer 5, its spread across samples from 0.17–0.21 to 0.014–0.021 ' +
      '(seeds 1–8, step 0), so the heatmap’s peak at 0 sharpens layer by layer, as in Figure 6 (top). The ' +
      'back-propagated gradient shrinks the other way: dL/dh at layer 1 is 9 to 15 times smaller than at layer 5 ' +
      '(Figure 7, top). Normalized (Xavier) init keeps both flat: the std of h stays between 0.08 and 0.12 at ' +
      'every layer and dL/dh at layer 1 is 0.6 to 1.4 times layer 5’s (the figures’ bottom rows). The paper’s ' +
      'layers have 1000 units and 32×32 image inputs; ours 64 units and 2-D points, which is why Xavier’s layer 1 ' +
      'starts as low as 0.1.',
    variants: [
      { label: 'Standard (torch_default)', query: 'depth=5&init=torch_default' },
      { label: 'Normalized (Xavier)', query: 'depth=5&init=xavier_uniform' },
      { label: 'Side by side', query: 'depth=5&init=torch_default&vs.init=xavier_uniform' },
    ],
  },
  {
    title: 'Yang et al. 2019: BatchNorm’s gradients explode with depth',
    cite: 'Yang, Pennington, Rao, Sohl-Dickstein & Schoenholz (2019), A Mean Field Theory of Batch Normalization',
    text:
      'BatchNorm does not make every deep network well-behaved. In a plain 50-layer ReLU network with Kaiming ' +
      'init and a BatchNorm before every ReLU, the gradient at initialization grows toward the input: dL/dh at ' +
      'layer 1 is 2·10⁴ to 9·10⁴ times layer 50’s, 1.23 to 1.26 times per layer (seeds 1–8). The paper’s ' +
      'mean-field theory shows that the batch normalization itself causes this explosion (about 1.2× per layer ' +
      'for ReLU) and that no init or activation removes it. With LayerNorm, which normalizes each sample on its ' +
      'own, the same network’s dL/dh at layer 1 is 0.13 to 1.4 times layer 50’s (0.96 to 1.01 per layer). Read ' +
      'the summary’s gradient line on its log axis. The theory is for infinitely wide layers and large batches; ' +
      'ours are 64 wide with batch 64. At depth 50 both networks train in workers.',
    variants: [
      { label: 'BatchNorm', query: 'depth=50&activation=relu&init=kaiming_normal&norm=batch' },
      { label: 'LayerNorm', query: 'depth=50&activation=relu&init=kaiming_normal&norm=layer' },
      { label: 'Side by side', query: 'depth=50&activation=relu&init=kaiming_normal&norm=batch&vs.norm=layer' },
    ],
  },
  WU_HE,
  XIONG,
  KARPATHY,
  {
    title: 'Ioffe & Szegedy 2015, Figure 1: a drifting input, and BatchNorm holding it',
    cite: 'Ioffe & Szegedy (2015), Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift, Figure 1',
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

/**
 * One button per variant ({label, query}): a click calls `apply(query, view)`
 * (`view`: the preset's view keys, if any) and marks it the pressed one among
 * the `.preset-buttons` buttons in `group`.
 */
export function variantButtons(variants, group, apply, view) {
  return variants.map((variant) => {
    // A variant measured at a step is a link that trains to it on load (state.js).
    if (variant.step) return el('a', { class: 'preset-step', href: `?${variant.query}&step=${variant.step}`, text: variant.label });
    const button = el('button', { type: 'button', text: variant.label });
    button.dataset.query = variant.query;
    button.addEventListener('click', () => {
      apply(variant.query, view);
      for (const other of group.querySelectorAll('.preset-buttons button')) {
        other.setAttribute('aria-pressed', String(other === button));
      }
    });
    button.setAttribute('aria-pressed', 'false');
    return button;
  });
}

/** Renders the preset cards into `container`; `apply(query, view)` loads a variant (`view`: the preset's view keys, if any). */
export function renderPresets(container, apply) {
  const list = el('ul', { class: 'preset-list' });
  for (const preset of PRESETS) {
    const buttons = variantButtons(preset.variants, container, apply, preset.view);
    list.append(
      el('li', { class: 'preset' }, [
        el('h3', { text: preset.title }),
        ...(preset.cite ? [el('p', { class: 'preset-cite', text: `Published result: ${preset.cite}` })] : []),
        el('p', { text: preset.text }),
        el('div', { class: 'preset-buttons' }, buttons),
      ]),
    );
  }
  container.append(list);
}
