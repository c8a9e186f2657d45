// The animation loop of one figure: Play runs requestAnimationFrame; each frame
// asks the engine (engine.js) for k training steps and redraws once they are in
// (the figure throttles its expensive charts). An engine that steps on the
// page's thread (`blocking()`) answers within the frame, so stepping plus
// drawing must fit a frame budget; one that steps elsewhere (a worker) is asked
// for the next k steps as soon as the last are in, before they are drawn, so it
// never waits on the page, which keeps its animation frames. k adapts to the
// budget (fewer steps per frame on big networks), never above the speed control
// and never below one; the costs are running averages, so one slow frame does
// not collapse k.
//
// The loop only calls back into the figure; it holds no engine of its own.

/**
 * Milliseconds of page work (steps and drawing) per frame the loop aims for:
 * 60 frames/s leaves 16.7 ms a frame, and the browser needs the rest to
 * composite the canvases. The charts keep to their own share (chartset.js).
 */
const FRAME_BUDGET_MS = 10;
/**
 * Milliseconds a worker's round trip (k steps and a frame) aims for: up to 20
 * chart updates/s (a network whose one step takes longer sends one per step).
 */
const ASYNC_BUDGET_MS = 50;
/** Minimum time between two status-line updates. */
const STATUS_INTERVAL_MS = 250;
/** Rounds older than this leave the fps / steps-per-second window. */
const WINDOW_MS = 1000;

export class Loop {
  /**
   * `maxSteps()`: the speed control; `step(n, playing)` -> a Promise of the
   * steps taken (null when dropped); `blocking()`: whether steps run on the
   * page's thread; `draw(throttle)`;
   * `after()` -> true if training must stop (divergence); `status()`;
   * `onState(playing)`.
   */
  constructor(callbacks) {
    Object.assign(this, { callbacks, playing: false, raf: 0, k: 1, rounds: [], ticks: [] });
    // rounds: one record per chart update (k steps, then a redraw); ticks: animation frames.
    this.inFlight = false; // an asynchronous step (a worker's) is on its way
    this.generation = 0; // bumped by pause(), so a late reply is dropped
    this.lastStatus = 0;
    this.stepMs = 0; // running averages
    this.drawMs = 0;
    this.tick = this.tick.bind(this);
  }

  play() {
    if (this.playing) return;
    this.playing = true;
    this.rounds = [];
    this.ticks = [];
    this.k = Math.min(this.k, this.callbacks.maxSteps());
    this.raf = requestAnimationFrame(this.tick);
    this.callbacks.onState(true);
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.generation += 1;
    this.inFlight = false;
    cancelAnimationFrame(this.raf);
    this.callbacks.onState(false);
    this.callbacks.status();
  }

  /** n steps and a full redraw once they are taken, outside Play. */
  stepOnce(n) {
    const redraw = () => {
      this.callbacks.draw(false);
      this.callbacks.after();
      this.callbacks.status();
    };
    this.callbacks.step(n, false).then((count) => count !== null && redraw(), () => {});
  }

  tick(now) {
    if (!this.playing) return;
    this.raf = requestAnimationFrame(this.tick);
    this.ticks.push(now);
    while (this.ticks.length > 2 && now - this.ticks[0] > WINDOW_MS) this.ticks.shift();
    if (!this.inFlight) this.launch(now); // else a worker is still stepping: the page just stays live
  }

  /**
   * Asks for the next k steps. A blocking engine takes them at once and they
   * are drawn in this frame (its Promise settles before the browser paints).
   */
  launch(now) {
    const steps = Math.min(this.k, Math.max(1, this.callbacks.maxSteps()));
    const started = performance.now();
    const blocking = this.callbacks.blocking();
    this.inFlight = true;
    const generation = this.generation;
    const current = () => generation === this.generation;
    this.callbacks.step(steps, true).then(
      (count) => {
        if (!current()) return;
        this.inFlight = false;
        if (count === null) return; // dropped (the network was rebuilt): the next tick asks again
        // Elsewhere, ask for the next steps before drawing these, so the worker
        // never waits on the page; but not once these diverged (after() pauses).
        if (!blocking && count > 0 && !this.callbacks.after()) this.launch(performance.now());
        this.finish(count, started, blocking ? now : performance.now(), !blocking);
      },
      () => current() && this.pause(),
    ).catch(() => this.pause()); // a draw that threw must not leave an unhandled rejection
  }

  /**
   * After `taken` steps that began at `started` (`remote`: in a worker):
   * redraw, check, adapt k, record.
   */
  finish(taken, started, now, remote) {
    if (!this.playing) return;
    const { callbacks } = this;
    const stepped = performance.now();
    callbacks.draw(true);
    const done = performance.now();
    if (callbacks.after() || taken === 0) {
      this.pause();
      return;
    }
    // Adapt k: as many steps as fit beside the drawing in the budget.
    const max = Math.max(1, callbacks.maxSteps());
    const average = (old, sample) => (old ? 0.8 * old + 0.2 * sample : sample);
    this.stepMs = average(this.stepMs, (stepped - started) / taken);
    this.drawMs = average(this.drawMs, done - stepped);
    // On the page, steps and drawing share a frame; a worker's steps only
    // need to arrive often enough (the round trip includes making the frame).
    const budget = remote ? ASYNC_BUDGET_MS : FRAME_BUDGET_MS - this.drawMs;
    const fit = Math.floor(budget / Math.max(this.stepMs, 0.01));
    const target = Math.max(1, Math.min(max, fit));
    this.k = target < this.k ? target : Math.min(target, this.k + Math.ceil(this.k / 4));

    this.rounds.push({ time: now, steps: taken, work: done - stepped + (remote ? 0 : stepped - started) });
    while (this.rounds.length > 2 && now - this.rounds[0].time > WINDOW_MS) this.rounds.shift();
    if (done - this.lastStatus >= STATUS_INTERVAL_MS) {
      this.lastStatus = done;
      callbacks.status();
    }
  }

  /**
   * Over the last second of Play: `fps`, the page's animation frames per
   * second; `updates`, chart updates per second (equal to fps on the page,
   * fewer when a worker steps); `frameMs`, the page's work per update;
   * `stepsPerSecond`; `stepsPerFrame`, the current k.
   */
  perf() {
    const { rounds, ticks } = this;
    const rate = (times) => (times.length < 2 ? 0 : (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000));
    if (rounds.length < 2) return { fps: rate(ticks), updates: 0, frameMs: 0, stepsPerSecond: 0, stepsPerFrame: this.k };
    const span = (rounds[rounds.length - 1].time - rounds[0].time) / 1000;
    const later = rounds.slice(1);
    return {
      fps: rate(ticks),
      updates: later.length / span,
      frameMs: later.reduce((sum, f) => sum + f.work, 0) / later.length,
      stepsPerSecond: later.reduce((sum, f) => sum + f.steps, 0) / span,
      stepsPerFrame: this.k,
    };
  }
}
