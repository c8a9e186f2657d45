// Mounts one figure for strict-csp.html, as a course page would.
import { mount } from '../../../www/figure.js';

const root = document.documentElement;
mount(document.getElementById('figure'), {
  config: 'depth=10&norm=layer',
  charts: ['activations', 'gradients'],
  controls: ['norm'],
})
  .then((figure) => {
    window.normscope = { figure };
    root.dataset.state = 'ready';
  })
  .catch((error) => {
    document.getElementById('figure').textContent = String(error);
    root.dataset.state = 'error';
  });
