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

import { el } from './controls.js';

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
  const common = { id, title: row.help };
  if (row.kind === 'choice' || row.kind === 'bool') {
    const names = row.kind === 'bool' ? ['true', 'false'] : row.choices;
    return el('select', common, names.map((name) => el('option', { value: name, text: name })));
  }
  const range = row.kind === 'int' ? { min: row.min, max: row.max, step: 1, inputMode: 'numeric' } : { max: row.max, step: 'any', inputMode: 'decimal' };
  return el('input', { ...common, type: 'number', ...range });
}

/**
 * `ns` (wasm.js); `idPrefix` (unique on the page); `onSet(key, text)` sets B's
 * value of `key` (text null: B takes A's again); `onStop()` ends the comparison.
 * Returns { element, sync(configA, differences) } (differences: {key: B's value}, null: A alone).
 */
export function createCompareEditor(ns, { idPrefix, onSet, onStop }) {
  const rows = differingRows(ns);
  const toggle = el('input', { type: 'checkbox', id: `${idPrefix}-compare` });
  const key = el('select', { id: `${idPrefix}-vs-key` }, rows.map((row) => el('option', { value: row.name, text: row.label })));
  const slot = el('span', { class: 'compare-value' });
  const list = el('ul', { class: 'compare-keys', 'aria-label': 'B differs from A in' });
  const editor = el('div', { class: 'compare-edit', hidden: true }, [
    el('p', { class: 'compare-hint', text: 'B trains beside A from the same seed, in lockstep. Pick a setting and B’s value:' }),
    el('div', { class: 'compare-row' }, [
      el('label', { htmlFor: key.id, text: 'B differs in' }),
      key,
      el('label', { htmlFor: `${idPrefix}-vs-value` }, [
        el('span', { 'aria-hidden': 'true', text: '=' }),
        el('span', { class: 'visually-hidden', text: "B's value" }),
      ]),
      slot,
    ]),
    list,
  ]);
  const element = el('fieldset', { class: 'compare-editor' }, [
    el('legend', { class: 'visually-hidden', text: 'Compare' }),
    el('div', { class: 'control-head' }, [toggle, el('label', { htmlFor: toggle.id, text: 'Compare with a network B' })]),
    editor,
  ]);
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
      const label = rows.find((r) => r.name === name)?.label || name;
      const remove = el('button', { type: 'button', class: 'compare-remove', text: '×', 'aria-label': `B takes A’s ${label} again` });
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
