/**
 * One timer for every source: due times in a binary min-heap, and the callbacks of each due time
 * in one list. Per-source timers (or one cron task per source) cost a timer handle each and drift
 * under load; with 10,000 sources one heap is cheaper. Sources on the same schedule are due at
 * the same millisecond: they share one heap entry, so 10,000 due together cost one heap pop and a
 * walk along a list, in the order they were scheduled.
 */
export interface Cancel {
  (): void;
}

/** Runs callbacks at due times. The local heap below now; a scheduler shared by several hosts later. */
export interface Scheduler {
  /** Calls `fn` at `at` (or at once when that has passed). Returns a function that cancels it. */
  at(at: Date | number, fn: () => void): Cancel;
  /** Drops every pending callback; nothing runs after this. */
  stop(): void;
}

interface Entry {
  fn: () => void;
  cancelled: boolean;
}

export class LocalScheduler implements Scheduler {
  /** Distinct due times (ms), a min-heap. */
  private readonly heap: number[] = [];
  /** The entries of each due time in the heap, in the order they were scheduled. */
  private readonly lists = new Map<number, Entry[]>();
  private count = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Infinity;
  private stopped = false;

  constructor(private readonly now: () => number = Date.now) {}

  /** Calls `fn` at `at` (or at once when that has passed). Returns a function that cancels it. */
  at(at: Date | number, fn: () => void): Cancel {
    if (this.stopped) return () => undefined;
    const due = typeof at === 'number' ? at : at.getTime();
    const entry: Entry = { fn, cancelled: false };
    const list = this.lists.get(due);
    if (list) list.push(entry);
    else {
      this.lists.set(due, [entry]);
      this.push(due);
      this.arm();
    }
    this.count += 1;
    return () => {
      entry.cancelled = true;
    };
  }

  /** Number of pending entries (cancelled ones may still count until they surface). */
  get size(): number {
    return this.count;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.heap.length = 0;
    this.lists.clear();
    this.count = 0;
  }

  private arm(): void {
    const top = this.heap[0];
    if (top === undefined) return;
    if (this.timer && this.timerDue <= top) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = top;
    // setTimeout caps at ~24.8 days; longer waits re-arm on wake.
    const delay = Math.min(Math.max(0, top - this.now()), 2 ** 31 - 1);
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = null;
    this.timerDue = Infinity;
    const now = this.now();
    while (this.heap.length > 0 && this.heap[0]! <= now) {
      const due = this.pop()!;
      const list = this.lists.get(due)!;
      // Entries added while this list runs, for the same due time, start a new list (and heap entry).
      this.lists.delete(due);
      this.count -= list.length;
      for (let i = 0; i < list.length; i++) {
        const entry = list[i]!;
        if (entry.cancelled) continue;
        try {
          entry.fn();
        } catch {
          // A scheduled callback must never take the scheduler down; runners catch their own errors.
        }
      }
    }
    this.arm();
  }

  private push(due: number): void {
    const h = this.heap;
    h.push(due);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= due) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = due;
  }

  private pop(): number | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && h[r]! < h[l]! ? r : l;
        if (h[m]! >= last) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
