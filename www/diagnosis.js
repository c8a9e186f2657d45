// The Diagnosis panel of a figure: what the charts show, in sentences with
// numbers and layer indices (the core's `diagnosis()`, src/core/diagnosis.rs),
// each with a button to the preset that explains it.
//
//   const panel = createDiagnosisPanel({ id: 'fig1', shown: true, onLink: (query) => ... });
//   panel.update(source.diagnosis());   // [{kind, code, params, text, link: {preset, title, query} | null}]
//
// Each sentence is the message `diagnosis.<code>` in the page's language
// (www/i18n/<lang>/diagnosis.json) with the finding's params, whose numbers
// the core formatted, so both languages quote the same figures; the button
// names the preset by its title in the presets catalogue. A language switch
// rewords the last findings at once (`destroy()` stops listening).
// The sentences are also the charts' accessible description: every canvas
// points at `panel.descriptionId` with aria-describedby (a hidden element works
// there too, so embeds without the panel still describe their charts). A
// polite live region announces the findings only when their set of kinds
// changes, so Play (which updates the sentences' numbers a few times a
// second) does not flood a screen reader.

import { el } from './controls.js';
import { has, onLanguage, t } from './i18n.js';

/** A finding's sentence in the current language. */
export const findingText = ({ code, params }) => t(`diagnosis.${code}`, params);

/** The title of a finding's preset in the current language (the core's English one before presets are translated). */
const presetTitle = (link) => (has(`presets.${link.preset}.title`) ? t(`presets.${link.preset}.title`) : link.title);

/** Builds the panel; hidden unless `shown`. `onLink(query)` loads a finding's preset. */
export function createDiagnosisPanel({ id, shown, onLink }) {
  const titleId = `${id}-diagnosis-title`;
  const descriptionId = `${id}-diagnosis-text`;
  const list = el('ul', { class: 'diagnosis-list' });
  const description = el('p', { id: descriptionId, hidden: true });
  const live = el('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  const element = el('section', { class: 'diagnosis', 'aria-labelledby': titleId, hidden: !shown }, [
    el('h3', { id: titleId, class: 'diagnosis-title', text: t('diagnosis.title') }),
    list,
    description,
    live,
  ]);
  const items = new Map(); // kind -> {item, text, button}
  let announced = null; // the kinds last announced, joined
  let last = null; // the findings last shown, to reword after a language switch

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
    last = findings;
    const shownKinds = new Set();
    const ordered = [];
    const texts = (findings || []).map(findingText);
    for (const [index, { kind, link }] of (findings || []).entries()) {
      shownKinds.add(kind);
      const entry = itemFor(kind);
      if (entry.text.textContent !== texts[index]) entry.text.textContent = texts[index];
      entry.button.hidden = !link;
      if (link) entry.button.dataset.query = link.query;
      const label = link ? t('diagnosis.see_preset', { title: presetTitle(link) }) : '';
      if (link && entry.button.textContent !== label) entry.button.textContent = label;
      ordered.push(entry.item);
    }
    for (const [kind, entry] of items) {
      if (!shownKinds.has(kind)) {
        entry.item.remove();
        items.delete(kind);
      }
    }
    if (ordered.some((item, index) => list.children[index] !== item)) list.replaceChildren(...ordered);
    const sentences = texts.join(' ');
    description.textContent = sentences ? t('diagnosis.description', { sentences }) : '';
    const kinds = [...shownKinds].join(',');
    if (findings && kinds !== announced) {
      announced = kinds;
      live.textContent = description.textContent;
    }
  }

  const stopLanguage = onLanguage(() => {
    element.querySelector('.diagnosis-title').textContent = t('diagnosis.title');
    if (last) {
      announced = null; // say the findings again, in the new language
      update(last);
    }
  });

  return { element, descriptionId, update, destroy: stopLanguage };
}
