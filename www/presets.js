// Presets: one lesson each, with two or three sentences on what to look for and
// one button per variant. A variant is a config query over the defaults (keys
// not named take their defaults), so every preset is a plain, shareable link.
// A variant with `vs.` keys opens a comparison: A and B side by side, in
// lockstep (compare.js). A variant with `step` is a link that trains to that
// step on load. The texts (titles, cite lines, texts, button labels) are in the
// presets catalogue, www/i18n/{en,zh}/presets.json, by preset id; the cards
// follow the page's language. Every number quoted in the texts was read off the
// core at these configs for seeds 1-8, and tests/claims.rs checks it; a claim
// that holds for some seeds only says so, and its links pin the seed.

import { el } from './controls.js';
import { has, onLanguage, t } from './i18n.js';

const KARPATHY_NET = 'depth=5&width=100&init=kaiming_normal';
const POST_LN = 'depth=32&residual=post&norm=layer&lr=1';
const DEEP_TANH = 'depth=20&activation=tanh&init=torch_default';
const IOFFE_NET = 'depth=3&width=100&activation=sigmoid&batch=60&dataset=gaussian&lr=0.5';

/**
 * The presets in page order. `id` names their texts in the presets catalogue
 * (presets.<id>.title, .text, .label_<variant id>, and .cite for a published result); `view`
 * holds view keys a variant sets too.
 */
export const PRESETS = [
  { id: 'vanishing', variants: [{ id: 'tanh', query: DEEP_TANH }] },
  { id: 'saturation', variants: [{ id: 'tanh', query: 'activation=tanh&init=normal&scale=1' }] },
  {
    id: 'relu_init',
    variants: [
      { id: 'xavier', query: 'depth=30&activation=relu&init=xavier_uniform' },
      { id: 'kaiming', query: 'depth=30&activation=relu&init=kaiming_normal' },
      { id: 'both', query: 'depth=30&activation=relu&init=xavier_uniform&vs.init=kaiming_normal' },
    ],
  },
  {
    id: 'layernorm_rescue',
    variants: [
      { id: 'none', query: DEEP_TANH },
      { id: 'layer', query: `${DEEP_TANH}&norm=layer` },
      { id: 'both', query: `${DEEP_TANH}&vs.norm=layer` },
    ],
  },
  {
    id: 'batch_size',
    variants: [
      { id: 'batch2', query: 'norm=batch&batch=2' },
      { id: 'batch128', query: 'norm=batch&batch=128' },
      { id: 'eval', query: 'norm=batch&batch=128&mode=eval' },
      { id: 'both', query: 'norm=batch&batch=2&vs.batch=128' },
    ],
  },
  {
    id: 'pre_post_ln',
    variants: [
      { id: 'pre', query: 'depth=32&residual=pre&norm=layer&seed=1' },
      { id: 'post', query: 'depth=32&residual=post&norm=layer&seed=1' },
      { id: 'pre_lr', query: 'depth=32&residual=pre&norm=layer&lr=0.5&seed=1' },
      { id: 'post_lr', query: 'depth=32&residual=post&norm=layer&lr=0.5&seed=1' },
      { id: 'both_lr', query: 'depth=32&residual=pre&norm=layer&lr=0.5&seed=1&vs.residual=post' },
    ],
  },
  { id: 'blow_up', variants: [{ id: 'relu', query: 'depth=20&activation=relu&init=normal&scale=50&lr=10' }] },
  // Published results: each reproduces a paper's figure or finding on our small
  // MLP (tests/papers.rs checks every number); their cite line names the paper and
  // figure. A variant with `step` is a link that trains to that step on load.
  {
    id: 'glorot',
    variants: [
      { id: 'standard', query: 'depth=5&init=torch_default' },
      { id: 'xavier', query: 'depth=5&init=xavier_uniform' },
      { id: 'both', query: 'depth=5&init=torch_default&vs.init=xavier_uniform' },
    ],
  },
  {
    id: 'yang',
    variants: [
      { id: 'batch', query: 'depth=50&activation=relu&init=kaiming_normal&norm=batch' },
      { id: 'layer', query: 'depth=50&activation=relu&init=kaiming_normal&norm=layer' },
      { id: 'both', query: 'depth=50&activation=relu&init=kaiming_normal&norm=batch&vs.norm=layer' },
    ],
  },
  {
    id: 'wu_he',
    variants: [
      { id: 'batch2', query: 'dataset=moons&norm=batch&batch=2&vs.norm=group', step: 2000 },
      { id: 'batch64', query: 'dataset=moons&norm=batch&batch=64&vs.norm=group', step: 1000 },
    ],
  },
  {
    id: 'xiong',
    variants: [
      { id: 'post', query: `${POST_LN}&seed=2` },
      { id: 'post_warmup', query: `${POST_LN}&warmup=50&seed=2` },
      { id: 'pre', query: 'depth=32&residual=pre&norm=layer&lr=1&seed=2' },
      { id: 'both', query: `${POST_LN}&seed=2&vs.warmup=50` },
    ],
  },
  {
    id: 'karpathy',
    variants: [
      { id: 'gain53', query: KARPATHY_NET, step: 1000 },
      { id: 'gain1', query: `${KARPATHY_NET}&scale=0.6`, step: 1000 },
      { id: 'batch', query: `${KARPATHY_NET}&norm=batch`, step: 1000 },
      { id: 'gain_both', query: `${KARPATHY_NET}&vs.scale=0.6`, step: 1000 },
      { id: 'batch_both', query: `${KARPATHY_NET}&vs.norm=batch`, step: 1000 },
    ],
  },
  {
    id: 'ioffe',
    view: { timelayer: 3, timetensor: 'out' },
    variants: [
      { id: 'plain', query: IOFFE_NET },
      { id: 'batch', query: `${IOFFE_NET}&norm=batch` },
      { id: 'both', query: `${IOFFE_NET}&vs.norm=batch` },
    ],
  },
];

const relabels = [];
onLanguage(() => {
  for (const relabel of relabels) relabel();
});

/** Gives `node` the text `text()` now and again after every language switch; returns `node`. */
export function localized(node, text) {
  const relabel = () => (node.textContent = text());
  relabel();
  relabels.push(relabel);
  return node;
}

/**
 * One button per variant ({key, query, step?}; `key` names its label): a click calls `apply(query, view)`
 * (`view`: the preset's view keys, if any) and marks it the pressed one among
 * the `.preset-buttons` buttons in `group`.
 */
export function variantButtons(variants, group, apply, view) {
  return variants.map((variant) => {
    const label = () => t(variant.key);
    // A variant measured at a step is a link that trains to it on load (state.js).
    if (variant.step) return localized(el('a', { class: 'preset-step', href: `?${variant.query}&step=${variant.step}` }), label);
    const button = localized(el('button', { type: 'button' }), label);
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
  for (const { id, view, variants } of PRESETS) {
    const key = (name) => `presets.${id}.${name}`;
    const labelled = variants.map((variant) => ({ ...variant, key: key(`label_${variant.id}`) }));
    const buttons = variantButtons(labelled, container, apply, view);
    const citeLine = () => t('presets.published', { cite: t(key('cite')) });
    list.append(
      el('li', { class: 'preset', id: `preset-${id}` }, [
        localized(el('h3'), () => t(key('title'))),
        ...(has(key('cite')) ? [localized(el('p', { class: 'preset-cite' }), citeLine)] : []),
        localized(el('p'), () => t(key('text'))),
        el('div', { class: 'preset-buttons' }, buttons),
      ]),
    );
  }
  container.append(list);
}
