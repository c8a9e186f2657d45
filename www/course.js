// The example course page (course.html): three independent figures, each
// mounted with its own config, charts and controls. They share the one wasm
// module that mount() loads the first time; everything else (network, loop,
// controls, URL-free state) is per figure.
//
// The buttons above figure 3 show the handle's API: update() applies config
// keys to that figure alone.

import { mount } from './figure.js';
import { message } from './wasm.js';

/** Each figure: the element it goes into and mount()'s options. */
const FIGURES = [
  {
    id: 'figure-vanishing',
    config: 'depth=20&activation=tanh&init=torch_default',
    charts: ['gradients', 'summary'],
    controls: ['depth', 'init'],
    view: { gradscale: 'symlog' },
  },
  {
    id: 'figure-layernorm',
    config: 'depth=20&activation=tanh&init=torch_default&norm=layer',
    charts: ['gradients', 'summary'],
    controls: ['norm', 'position'],
    view: { gradscale: 'symlog' },
  },
  {
    id: 'figure-batchnorm',
    config: 'norm=batch&batch=2',
    charts: ['activations', 'normalized'],
    controls: ['batch', 'mode'],
  },
];

async function start() {
  const figures = [];
  // One after the other: the first mount() starts the wasm module, the others reuse it.
  for (const { id, ...options } of FIGURES) {
    figures.push(await mount(document.getElementById(id), { ...options, compact: true }));
  }
  const batchnorm = figures[2];
  for (const button of document.querySelectorAll('#batch-buttons button')) {
    button.addEventListener('click', () => batchnorm.update({ batch: button.dataset.batch }));
  }
  // For the end-to-end tests and for curious readers in the console.
  window.course = { figures };
  document.documentElement.dataset.state = 'ready';
}

start().catch((error) => {
  for (const host of document.querySelectorAll('.course-figure')) {
    host.textContent = `This figure could not start: ${message(error)}. It needs a browser with WebAssembly, and the page served over http(s).`;
  }
  document.documentElement.dataset.state = 'error';
});
