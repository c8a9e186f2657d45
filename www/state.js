// One page state <-> the URL query string.
//
// The query string holds three kinds of keys:
//   - config keys (depth, norm, seed, ...): the core's config table, checked by
//     the core's `normalizeQuery`; always written in full, in canonical form, so
//     a copied link reproduces the exact run;
//   - view keys, how the charts look: `view` (activation/gradient charts as a
//     heatmap or stacked histograms), `gradscale` (gradient value axis),
//     `layer` (the layer the "What is normalized" chart shows) and `tensor`
//     (whether it shows x, x̂ or γx̂ + β), `timelayer` and `timetensor` (the
//     layer and tensor, pre/out/grad, the "Distribution over time" chart
//     shows); written only
//     when they differ from their defaults;
//   - page keys for embedding: `embed`, `charts`, `controls` (lists, comma
//     separated), kept as given once valid;
//   - `vs.<config key>` (compare, issue 9): B's differences from A; the core
//     (`compareQuery`) splits them off, checks them and writes them back
//     canonically after A's keys. A refused `vs.` key drops B: A alone;
//   - `lang=en|zh` (issue 12): the page's language, written only when given
//     (with none the page follows the browser, i18n.js browserLanguage());
//   - `step=N`: the figure trains (deterministically) to step N on load, so a
//     link can hold "diverged at step 76". Not a config key, since the config
//     is the network; written only by Copy link and the Embed dialog, and kept
//     while the figure shows the run it started (see figure.js).
// A refused key becomes a notice in the core's words ("invalid value "x" for
// 'key': allowed ...") and takes its default; nothing is ever fatal. Errors are
// {code, params, message} (errors.js), so that a notice is written in the
// reader's language from the code; notices are functions that write it in the
// language of the moment, so a switch rewrites them.

import { errorKey, errorText, pageError } from './errors.js';
import { LANGUAGES, t } from './i18n.js';

/** View keys: default and allowed values. `layer` and `timelayer` are checked against the depth. */
export const VIEW_KEYS = {
  view: { default: 'heatmap', choices: ['heatmap', 'histograms'] },
  gradscale: { default: 'linear', choices: ['linear', 'symlog'] },
  layer: { default: 1 },
  tensor: { default: 'x', choices: ['x', 'xhat', 'y'] },
  timelayer: { default: 1 },
  timetensor: { default: 'pre', choices: ['pre', 'out', 'grad'] },
};

/** The view keys that name a hidden layer: checked against the depth, clamped when it shrinks. */
export const LAYER_VIEW_KEYS = ['layer', 'timelayer'];

/** Page keys for embedding. */
export const PAGE_KEYS = ['embed', 'charts', 'controls', 'lang'];

/** The largest `step` a link may ask for. */
export const MAX_STEP = 100000;


/** The default view. */
export function defaultView() {
  return Object.fromEntries(Object.entries(VIEW_KEYS).map(([key, spec]) => [key, spec.default]));
}

/** Checks a view key's value; returns [value, error or null]. */
export function checkView(key, raw, depth) {
  if (LAYER_VIEW_KEYS.includes(key)) {
    const layer = Number(raw);
    if (/^\d+$/.test(String(raw).trim()) && layer >= 1 && layer <= depth) return [layer, null];
    return [VIEW_KEYS[key].default, pageError('invalid_layer', { key, value: String(raw), depth })];
  }
  const { choices } = VIEW_KEYS[key];
  if (choices.includes(raw)) return [raw, null];
  return [VIEW_KEYS[key].default, pageError('invalid_choice', { key, value: String(raw), choices: choices.join(', ') })];
}

/** Checks a `step` value (a link's or mount()'s); returns [steps, error or null], 0 when refused. */
export function checkStep(raw) {
  const text = String(raw).trim();
  if (/^\d+$/.test(text) && Number(text) <= MAX_STEP) return [Number(text), null];
  return [0, pageError('invalid_int', { key: 'step', value: String(raw), min: 0, max: MAX_STEP })];
}

/** The chart name of the Diagnosis panel (diagnosis.js): `charts=` may list it beside the chart kinds. */
export const DIAGNOSIS = 'diagnosis';

/** What embed mode shows when `charts` / `controls` are not given. */
export const EMBED_DEFAULTS = { charts: ['activations', 'gradients'], controls: [] };

/**
 * Checks a list of names (an array, or a comma-separated string; 'all' means
 * every one, 'none' or '' nothing where `allowNone`) against `known`. Unknown
 * names are dropped and named in the error. Returns [names, error or null];
 * names is null when nothing usable is left.
 */
export function checkNames(key, given, known, allowNone) {
  const raw = Array.isArray(given) ? given.join(',') : String(given);
  const names = raw.split(',').map((name) => name.trim()).filter(Boolean);
  if (names.length === 1 && names[0] === 'all') return [known.slice(), null];
  if (allowNone && (names.length === 0 || (names.length === 1 && names[0] === 'none'))) return [[], null];
  const good = [...new Set(names.filter((name) => known.includes(name)))];
  const bad = names.filter((name) => !known.includes(name));
  const code = allowNone ? 'invalid_list_or_none' : 'invalid_list';
  const error = bad.length > 0 || names.length === 0 ? pageError(code, { key, value: bad.join(',') || raw, names: known.join(', ') }) : null;
  return [good.length > 0 ? good : null, error];
}

/**
 * Reads a query string. `ns` is the loaded module (see wasm.js). Returns
 * { query, config, view, page, step, errors, notices }: `query` is the canonical
 * config query, `page` holds only the page keys that were given and valid,
 * `errors` the refusals ({code, params, message}, errors.js), `notices` one
 * function per refusal that writes it, and what the page does instead, in the
 * current language.
 */
export function parse(search, ns) {
  const params = new URLSearchParams(search);
  const configKeys = ns.schema.map((row) => row.name);
  const pageKeys = [...Object.keys(VIEW_KEYS), ...PAGE_KEYS, 'step'];
  const known = [...configKeys, ...pageKeys];
  const errors = [];
  const seen = new Map();
  const versus = new URLSearchParams(); // B's keys, `vs.` kept: the core splits them
  for (const [key, value] of params) {
    if (key.startsWith('vs.') && !seen.has(key)) {
      seen.set(key, value);
      versus.set(key, value);
    } else if (!known.includes(key)) {
      errors.push(pageError('unknown_page_key', { key, network: configKeys.join(', '), page: pageKeys.join(', ') }));
    } else if (seen.has(key)) {
      errors.push(pageError('repeated_key_first', { key }));
    } else {
      seen.set(key, value);
    }
  }
  const configPart = new URLSearchParams();
  for (const key of configKeys) if (seen.has(key)) configPart.set(key, seen.get(key));
  const normalized = ns.normalizeQuery(configPart.toString());
  errors.push(...normalized.errors);
  const instead = new Map(); // error -> what the page does instead: () => text
  let query = normalized.query;
  if ([...versus].length > 0) {
    const answer = ns.compareQuery(`${query}&${versus}`);
    if (answer.bError) {
      errors.push(answer.bError);
      instead.set(answer.bError, () => t('page.instead_a_alone'));
    } else query = answer.query;
  }

  const view = defaultView();
  for (const key of Object.keys(VIEW_KEYS)) {
    if (!seen.has(key)) continue;
    const [value, error] = checkView(key, seen.get(key), normalized.config.depth);
    view[key] = value;
    if (error) errors.push(error);
  }

  const page = {};
  if (seen.has('embed')) {
    const raw = seen.get('embed');
    if (['1', 'true', '0', 'false'].includes(raw)) page.embed = raw === '1' || raw === 'true';
    else errors.push(pageError('invalid_choice', { key: 'embed', value: raw, choices: '1, true, 0, false' }));
  }
  if (seen.has('lang')) {
    const raw = seen.get('lang');
    if (LANGUAGES.includes(raw)) page.lang = raw;
    else {
      const error = pageError('invalid_choice', { key: 'lang', value: raw, choices: LANGUAGES.join(', ') });
      errors.push(error);
      instead.set(error, () => t('page.instead_english'));
    }
  }
  for (const [key, names, allowNone] of [['charts', [...ns.kinds, DIAGNOSIS], false], ['controls', configKeys, true]]) {
    if (!seen.has(key)) continue;
    const [list, error] = checkNames(key, seen.get(key), names, allowNone);
    if (list) page[key] = list;
    if (error) {
      errors.push(error);
      const shown = list || (page.embed ? EMBED_DEFAULTS[key] : names);
      const what = () => (shown === names ? t('page.all_of_them') : shown.join(', ') || t('page.none'));
      instead.set(error, () => t('page.instead_showing', { what: what() }));
    }
  }
  let step = 0;
  if (seen.has('step')) {
    const [value, error] = checkStep(seen.get('step'));
    step = value;
    if (error) {
      errors.push(error);
      instead.set(error, () => t('page.instead_step0'));
    }
  }
  const notices = errors.map((error) => () => {
    const then = instead.get(error)?.() ?? consequence(error, normalized.config);
    return t('page.notice_link', { error: errorText(error), consequence: then });
  });
  return { query, config: normalized.config, view, page, step, errors, notices };
}

/** What the page does about a refused key, for the notice. */
function consequence(error, config) {
  const key = errorKey(error);
  const used = key in config ? config[key] : VIEW_KEYS[key]?.default;
  const ignored = ['unknown_key', 'unknown_page_key', 'repeated_key', 'repeated_key_first'].includes(error.code);
  if (ignored || used === undefined) return t('page.instead_ignored');
  return t('page.instead_using', { value: used });
}

/** Turns a config given as a query string or a plain object into URLSearchParams. */
export function toParams(config) {
  if (!config) return new URLSearchParams();
  if (typeof config === 'string') return new URLSearchParams(config);
  return new URLSearchParams(Object.entries(config).map(([key, value]) => [key, String(value)]));
}

/** The keys whose values differ between two typed configs. */
export const changedKeys = (a, b) => Object.keys(b).filter((key) => a[key] !== b[key]);

/** The query string (with '?') for a config query, a view, a start step (0: none) and page keys. */
export function toSearch({ query, view = {}, step = 0, page = {} }) {
  const params = new URLSearchParams(query);
  for (const [key, spec] of Object.entries(VIEW_KEYS)) {
    if (key in view && view[key] !== spec.default) params.set(key, String(view[key]));
  }
  if (step > 0) params.set('step', String(step));
  if (page.embed) params.set('embed', '1');
  if (page.charts) params.set('charts', page.charts.join(','));
  if (page.controls) params.set('controls', page.controls.length ? page.controls.join(',') : 'none');
  if (page.lang) params.set('lang', page.lang);
  // Commas read better than %2C in a shared link and are legal in a query.
  return `?${params.toString().replaceAll('%2C', ',')}`;
}

/** The absolute URL of this page with query `search` (and no fragment). */
export function pageUrl(search) {
  return new URL(search, location.href).href;
}

/** Replaces the address bar's query without a reload (no-op where forbidden, e.g. sandboxed). */
export function writeUrl(search) {
  try {
    if (location.search !== search) history.replaceState(history.state, '', search + location.hash);
  } catch {
    // A sandboxed iframe may refuse history access; the page works on without it.
  }
}
