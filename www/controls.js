// Form controls built from the core's config table (`configSchema()`).
//
// Every row of the table becomes one labelled element (a native <label for>):
// a slider for integers with a short range, a number field for other numbers,
// a <select> for choices, a checkbox for booleans. Labels, ranges, choices,
// defaults and tooltips (the key's `help`) all come from the table; this file
// names a key only for layout (section headings, Groups shown for GroupNorm)
// and for Groups' choices: a <select> of the divisors of the current width, the
// only counts GroupNorm accepts (`fitGroups` picks one when the width changes).
// In another language (issue 12) the label, help and choice names come from
// the catalogue (`keyText`); the values stay the ASCII config values.
// `relabel()` rewrites them after a language switch.
//
//   const controls = buildControls(schema, { idPrefix: 'f1', onChange: (key, text) => ... });
//   parent.append(controls.element); controls.set(config);

import { CATALOGUES } from './i18n/catalogues.js';
import { language, t } from './i18n.js';

/** Section headings (catalogue keys), placed before the named key when it is shown. */
const SECTIONS = { depth: 'page.section_network', norm: 'page.section_normalization', batch: 'page.section_training' };

/**
 * A config key's label, help or choice name in the current language. Their
 * English is the core's config table (`fallback`), written in one place; the
 * other languages hold `page.label_<key>`, `page.help_<key>` and
 * `page.choice_<key>_<value>` (tests/node/i18n.test.mjs checks every key and value has one).
 */
export function keyText(kind, name, fallback) {
  return (language() === 'en' ? undefined : CATALOGUES[language()]?.[`page.${kind}_${name}`]) ?? fallback;
}

/** The name shown for value `value` of choice key `key` (the value itself where it is not a word). */
export const choiceName = (key, value) => keyText('choice', `${key}_${value}`, value);

/** Integers whose range is at most this wide get a slider. */
const SLIDER_SPAN = 1024;

/** The divisors of `n`, ascending. */
export function divisors(n) {
  const found = [];
  for (let d = 1; d <= n; d += 1) if (n % d === 0) found.push(d);
  return found;
}

/** The group count to use at `width` for a wish of `groups`: the largest divisor of width not above it. */
export function fitGroups(width, groups) {
  return divisors(width).filter((d) => d <= Math.max(1, groups)).pop();
}

/**
 * After a width change in `draft` (URLSearchParams of the config) under
 * GroupNorm: sets Groups to the largest divisor of the width not above the
 * count asked for, which `fitted` ({wanted, groups}, from the last call)
 * remembers while its fitted count stands, so dragging on can restore it.
 * Returns { fitted, note } (null: nothing to fit), or null when not GroupNorm.
 */
export function fitGroupsToWidth(draft, fitted) {
  const [width, groups] = [Number(draft.get('width')), Number(draft.get('groups'))];
  if (draft.get('norm') !== 'group' || !Number.isInteger(width) || width < 1 || !(groups >= 1)) return null;
  const wanted = fitted && fitted.groups === groups ? fitted.wanted : groups;
  const fit = fitGroups(width, wanted);
  draft.set('groups', String(fit));
  if (fit === wanted) return { fitted: null, note: null };
  return { fitted: { wanted, groups: fit }, note: () => t('page.groups_fitted', { groups: fit, wanted, width }) };
}

/**
 * After a Normalization change in `draft`: a formula the new norm does not
 * admit (any but torch without a norm; unbiased or seed_code with RMSNorm;
 * the batch-axis ones outside LayerNorm) goes back to torch. The core decides
 * (`normalize`, ns.normalizeQuery, falls back to torch where the formula does
 * not apply). Returns the note to show under Formula (always one under
 * norm=none, where the control is disabled), as a function that writes it in
 * the current language, or null.
 */
export function fitFormulaToNorm(draft, normalize) {
  const [formula, norm] = [draft.get('formula') || 'torch', draft.get('norm')];
  if (formula !== 'torch' && normalize(draft.toString()).config.formula !== formula) {
    draft.set('formula', 'torch');
    return norm === 'none' ? () => t('page.formula_reset_none') : () => t('page.formula_reset', { formula, norm });
  }
  return norm === 'none' ? () => t('page.formula_stays') : null;
}

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

/** The input element for one schema row. */
function inputFor(row, id) {
  const common = { id, name: row.name, title: keyText('help', row.name, row.help) };
  if (row.name === 'groups') return el('select', common); // options: offerGroups()
  switch (row.kind) {
    case 'choice':
      return el('select', common, row.choices.map((name) => el('option', { value: name, text: choiceName(row.name, name) })));
    case 'bool':
      return el('input', { ...common, type: 'checkbox' });
    case 'int':
      if (row.max - row.min <= SLIDER_SPAN) {
        return el('input', { ...common, type: 'range', min: row.min, max: row.max, step: 1 });
      }
      return el('input', { ...common, type: 'number', min: row.min, max: row.max, step: 1, inputMode: 'numeric' });
    default:
      // Floats: min may be open, so the browser's min check is left to the core.
      return el('input', { ...common, type: 'number', max: row.max, step: 'any', inputMode: 'decimal' });
  }
}

/** The text form of a control's value, as the core parses it. */
function read(input) {
  return input.type === 'checkbox' ? String(input.checked) : input.value.trim();
}

/**
 * Builds the controls for `schema` rows (only those named in `only`, if given).
 * `onChange(key, text)` is called with the raw text of a changed control; a
 * slider reports while it moves, other fields when a value is committed.
 * Returns { element, set(config), showError(key, text), clearErrors(), showNote(key, text), has(key), relabel() };
 * a note or error text may be a function that writes it in the current language.
 */
export function buildControls(schema, { only = null, onChange, idPrefix = 'ns' }) {
  const element = el('form', { class: 'controls', 'aria-label': t('page.controls_label') });
  element.addEventListener('submit', (event) => event.preventDefault());
  const rows = new Map();
  const sections = [];
  for (const row of schema) {
    if (only && !only.includes(row.name)) continue;
    if (SECTIONS[row.name] && !only) {
      const heading = el('h3', { class: 'controls-section', text: t(SECTIONS[row.name]) });
      sections.push([heading, SECTIONS[row.name]]);
      element.append(heading);
    }
    const id = `${idPrefix}-${row.name}`;
    const input = inputFor(row, id);
    const label = el('label', { htmlFor: id, text: keyText('label', row.name, row.label), title: keyText('help', row.name, row.help) });
    const error = el('p', { class: 'control-error', id: `${id}-error`, hidden: true });
    const note = el('p', { class: 'control-note', role: 'status', hidden: true });
    const wrap = el('div', { class: `control control-${row.kind}${input.type === 'range' ? ' control-range' : ''}` });
    wrap.dataset.key = row.name;
    let output = null;
    if (input.type === 'range') {
      output = el('output', { htmlFor: id, class: 'control-value' });
      wrap.append(el('div', { class: 'control-head' }, [label, output]), input, error, note);
    } else if (input.type === 'checkbox') {
      wrap.append(el('div', { class: 'control-head' }, [input, label]), error, note);
    } else {
      wrap.append(label, input, error, note);
    }
    const report = () => {
      if (output) output.value = input.value;
      // Groups follows the Normalization control at once, so a refused
      // GroupNorm config can be fixed without first leaving GroupNorm.
      if (row.name === 'norm' && rows.has('groups')) rows.get('groups').wrap.hidden = input.value !== 'group';
      // Without a norm there is no formula: torch only, the control disabled.
      if (row.name === 'norm' && rows.has('formula')) rows.get('formula').input.disabled = input.value === 'none';
      onChange(row.name, read(input));
    };
    if (input.type === 'range') input.addEventListener('input', report);
    else input.addEventListener('change', report);
    // Enter in a number field commits it at once.
    if (input.type === 'number') {
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') input.dispatchEvent(new Event('change'));
      });
    }
    rows.set(row.name, { row, input, output, error, note, wrap, label });
    element.append(wrap);
  }

  /**
   * Groups must divide the width: offer the divisors of `width`, and `value`
   * too when it is not one (a refused config; the error under Groups says why).
   */
  function offerGroups(width, value) {
    const select = rows.get('groups')?.input;
    if (!select) return;
    const counts = divisors(width);
    const options = counts.map((d) => el('option', { value: d, text: String(d) }));
    if (!counts.includes(value)) options.push(el('option', { value, text: t('page.groups_not_dividing', { groups: value, width }) }));
    select.replaceChildren(...options);
  }

  let shownConfig = {};
  /** Shows `config` (a plain object of typed values) in the controls. */
  function set(config) {
    shownConfig = { ...shownConfig, ...config };
    // First, so that the Groups value set below is among the options.
    if ('width' in config && 'groups' in config) offerGroups(config.width, config.groups);
    for (const [name, { input, output, wrap }] of rows) {
      if (!(name in config)) continue;
      const value = config[name];
      if (input.type === 'checkbox') input.checked = value === true || value === 'true';
      else if (document.activeElement !== input || input.type !== 'number') input.value = String(value);
      if (output) output.value = input.value;
      if (name === 'groups') wrap.hidden = config.norm !== 'group';
      if (name === 'formula' && 'norm' in config) input.disabled = config.norm === 'none';
    }
  }

  const texts = new Map(); // p element -> function writing its text (rewritten by relabel)
  const write = (node, text) => {
    if (typeof text === 'function') texts.set(node, text);
    else texts.delete(node);
    node.textContent = (typeof text === 'function' ? text() : text) || '';
  };

  /** Marks `key` invalid with `text` (a string or a function writing it; null clears it). */
  function showError(key, text) {
    const entry = rows.get(key);
    if (!entry) return;
    entry.error.hidden = !text;
    write(entry.error, text);
    if (text) {
      entry.input.setAttribute('aria-invalid', 'true');
      entry.input.setAttribute('aria-describedby', entry.error.id);
    } else {
      entry.input.removeAttribute('aria-invalid');
      entry.input.removeAttribute('aria-describedby');
    }
  }

  function clearErrors() {
    for (const key of rows.keys()) showError(key, null);
  }

  /** Shows `text` under `key`'s control as a note (not an error; null clears it). */
  function showNote(key, text) {
    const entry = rows.get(key);
    if (!entry) return;
    entry.note.hidden = !text;
    write(entry.note, text);
  }

  /** Rewrites every text in the current language (after a switch); values and state stay. */
  function relabel() {
    element.setAttribute('aria-label', t('page.controls_label'));
    for (const [heading, key] of sections) heading.textContent = t(key);
    for (const [name, { row, input, label }] of rows) {
      label.textContent = keyText('label', name, row.label);
      label.title = input.title = keyText('help', name, row.help);
      if (row.kind === 'choice') for (const option of input.options) option.textContent = choiceName(name, option.value);
    }
    if ('width' in shownConfig && 'groups' in shownConfig && rows.has('groups')) {
      const select = rows.get('groups').input;
      const value = select.value;
      offerGroups(shownConfig.width, shownConfig.groups);
      select.value = value;
    }
    for (const [node, text] of texts) node.textContent = text() || '';
  }

  return { element, set, showError, clearErrors, showNote, has: (key) => rows.has(key), relabel };
}

export { el };
