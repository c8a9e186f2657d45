// The message catalogues (issue 12, docs/i18n.md): every key in both
// languages, the same placeholders and the same numbers in each message,
// markup that parses, every t('...') of the page's scripts present, every
// error code of the core with a message, and the English messages of the
// core's errors equal to the core's own text. Run by `cargo xtask test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const read = (path) => readFileSync(fileURLToPath(new URL(path, root)), 'utf8');
const pkg = await import(new URL('pkg/normscope.js', root));
pkg.initSync({ module: readFileSync(fileURLToPath(new URL('pkg/normscope_bg.wasm', root))) });
const { CATALOGUES } = await import(new URL('www/i18n/catalogues.js', root));
const { format } = await import(new URL('www/i18n.js', root));

const schema = JSON.parse(pkg.configSchema());
const html = read('index.html');
/** index.html's marked keys: their English is index.html itself. */
const htmlKeys = new Set([
  ...[...html.matchAll(/data-i18n(?:-html)?="([^"]+)"/g)].map((m) => m[1]),
  ...[...html.matchAll(/data-i18n-attrs="([^"]+)"/g)].flatMap((m) => m[1].split(',').map((pair) => pair.split('=')[1].trim())),
]);
/** The config table's words: their English is the core's table (labels, help, choice values). */
const schemaKeys = new Set(
  schema.flatMap((row) => [
    `page.label_${row.name}`,
    `page.help_${row.name}`,
    ...(row.choices || []).map((choice) => `page.choice_${row.name}_${choice}`),
  ]),
);
// The JSON as written (catalogues.js only merges it), so that a key duplicated across domains shows.
const en = CATALOGUES.en;
const zh = CATALOGUES.zh;

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const numbers = (text) => [...text.replace(/\{\w+\}/g, '').matchAll(/\d+/g)].map((m) => m[0]).sort();

test('every key is in both languages: English (catalogue, index.html, config table) and Chinese', () => {
  const english = new Set([...Object.keys(en), ...htmlKeys, ...schemaKeys]);
  const missing = [...english].filter((key) => !(key in zh));
  const extra = Object.keys(zh).filter((key) => !english.has(key));
  assert.deepEqual(missing, [], `no Chinese for: ${missing.join(', ')}`);
  assert.deepEqual(extra, [], `Chinese without English: ${extra.join(', ')}`);
  assert.ok(Object.keys(en).some((key) => key.startsWith('page.')), 'the page domain is not empty');
});

test('each message has the same placeholders and the same numbers in both languages', () => {
  for (const [key, english] of Object.entries(en)) {
    if (!(key in zh)) continue;
    assert.deepEqual(placeholders(zh[key]), placeholders(english), `${key}: placeholders`);
    assert.deepEqual(numbers(zh[key]), numbers(english), `${key}: numbers`);
  }
  // The config table's words: the Chinese keeps the numbers the core's English quotes.
  for (const row of schema) {
    for (const [key, english] of [[`page.label_${row.name}`, row.label], [`page.help_${row.name}`, row.help]]) {
      assert.deepEqual(numbers(zh[key] ?? ''), numbers(english), `${key}: numbers`);
    }
  }
});

test('a message holds markup only under an _html key, and there it is balanced', () => {
  for (const [lang, catalogue] of Object.entries(CATALOGUES)) {
    for (const [key, text] of Object.entries(catalogue)) {
      if (!key.endsWith('_html')) {
        assert.doesNotMatch(text, /<[a-z/][^>]*>/i, `${lang} ${key}: markup outside an _html key`);
        continue;
      }
      const stack = [];
      for (const [, close, name, self] of text.matchAll(/<(\/?)([a-z][\w-]*)[^>]*?(\/?)>/gi)) {
        if (self || ['br', 'img', 'wbr', 'hr', 'mspace', 'none', 'mprescripts'].includes(name.toLowerCase())) continue;
        if (!close) stack.push(name.toLowerCase());
        else assert.equal(stack.pop(), name.toLowerCase(), `${lang} ${key}: </${name}> closes another element`);
      }
      assert.deepEqual(stack, [], `${lang} ${key}: unclosed ${stack.join(', ')}`);
    }
  }
});

test("every t('...') in the page's scripts has an English message", () => {
  const www = fileURLToPath(new URL('www/', root));
  const used = [];
  for (const file of readdirSync(www).filter((name) => name.endsWith('.js'))) {
    // Code only: a comment may quote a key as an example.
    const code = read(`www/${file}`).replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const [, key] of code.matchAll(/\bt\(\s*'([a-z]+\.[\w.]+)'/g)) used.push([file, key]);
  }
  assert.ok(used.length > 50, `${used.length} t() calls found`);
  const missing = used.filter(([, key]) => !(key in en)).map(([file, key]) => `${file}: ${key}`);
  assert.deepEqual(missing, []);
});

test('every error code of the core has a message in both languages', () => {
  const codes = JSON.parse(pkg.errorCodes());
  assert.ok(codes.includes('invalid_int') && codes.includes('unknown_key'), codes.join());
  for (const code of codes) {
    assert.ok(`errors.${code}` in en, `no English for errors.${code}`);
    assert.ok(`errors.${code}` in zh, `no Chinese for errors.${code}`);
  }
});

/** Queries whose refusals cover every code normalizeQuery, compareQuery and checkQuery give. */
const REFUSED = [
  'depth=999',
  'lr=0',
  'eps=2',
  'norm=bogus',
  'affine=maybe',
  'colour=red',
  'depth',
  'depth=3&depth=4',
  'norm=group&width=10&groups=4',
  'norm=none&formula=unbiased',
  'vs.seed=2',
  'vs.norm=layer&vs.norm=batch',
];

function refusals() {
  const found = [];
  for (const query of REFUSED) {
    found.push(...pkg.normalizeQuery(query).errors);
    const compared = pkg.compareQuery(query);
    if (compared.bError) found.push(compared.bError);
    try {
      pkg.checkQuery(query);
    } catch (error) {
      if (error.code) found.push({ code: error.code, params: error.params, message: error.message });
    }
  }
  for (const query of ['batch=1&norm=batch', 'batch=1&norm=group&width=8&groups=8']) {
    const torch = new pkg.Scope(query);
    try {
      torch.torchScript();
    } catch (error) {
      found.push({ code: error.code, params: error.params, message: error.message });
    }
    torch.free();
  }
  return found;
}

test("the English catalogue writes each core error exactly as the core does; Chinese names the same values", () => {
  const found = refusals();
  const codes = new Set(found.map((error) => error.code));
  for (const code of ['invalid_int', 'invalid_number', 'invalid_number_open', 'invalid_choice', 'invalid_bool', 'unknown_key', 'missing_equals', 'repeated_key', 'groups_not_divisor', 'formula_not_for_norm', 'cannot_differ', 'torch_batch_train', 'torch_batch_group']) {
    assert.ok(codes.has(code), `no refusal with code ${code}: ${[...codes].join(', ')}`);
  }
  for (const error of found) {
    assert.equal(format(en[`errors.${error.code}`], error.params), error.message, error.code);
    const chinese = format(zh[`errors.${error.code}`], error.params);
    assert.doesNotMatch(chinese, /\{\w+\}/, `${error.code}: a placeholder left in ${chinese}`);
    assert.match(chinese, /[\u4e00-\u9fff]/, `${error.code}: ${chinese}`);
    if (error.params.key) assert.ok(chinese.includes(`'${error.params.key}'`), `${error.code} names the key: ${chinese}`);
  }
});

test('the page writes an unknown lang value as a notice naming the key, in English and in Chinese', async () => {
  const i18n = await import(new URL('www/i18n.js', root));
  const { errorText, pageError } = await import(new URL('www/errors.js', root));
  const error = pageError('invalid_choice', { key: 'lang', value: 'fr', choices: 'en, zh' });
  assert.equal(error.message, `invalid value "fr" for 'lang': allowed one of en, zh`);
  assert.equal(errorText(error), error.message);
  assert.equal(i18n.browserLanguage(['zh-TW', 'en']), 'zh');
  assert.equal(i18n.browserLanguage(['en-US', 'zh-CN']), 'en');
});
