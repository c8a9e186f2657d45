// The "Compare" toggle of a figure's controls (issue 9): on, it opens one
// editor line, "B differs in [key] = [B's value]", and lists B's differences
// (each with a remove button); off stops comparing. One line, not a second
// input per control, so that it reads the same at 1280 px and at 390 px and
// the controls stay A's. Everything goes through the figure's `vs.` keys
// (`onSet`), which the core's compareQuery checks: a refused B value becomes
// the figure's notice naming `vs.<key>`, and A stays as it was.
//
//   const editor = createCompareEditor(ns, { idPrefix, onSet(key, text | null), onStop() });
//   controls.element.prepend(editor.element); editor.sync(configA, differences | null); editor.close();
//   editor.relabel();   // after a language switch

import { choiceName, el, keyText } from './controls.js';
import { t } from './i18n.js';

/** The schema rows B may differ in: every key that compareQuery accepts for B (not the shared seed). */
function differingRows(ns) {
  return ns.schema.filter((row) => {
    try {
      return !ns.compareQuery(`vs.${row.name}=${encodeURIComponent(String(row.default))}`).bError;
    } catch {
      return false;
    }
  });
}

/** The field for B's value of `row`: a select for choices and booleans, a number field otherwise. */
function valueInput(row, id) {
  const common = { id, title: keyText('help', row.name, row.help) };
  if (row.kind === 'choice' || row.kind === 'bool') {
    const names = row.kind === 'bool' ? ['true', 'false'] : row.choices;
    return el('select', common, names.map((name) => el('option', { value: name, text: choiceName(row.name, name) })));
  }
  const range = row.kind === 'int' ? { min: row.min, max: row.max, step: 1, inputMode: 'numeric' } : { max: row.max, step: 'any', inputMode: 'decimal' };
  return el('input', { ...common, type: 'number', ...range });
}

/**
 * `ns` (wasm.js); `idPrefix` (unique on the page); `onSet(key, text)` sets B's
 * value of `key` (text null: B takes A's again); `onStop()` ends the comparison.
 * Returns { element, sync(configA, differences), close(), relabel() } (differences: {key: B's value}, null: A alone).
 */
export function createCompareEditor(ns, { idPrefix, onSet, onStop }) {
  const rows = differingRows(ns);
  const toggle = el('input', { type: 'checkbox', id: `${idPrefix}-compare` });
  const label = (row) => keyText('label', row.name, row.label);
  const key = el('select', { id: `${idPrefix}-vs-key` }, rows.map((row) => el('option', { value: row.name, text: label(row) })));
  const slot = el('span', { class: 'compare-value' });
  const list = el('ul', { class: 'compare-keys' });
  // Each text node with its catalogue key, so that relabel() can rewrite them.
  const words = [];
  const word = (node, key, attribute) => (words.push([node, key, attribute]), node);
  const editor = el('div', { class: 'compare-edit', hidden: true }, [
    word(el('p', { class: 'compare-hint' }), 'page.compare_hint'),
    el('div', { class: 'compare-row' }, [
      word(el('label', { htmlFor: key.id }), 'page.compare_differs_in'),
      key,
      el('label', { htmlFor: `${idPrefix}-vs-value` }, [
        el('span', { 'aria-hidden': 'true', text: '=' }),
        word(el('span', { class: 'visually-hidden' }), 'page.compare_b_value'),
      ]),
      slot,
    ]),
    word(list, 'page.compare_list', 'aria-label'),
  ]);
  const element = el('fieldset', { class: 'compare-editor' }, [
    word(el('legend', { class: 'visually-hidden' }), 'page.compare'),
    el('div', { class: 'control-head' }, [toggle, word(el('label', { htmlFor: toggle.id }), 'page.compare_toggle')]),
    editor,
  ]);
  const writeWords = () => {
    for (const [node, name, attribute] of words) {
      if (attribute) node.setAttribute(attribute, t(name));
      else node.textContent = t(name);
    }
  };
  writeWords();
  let configA = {};
  let differences = null;
  let input = null;

  /** The value field for the picked key, showing B's value (A's where B does not differ). */
  function showValue() {
    const row = rows.find((r) => r.name === key.value);
    if (!row) return;
    input = valueInput(row, `${idPrefix}-vs-value`);
    const value = differences && key.value in differences ? differences[key.value] : configA[key.value];
    input.value = String(value ?? row.default);
    const commit = () => onSet(row.name, input.value.trim());
    input.addEventListener('change', commit);
    if (input.type === 'number') input.addEventListener('keydown', (event) => event.key === 'Enter' && commit());
    slot.replaceChildren(input);
  }

  function showList() {
    const items = Object.entries(differences || {}).map(([name, value]) => {
      const row = rows.find((r) => r.name === name);
      const remove = el('button', { type: 'button', class: 'compare-remove', text: '×', 'aria-label': t('page.compare_remove', { label: row ? label(row) : name }) });
      remove.addEventListener('click', () => onSet(name, null));
      return el('li', {}, [el('span', { text: `${name} = ${value}` }), remove]);
    });
    list.replaceChildren(...items);
    list.hidden = items.length === 0;
  }

  toggle.addEventListener('change', () => {
    editor.hidden = !toggle.checked;
    if (toggle.checked) showValue();
    else if (differences) onStop();
  });
  key.addEventListener('change', showValue);

  return {
    element,
    /** Rewrites its words in the current language; B's values and the open field stay. */
    relabel() {
      writeWords();
      for (const option of key.options) {
        const row = rows.find((r) => r.name === option.value);
        if (row) option.textContent = label(row);
      }
      if (input?.tagName === 'SELECT') for (const option of input.options) option.textContent = choiceName(key.value, option.value);
      if (input) input.title = keyText('help', key.value, rows.find((r) => r.name === key.value)?.help ?? '');
      showList();
    },
    /** Unticks the toggle (the comparison was stopped elsewhere, e.g. its button). */
    close() {
      toggle.checked = false;
      editor.hidden = true;
    },
    /** Shows A's config and B's differences ({key: value}; null: not comparing). */
    sync(nextA, nextDifferences) {
      configA = nextA || {};
      const started = nextDifferences && !differences; // e.g. a link or a preset: show B's first difference
      differences = nextDifferences;
      if (started) key.value = Object.keys(differences).find((name) => rows.some((r) => r.name === name)) ?? key.value;
      if (differences) toggle.checked = true;
      editor.hidden = !toggle.checked;
      showList();
      if (toggle.checked && document.activeElement !== input) showValue();
    },
  };
}
