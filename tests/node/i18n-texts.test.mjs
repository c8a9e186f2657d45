// The long texts in both languages (issue 12): the presets, the mistakes lab
// and index.html's static texts. A translation must state the same facts, so
// every number the English quotes appears in the Chinese as the same digit run,
// as often, and the Chinese adds none; a static text with markup keeps exactly
// the English's tags (its <code>, links and their targets, its MathML).
// (tests/node/i18n.test.mjs checks that the catalogues are complete.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const json = (path) => JSON.parse(readFileSync(new URL(path, root), 'utf8'));

/** The numbers a text quotes, sorted: digit runs (decimals whole) and superscript exponents. */
export function numbers(text) {
  return (text.match(/\d+(?:\.\d+)?|[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+/g) ?? []).sort();
}

/** The tags of an HTML fragment, sorted (attributes and their order included). */
function tags(html) {
  return (html.match(/<[^>]+>/g) ?? []).sort();
}

const textOf = (html) => html.replace(/<[^>]+>/g, '');

/**
 * index.html's marked elements: key -> {html, text} of every element carrying
 * data-i18n or data-i18n-html (its content, up to the matching closing tag).
 */
export function staticTexts(page) {
  const found = {};
  const opening = /<([a-z][a-z0-9]*)\b[^>]*\sdata-i18n(?:-html)?="([^"]+)"[^>]*>/g;
  for (const match of page.matchAll(opening)) {
    const [whole, name, key] = match;
    const start = match.index + whole.length;
    const tag = new RegExp(`<(/?)${name}\\b[^>]*>`, 'g');
    tag.lastIndex = start;
    let depth = 1;
    let end = -1;
    for (let next = tag.exec(page); next; next = tag.exec(page)) {
      depth += next[1] ? -1 : 1;
      if (depth === 0) {
        end = next.index;
        break;
      }
    }
    assert.ok(end >= 0, `no closing </${name}> for ${key}`);
    assert.ok(!(key in found), `${key} marks two elements`);
    const html = page.slice(start, end);
    found[key] = { html, text: textOf(html) };
  }
  return found;
}

/** Checks `english` against `chinese` (key -> text) for numbers; returns the keys checked. */
function sameNumbers(english, chinese) {
  const keys = Object.keys(english);
  for (const key of keys) {
    assert.ok(key in chinese, `${key} has no Chinese`);
    const zh = key.endsWith('_html') ? textOf(chinese[key]) : chinese[key];
    assert.deepEqual(numbers(zh), numbers(english[key]), `${key}: the Chinese quotes other numbers`);
  }
  return keys;
}

test('numbers() finds decimals whole and exponents, so a changed figure is caught', () => {
  assert.deepEqual(numbers('from 0.17–0.21 to a few 10⁻⁶ at layer 20'), ['0.17', '0.21', '10', '20', '⁻⁶']);
  assert.notDeepEqual(numbers('第 20 层的 0.17–0.12'), numbers('0.17–0.21 at layer 20'));
  assert.notDeepEqual(numbers('10⁻⁵'), numbers('10⁻⁶'));
  // A number written out in the Chinese (两个 for "2") is a difference too.
  assert.notDeepEqual(numbers('两个样本'), numbers('2 samples'));
});

for (const domain of ['presets', 'mistakes']) {
  test(`${domain}: every Chinese text quotes the English's numbers`, () => {
    const keys = sameNumbers(json(`www/i18n/en/${domain}.json`), json(`www/i18n/zh/${domain}.json`));
    assert.ok(keys.length >= 20, `only ${keys.length} ${domain} texts`);
  });
}

test('static: index.html’s marked texts and their Chinese quote the same numbers and keep the markup', () => {
  const marked = staticTexts(readFileSync(new URL('index.html', root), 'utf8'));
  const english = Object.fromEntries(Object.entries(marked).map(([key, { html, text }]) => [key, key.endsWith('_html') ? html : text]));
  // The header's marked texts are the page chrome's (zh/page.json); the rest are zh/static.json's.
  const chinese = { ...json('www/i18n/zh/page.json'), ...json('www/i18n/zh/static.json') };
  const keys = sameNumbers(english, chinese);
  assert.ok(keys.length >= 100, `only ${keys.length} static texts are marked`);
  for (const key of keys.filter((key) => key.endsWith('_html'))) {
    assert.deepEqual(tags(chinese[key]), tags(marked[key].html), `${key}: the Chinese changes the markup`);
  }
  for (const key of keys.filter((key) => !key.endsWith('_html'))) {
    assert.doesNotMatch(marked[key].html, /</, `${key} holds markup: mark it data-i18n-html and name it …_html`);
  }
  for (const key of Object.keys(json('www/i18n/zh/static.json'))) assert.ok(key in marked, `${key} marks nothing in index.html`);
});

test('every preset a diagnosis finding links to (src/core/diagnosis.rs) has its title in both languages', () => {
  const source = readFileSync(new URL('src/core/diagnosis.rs', root), 'utf8');
  const links = [...source.matchAll(/preset: "(\w+)",\s*title: "([^"]+)",/g)].map(([, id, title]) => ({ id, title }));
  assert.ok(links.length >= 5, `only ${links.length} links`);
  const [en, zh] = [json('www/i18n/en/presets.json'), json('www/i18n/zh/presets.json')];
  for (const { id, title } of links) {
    // www/diagnosis.js names the preset by presets.<id>.title; the core's English title must be that title.
    assert.equal(en[`presets.${id}.title`], title, `presets.${id}.title`);
    assert.ok(zh[`presets.${id}.title`], `presets.${id}.title has no Chinese`);
  }
});
