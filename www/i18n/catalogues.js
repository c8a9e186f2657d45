// The message catalogues, one per language, each split by domain so that a
// domain's texts sit together (see docs/i18n.md):
//   page       controls, status line, notices, Embed dialog, exports, compare editor
//   errors     the core's config errors, by code (src/core/error.rs)
//   charts     every text the Rust charts draw (read by src/web/i18n.rs too)
//   diagnosis  the diagnosis sentences, by finding code (src/core/diagnosis.rs)
//   presets    preset titles, texts and button labels (www/presets.js)
//   mistakes   the mistakes lab's dynamic texts (www/mistakes.js)
//   static     (zh only) index.html's static texts; their English is index.html
//              itself, read from the elements marked data-i18n / data-i18n-html
// Keys are flat, "domain.name"; placeholders are {name}; a key ending in
// "_html" holds inline markup (only ever our own, never user input).

import enCharts from './en/charts.json' with { type: 'json' };
import enDiagnosis from './en/diagnosis.json' with { type: 'json' };
import enErrors from './en/errors.json' with { type: 'json' };
import enMistakes from './en/mistakes.json' with { type: 'json' };
import enPage from './en/page.json' with { type: 'json' };
import enPresets from './en/presets.json' with { type: 'json' };
import zhCharts from './zh/charts.json' with { type: 'json' };
import zhDiagnosis from './zh/diagnosis.json' with { type: 'json' };
import zhErrors from './zh/errors.json' with { type: 'json' };
import zhMistakes from './zh/mistakes.json' with { type: 'json' };
import zhPage from './zh/page.json' with { type: 'json' };
import zhPresets from './zh/presets.json' with { type: 'json' };
import zhStatic from './zh/static.json' with { type: 'json' };

export const CATALOGUES = {
  en: { ...enPage, ...enErrors, ...enCharts, ...enDiagnosis, ...enPresets, ...enMistakes },
  zh: { ...zhPage, ...zhErrors, ...zhCharts, ...zhDiagnosis, ...zhPresets, ...zhMistakes, ...zhStatic },
};
