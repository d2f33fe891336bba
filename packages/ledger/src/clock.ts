/**
 * Time, injected (TIGER_STYLE): the ledger reads the wall clock only through a Clock, so that tests can drive slots
 * by hand and measure nothing by accident. The protocol itself never sees time, only slot numbers.
 */
export type Clock = {
  /** Milliseconds since an arbitrary origin; only differences matter. */
  now(): number;
  /** Runs `callback` once after `delayMs`; returns a cancel function. */
  setTimer(delayMs: number, callback: () => void): () => void;
};

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimer(delayMs, callback) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  },
};

/** A clock that moves only when told: timers fire inside `advance`. */
export class ManualClock implements Clock {
  #now: number;
  #timers: { at: number; callback: () => void; id: number }[] = [];
  #nextId = 0;

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    const id = this.#nextId++;
    this.#timers.push({ at: this.#now + Math.max(0, delayMs), callback, id });
    return () => {
      this.#timers = this.#timers.filter((timer) => timer.id !== id);
    };
  }

  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((timer) => timer.id !== due.id);
      this.#now = Math.max(this.#now, due.at);
      due.callback();
    }
    this.#now = target;
  }
}
