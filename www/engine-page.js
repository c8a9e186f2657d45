// The engine on the page's thread (interface: engine.js): one wasm Scope that
// steps synchronously but answers with Promises, as the worker engine does.
//
// Its source is a thin view of the Scope with the wasm Frame's surface: the
// charts are drawn by the Scope's own `draw` from the statistics it holds, with
// no copy per step. (Making a Frame's bytes every step instead would add the
// serialization of the statistics and the history, and the decision regions,
// to every animation frame.) The view is replaced on every change, so a
// source held across a rebuild reads nothing, never the new network.

/** A frame-like view of `scope`: steps, stats, diagnosis, diverged, statsCsv, draw, describe, chartRange, frame, lookback. */
function scopeSource(scope) {
  let live = true;
  let frame = null; // a wasm Frame of this state, made once if a comparison's overlay asks
  const use = () => {
    if (!live) throw new Error('this state is gone (the network was rebuilt)');
    return scope;
  };
  return {
    get steps() {
      return live ? scope.steps : 0;
    },
    stats: () => use().stats(),
    diagnosis: () => use().diagnosis(),
    diverged: () => (live ? scope.diverged() : undefined),
    statsCsv: () => use().statsCsv(),
    draw: (kind, canvas, options) => use().draw(kind, canvas, options),
    describe: (kind, width, height, x, y, options) => use().describe(kind, width, height, x, y, options),
    chartRange: (kind, options) => use().chartRange(kind, options),
    frame: () => (frame ??= use().currentFrame()),
    lookback: () => use().lookbackFrame(),
    end: () => {
      live = false;
      frame = frame?.free() ?? null;
    },
  };
}

export class PageEngine {
  /** Builds `checked` at once; throws as `new Scope()` does. */
  constructor(ns, checked, { onFrame }) {
    Object.assign(this, { ns, onFrame, scope: null, source: null, generation: 0 });
    this.where = 'page';
    this.blocking = true;
    this.build(checked);
  }

  /** Reports a new source after the current task, as a worker's reply would come. */
  announce(first) {
    const generation = this.generation;
    queueMicrotask(() => generation === this.generation && this.scope && this.onFrame?.(this, first));
  }

  /** A new source for the current Scope (the old one reads nothing from now on). */
  renew() {
    this.source?.end();
    this.source = this.scope ? scopeSource(this.scope) : null;
  }

  build(checked) {
    const fresh = new this.ns.Scope(checked.query); // throws before anything changes
    if (this.extent) fresh.setDecisionExtent(this.extent);
    this.source?.end();
    this.scope?.free();
    Object.assign(this, { scope: fresh, checked, timing: { stepMs: 0, frameMs: 0 } });
    this.generation += 1;
    this.renew();
    this.announce(true);
    return Promise.resolve(true);
  }

  step(n) {
    if (!this.scope) return Promise.resolve(null);
    const started = performance.now();
    let taken;
    try {
      taken = this.scope.step(n);
    } catch (error) {
      return Promise.reject(error);
    }
    if (taken > 0) this.timing = { stepMs: (performance.now() - started) / taken, frameMs: 0 };
    this.renew();
    this.announce(false);
    return Promise.resolve(taken);
  }

  setMode(mode) {
    if (!this.scope) return Promise.resolve(null);
    this.scope.setMode(mode);
    const params = new URLSearchParams(this.checked.query);
    params.set('mode', mode);
    this.checked = { ...this.checked, query: params.toString(), config: { ...this.checked.config, mode } };
    this.renew();
    this.announce(false);
    return Promise.resolve(true);
  }

  /** The rectangle the decision regions cover (engine.js); a new source if it changed. */
  setDecisionExtent(extent) {
    if (String(extent ?? '') === String(this.extent ?? '')) return;
    this.scope?.setDecisionExtent(extent ?? undefined); // throws on a malformed extent: nothing kept then
    this.extent = extent ?? null;
    if (!this.scope) return;
    this.renew();
    this.announce(false);
  }

  /** The Scope draws any layer and current decision regions: nothing to fetch. */
  refresh() {
    return Promise.resolve(true);
  }

  async snapshotJson() {
    if (!this.scope) throw new Error('the figure was destroyed');
    return this.scope.snapshotJson();
  }

  /** The PyTorch script of the current state (the worker engine has the same). */
  async torchScript() {
    if (!this.scope) throw new Error('the figure was destroyed');
    return this.scope.torchScript();
  }

  query = () => this.checked.query;
  config = () => ({ ...this.checked.config });
  get steps() {
    return this.source ? this.source.steps : 0;
  }
  /** Nothing is ever on its way: every request is answered before it returns. */
  busy = false;
  perf = () => ({ engine: this.where });

  free() {
    this.generation += 1;
    this.source?.end();
    this.scope?.free();
    Object.assign(this, { scope: null, source: null });
  }
}
