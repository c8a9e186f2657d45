// The animation loop of one figure: Play runs requestAnimationFrame; each frame
// takes k training steps, then redraws (the figure throttles its expensive
// charts). k adapts so that stepping plus drawing fits a frame budget (fewer
// steps per frame on big networks), never above the speed control and never
// below one; the costs are running averages, so one slow frame does not
// collapse k.
//
// The loop only calls back into the figure; it holds no scope of its own.

/** Milliseconds of work per frame the loop aims for (30 frames/s with room for the browser). */
const FRAME_BUDGET_MS = 24;
/** Minimum time between two status-line updates. */
const STATUS_INTERVAL_MS = 250;
/** Frames older than this leave the fps / steps-per-second window. */
const WINDOW_MS = 1000;

export class Loop {
  /**
   * `maxSteps()`: the speed control; `step(n)` -> steps taken; `draw(throttle)`;
   * `after()` -> true if training must stop (divergence); `status()`;
   * `onState(playing)`.
   */
  constructor(callbacks) {
    Object.assign(this, { callbacks, playing: false, raf: 0, k: 1, frames: [] });
    this.lastStatus = 0;
    this.stepMs = 0; // running averages
    this.drawMs = 0;
    this.tick = this.tick.bind(this);
  }

  play() {
    if (this.playing) return;
    this.playing = true;
    this.frames = [];
    this.k = Math.min(this.k, this.callbacks.maxSteps());
    this.raf = requestAnimationFrame(this.tick);
    this.callbacks.onState(true);
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.callbacks.onState(false);
    this.callbacks.status();
  }

  /** n steps and a full redraw, outside Play. */
  stepOnce(n) {
    this.callbacks.step(n);
    this.callbacks.draw(false);
    this.callbacks.after();
    this.callbacks.status();
  }

  tick(now) {
    if (!this.playing) return;
    this.raf = requestAnimationFrame(this.tick);
    const { callbacks } = this;
    const max = Math.max(1, callbacks.maxSteps());
    const steps = Math.min(this.k, max);
    const started = performance.now();
    const taken = callbacks.step(steps);
    const stepped = performance.now();
    callbacks.draw(true);
    const done = performance.now();
    if (callbacks.after() || taken === 0) {
      this.pause();
      return;
    }
    // Adapt k: as many steps as fit beside the drawing in the budget.
    const average = (old, sample) => (old ? 0.8 * old + 0.2 * sample : sample);
    this.stepMs = average(this.stepMs, (stepped - started) / taken);
    this.drawMs = average(this.drawMs, done - stepped);
    const fit = Math.floor((FRAME_BUDGET_MS - this.drawMs) / Math.max(this.stepMs, 0.01));
    const target = Math.max(1, Math.min(max, fit));
    this.k = target < this.k ? target : Math.min(target, this.k + Math.ceil(this.k / 4));

    this.frames.push({ time: now, steps: taken, work: done - started });
    while (this.frames.length > 2 && now - this.frames[0].time > WINDOW_MS) this.frames.shift();
    if (done - this.lastStatus >= STATUS_INTERVAL_MS) {
      this.lastStatus = done;
      callbacks.status();
    }
  }

  /** { fps, frameMs, stepsPerSecond, stepsPerFrame } over the last second of Play. */
  perf() {
    const frames = this.frames;
    if (frames.length < 2) return { fps: 0, frameMs: 0, stepsPerSecond: 0, stepsPerFrame: this.k };
    const span = (frames[frames.length - 1].time - frames[0].time) / 1000;
    const later = frames.slice(1);
    return {
      fps: later.length / span,
      frameMs: later.reduce((sum, f) => sum + f.work, 0) / later.length,
      stepsPerSecond: later.reduce((sum, f) => sum + f.steps, 0) / span,
      stepsPerFrame: this.k,
    };
  }
}
