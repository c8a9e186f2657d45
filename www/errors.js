// Errors in the reader's language (issue 12). The core's errors reach the page
// as {code, params, message} (normalizeQuery / compareQuery) or as a thrown
// Error with `code` and `params` (checkQuery, new Scope, setMode,
// torchScript): the page writes `t('errors.<code>', params)` and never parses
// the English `message`. The page's own refusals (state.js: view keys, page
// keys, `step`) are built the same way by `pageError`.

import { CATALOGUES } from './i18n/catalogues.js';
import { format, has, t } from './i18n.js';

/** A refusal of the page's own: {code, params, message}; `message` is the English text, as the core's. */
export function pageError(code, params) {
  return { code, params, message: format(CATALOGUES.en[`errors.${code}`] ?? code, params) };
}

/** The text of an error (the core's or the page's, a JS Error or a string) in the current language. */
export function errorText(error) {
  if (error && typeof error.code === 'string' && has(`errors.${error.code}`)) return t(`errors.${error.code}`, error.params || {});
  if (error && typeof error.message === 'string') return error.message;
  return String(error);
}

/** The key an error names (its `key` parameter: 'depth', 'vs.norm'), or null. */
export function errorKey(error) {
  return error?.params?.key ?? null;
}
