// The peer side of `cargo xtask bench --peer`, loaded by peer-bench.html: each
// reference MLP of bench-configs.json written with TF.js core ops, in the shape
// docs/network.md defines (Linear -> norm -> activation per hidden layer, Pre-LN
// blocks h + phi(W N(h) + b) with a final norm, a Linear(width, 2) head, mean
// softmax cross-entropy, SGD or Adam), trained on one fixed batch per config on
// the `wasm` backend (SIMD; threads only when the page is cross-origin isolated)
// and on the `cpu` backend, timed as bench.js times normscope. GFLOP/s use
// normscope's own FLOP count for the config (`Scope.flopsPerStep`), so the
// ratio of GFLOP/s is the ratio of steps per second.
//
// What TF.js does less of, so the ratios favour it slightly: no new batch per
// step (normscope draws one), no BatchNorm running-statistics update, no
// statistics or divergence checks.

import init, { Scope } from '../pkg/normscope.js';
import { report, timeSteps } from './bench-timing.js';

const tf = window.tf;
const BACKENDS = ['wasm', 'cpu'];
const status = document.getElementById('status');
const resultsOut = document.getElementById('results');

const ACTIVATIONS = {
  tanh: (x) => tf.tanh(x),
  relu: (x) => tf.relu(x),
  // Exact GELU, as normscope and torch's default: x * Phi(x).
  gelu: (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)),
  linear: (x) => x,
};

/** The normalization of `config.norm` over its axes (biased variance, eps inside the root). */
function normFn(config) {
  const axis = { layer: 1, batch: 0 }[config.norm];
  if (axis === undefined) throw new Error(`the peer bench has no norm=${config.norm} (only layer, batch, none)`);
  return (x, gamma, beta) => {
    const { mean, variance } = tf.moments(x, axis, true);
    const xhat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, config.eps)));
    return gamma ? tf.add(tf.mul(xhat, gamma), beta) : xhat;
  };
}

/** The trainable variables and a loss closure for `config` on one fixed batch. */
function buildModel(config) {
  const { width, depth, batch } = config;
  const dIn = config.dataset === 'gaussian' ? width : 2;
  const act = ACTIVATIONS[config.activation];
  if (!act) throw new Error(`the peer bench has no activation=${config.activation}`);
  if (config.residual === 'post') throw new Error('the peer bench has no residual=post');
  const hasNorm = config.norm !== 'none';
  const norm = hasNorm ? normFn(config) : null;
  const vars = [];
  const variable = (tensor) => {
    const v = tf.variable(tensor);
    vars.push(v);
    return v;
  };
  const affine = () => (hasNorm && config.affine
    ? { gamma: variable(tf.ones([width])), beta: variable(tf.zeros([width])) }
    : { gamma: null, beta: null });
  const layers = [];
  for (let l = 1; l <= depth; l += 1) {
    const fanIn = l === 1 ? dIn : width;
    layers.push({
      w: variable(tf.randomNormal([fanIn, width], 0, Math.sqrt(1 / fanIn))),
      b: variable(tf.zeros([width])),
      ...affine(),
    });
  }
  const pre = config.residual === 'pre';
  const finalNorm = pre && hasNorm && depth > 1 ? affine() : null;
  const head = { w: variable(tf.randomNormal([width, 2], 0, Math.sqrt(1 / width))), b: variable(tf.zeros([2])) };
  const x = tf.randomNormal([batch, dIn]);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 2), 'int32'), 2);
  const loss = () => {
    let h = x;
    layers.forEach((layer, i) => {
      if (pre && i > 0) {
        const input = hasNorm ? norm(h, layer.gamma, layer.beta) : h;
        h = tf.add(h, act(tf.add(tf.matMul(input, layer.w), layer.b)));
      } else {
        const a = tf.add(tf.matMul(h, layer.w), layer.b);
        h = act(hasNorm ? norm(a, layer.gamma, layer.beta) : a);
      }
    });
    if (finalNorm) h = norm(h, finalNorm.gamma, finalNorm.beta);
    const logits = tf.add(tf.matMul(h, head.w), head.b);
    return tf.losses.softmaxCrossEntropy(labels, logits);
  };
  const dispose = () => {
    vars.forEach((v) => v.dispose());
    x.dispose();
    labels.dispose();
  };
  return { vars, loss, dispose };
}

/** `n` training steps; throws when the loss is not finite afterwards. */
function stepper(config, model) {
  const optimizer = config.optimizer === 'adam'
    ? tf.train.adam(config.lr, 0.9, 0.999, 1e-8)
    : config.optimizer === 'sgd' ? tf.train.sgd(config.lr) : null;
  if (!optimizer) throw new Error(`the peer bench has no optimizer=${config.optimizer}`);
  const step = (n) => {
    for (let i = 0; i < n; i += 1) tf.tidy(() => { optimizer.minimize(model.loss, false, model.vars); });
    return n;
  };
  const check = () => {
    const value = tf.tidy(() => model.loss().dataSync()[0]);
    if (!Number.isFinite(value)) throw new Error(`TF.js loss is ${value} after training`);
  };
  return { step, check, dispose: () => optimizer.dispose() };
}

async function main() {
  await init();
  if (!tf) throw new Error('TF.js did not load: run `cargo xtask bench --peer` once (it installs xtask/peer/)');
  tf.wasm.setWasmPaths(new URL('../xtask/peer/node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href);
  const file = await (await fetch('./bench-configs.json')).json();
  const params = new URLSearchParams(location.search);
  const results = [];
  for (const backend of BACKENDS) {
    if (params.get('backend') && params.get('backend') !== backend) continue;
    if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} did not start`);
    await tf.ready();
    for (const { name, query } of file.configs) {
      if (params.get('config') && params.get('config') !== name) continue;
      status.textContent = `Running ${name} on ${backend}…`;
      await new Promise((resolve) => setTimeout(resolve, 0)); // let the page paint
      const scope = new Scope(query);
      const config = scope.config();
      const flops = scope.flopsPerStep();
      scope.free();
      const model = buildModel(config);
      const train = stepper(config, model);
      try {
        const { steps, seconds } = timeSteps(train.step, file.min_seconds * 1000);
        train.check();
        const steps_per_s = steps / seconds;
        const result = { name, peer: `tfjs-${backend}`, steps_per_s, gflops: (flops * steps_per_s) / 1e9 };
        console.log(`peer: ${name} on tfjs-${backend}: ${steps} steps in ${seconds.toFixed(2)} s`);
        results.push(result);
        resultsOut.textContent += `${JSON.stringify(result)}\n`;
      } finally {
        train.dispose();
        model.dispose();
      }
    }
  }
  return { results, done: `Done (TF.js ${tf.version_core}, wasm backend ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'with' : 'without'} SIMD).` };
}

report(main, status);
