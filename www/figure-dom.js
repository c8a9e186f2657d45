// The DOM of one figure (figure.js): notices, the toolbar (Play, Step, Reset,
// speed, status line, Export menu and the host's actions), the Diagnosis panel
// (diagnosis.js), the chart grid and the controls. It builds elements and
// wires nothing but the speed readout; the figure connects the rest. Its
// words come from the catalogue; `relabel(playing)` rewrites them after a
// language switch.

import { buildControls, el } from './controls.js';
import { createDiagnosisPanel } from './diagnosis.js';
import { createExportMenu } from './exports.js';
import { t } from './i18n.js';
import { createNotices } from './notices.js';

/** A compact figure with more controls than this shows them beside the charts. */
const ROW_CONTROLS = 6;

/**
 * `schema` (ns.schema); `id`, unique on the page; `titled` ([{kind, title}],
 * the charts shown); `shown` (the control keys, null: every one, []: none);
 * `diagnosis` (whether the panel shows); `options` (mount's); `onControl(key,
 * text)`, `onExport(what)`, `onLink(query)`.
 * Returns { root, grid, notify, controls, buttons: {play, step, reset}, speed,
 * status, exportMenu, diagnosis, relabel(playing) }.
 */
export function createFigureDom({ schema, id, titled, shown, diagnosis, options, onControl, onExport, onLink }) {
  const { element: notices, notify, relabel: relabelNotices } = createNotices();
  const play = el('button', { type: 'button', class: 'primary', text: t('page.play') });
  const step = el('button', { type: 'button', text: t('page.step') });
  const reset = el('button', { type: 'button', text: t('page.reset') });
  const speed = el('input', { type: 'range', id: `${id}-speed`, min: 1, max: 50, step: 1, value: options.speed || 10 });
  const speedValue = el('output', { htmlFor: speed.id, class: 'control-value', value: speed.value });
  speed.addEventListener('input', () => (speedValue.value = speed.value));
  const status = el('p', { class: 'status' });
  const speedLabel = el('label', { htmlFor: speed.id, text: t('page.speed') });
  const jump = el('a', { class: 'jump', href: `#${id}-controls`, text: t('page.settings_jump') });
  const exportMenu = options.exports === false ? null : createExportMenu(titled, onExport);
  const actions = [...(exportMenu ? [exportMenu] : []), ...(options.actions || [])];
  const none = shown && shown.length === 0;
  const toolbar = el('div', { class: 'toolbar' }, [
    el('div', { class: 'buttons' }, [play, step, reset]),
    ...(none ? [] : [jump]),
    el('div', { class: 'speed' }, [speedLabel, speed, speedValue]),
    status,
    ...(actions.length ? [el('div', { class: 'actions' }, actions)] : []),
  ]);
  const panel = createDiagnosisPanel({ id, shown: diagnosis, onLink });
  const grid = el('div', { class: 'chart-grid' });
  const controls = none ? null : buildControls(schema, { only: shown, idPrefix: id, onChange: onControl });
  if (controls) controls.element.id = `${id}-controls`;
  // A compact figure puts a few controls in a row above the charts, many in a column beside them.
  const side = options.compact && controls && (shown ? shown.length : schema.length) > ROW_CONTROLS;
  const classes = ['figure', controls ? '' : 'figure-no-controls', options.compact ? 'figure-compact' : '', side ? 'figure-side' : ''];
  const root = el('div', { class: classes.filter(Boolean).join(' ') }, [
    notices,
    toolbar,
    panel.element,
    el('div', { class: 'figure-body' }, [grid, ...(controls ? [controls.element] : [])]),
  ]);
  root.dataset.charts = String(titled.length);
  /** Rewrites the toolbar, notices, controls and Export menu in the current language. */
  function relabel(playing) {
    play.textContent = t(playing ? 'page.pause' : 'page.play');
    step.textContent = t('page.step');
    reset.textContent = t('page.reset');
    jump.textContent = t('page.settings_jump');
    speedLabel.textContent = t('page.speed');
    relabelNotices();
    controls?.relabel();
    exportMenu?.relabel(titled);
  }
  return { root, grid, notify, controls, buttons: { play, step, reset }, speed, status, exportMenu, diagnosis: panel, relabel };
}
