// The Diagnosis panel of a figure: what the charts show, in sentences with
// numbers and layer indices (the core's `diagnosis()`, src/core/diagnosis.rs),
// each with a button to the preset that explains it.
//
//   const panel = createDiagnosisPanel({ id: 'fig1', shown: true, onLink: (query) => ... });
//   panel.update(source.diagnosis());   // [{kind, text, link: {title, query} | null}]
//
// The sentences are also the charts' accessible description: every canvas
// points at `panel.descriptionId` with aria-describedby (a hidden element works
// there too, so embeds without the panel still describe their charts). A
// polite live region announces the findings only when their set of kinds
// changes, so Play (which updates the sentences' numbers a few times a
// second) does not flood a screen reader.

import { el } from './controls.js';

/** Builds the panel; hidden unless `shown`. `onLink(query)` loads a finding's preset. */
export function createDiagnosisPanel({ id, shown, onLink }) {
  const titleId = `${id}-diagnosis-title`;
  const descriptionId = `${id}-diagnosis-text`;
  const list = el('ul', { class: 'diagnosis-list' });
  const description = el('p', { id: descriptionId, hidden: true });
  const live = el('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  const element = el('section', { class: 'diagnosis', 'aria-labelledby': titleId, hidden: !shown }, [
    el('h3', { id: titleId, class: 'diagnosis-title', text: 'Diagnosis' }),
    list,
    description,
    live,
  ]);
  const items = new Map(); // kind -> {item, text, button}
  let announced = null; // the kinds last announced, joined

  /** One list item for a finding, its button created once (so focus stays on it during Play). */
  function itemFor(kind) {
    if (items.has(kind)) return items.get(kind);
    const text = el('span', { class: 'finding-text' });
    const button = el('button', { type: 'button', class: 'finding-link' });
    button.addEventListener('click', () => onLink(button.dataset.query));
    const entry = { item: el('li', { class: 'finding' }, [text, ' ', button]), text, button };
    entry.item.dataset.kind = kind;
    items.set(kind, entry);
    return entry;
  }

  /** Shows `findings` (null: none available, e.g. while a network is built). */
  function update(findings) {
    const shownKinds = new Set();
    const ordered = [];
    for (const { kind, text, link } of findings || []) {
      shownKinds.add(kind);
      const entry = itemFor(kind);
      if (entry.text.textContent !== text) entry.text.textContent = text;
      entry.button.hidden = !link;
      if (link && entry.button.dataset.query !== link.query) {
        entry.button.dataset.query = link.query;
        entry.button.textContent = `see the preset: ${link.title}`;
      }
      ordered.push(entry.item);
    }
    for (const [kind, entry] of items) {
      if (!shownKinds.has(kind)) {
        entry.item.remove();
        items.delete(kind);
      }
    }
    if (ordered.some((item, index) => list.children[index] !== item)) list.replaceChildren(...ordered);
    const sentences = (findings || []).map((finding) => finding.text).join(' ');
    description.textContent = sentences ? `Diagnosis: ${sentences}` : '';
    const kinds = [...shownKinds].join(',');
    if (findings && kinds !== announced) {
      announced = kinds;
      live.textContent = description.textContent;
    }
  }

  return { element, descriptionId, update };
}
