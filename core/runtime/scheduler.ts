/**
 * One timer for every source: a binary min-heap of due times. Per-source timers (or one cron task
 * per source) cost a timer handle each and drift under load; with 10,000 sources one heap is cheaper.
 */
export interface Cancel {
  (): void;
}

interface Entry {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class Scheduler {
  private readonly heap: Entry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Infinity;
  private seq = 0;
  private stopped = false;

  constructor(private readonly now: () => number = Date.now) {}

  /** Calls `fn` at `at` (or at once when that has passed). Returns a function that cancels it. */
  at(at: Date | number, fn: () => void): Cancel {
    if (this.stopped) return () => undefined;
    const entry: Entry = { due: typeof at === 'number' ? at : at.getTime(), seq: this.seq++, fn, cancelled: false };
    this.push(entry);
    this.arm();
    return () => {
      entry.cancelled = true;
    };
  }

  /** Number of pending entries (cancelled ones may still count until they surface). */
  get size(): number {
    return this.heap.length;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.heap.length = 0;
  }

  private arm(): void {
    const top = this.heap[0];
    if (!top) return;
    if (this.timer && this.timerDue <= top.due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = top.due;
    // setTimeout caps at ~24.8 days; longer waits re-arm on wake.
    const delay = Math.min(Math.max(0, top.due - this.now()), 2 ** 31 - 1);
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = null;
    this.timerDue = Infinity;
    const now = this.now();
    while (this.heap[0] && this.heap[0].due <= now) {
      const entry = this.pop()!;
      if (entry.cancelled) continue;
      try {
        entry.fn();
      } catch {
        // A scheduled callback must never take the scheduler down; runners catch their own errors.
      }
    }
    this.arm();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
