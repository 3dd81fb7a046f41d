import type { SavedValues, SavesState } from '../../binary/restore';

/**
 * A bounded FIFO of records waiting for a source's read-ack. `push` refuses when full (the caller
 * reports queue_full); nothing is ever dropped silently.
 */
export class RecordQueue<T> implements SavesState {
  private items: T[] = [];
  private head = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`queue capacity ${capacity} must be a non-negative integer`);
  }

  /** A restore point of the queue's contents: its array, the head, the items from the head on (those before it are always undefined). */
  saveState(s: SavedValues): void {
    s.push(this.items);
    s.push(this.head);
    s.push(this.items.length);
    for (let i = this.head; i < this.items.length; i++) s.push(this.items[i]);
  }

  loadState(s: SavedValues): void {
    const items = s.next<T[]>();
    const head = s.next<number>();
    const length = s.next<number>();
    items.length = length;
    for (let i = 0; i < head; i++) items[i] = undefined as unknown as T;
    for (let i = head; i < length; i++) items[i] = s.next<T>();
    this.items = items;
    this.head = head;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  push(item: T): boolean {
    if (this.full) return false;
    this.items.push(item);
    return true;
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as unknown as T;
    // Compact once the consumed prefix dominates, so a long-lived queue does not grow.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  toArray(): T[] {
    return this.items.slice(this.head);
  }

  clear(): T[] {
    const out = this.toArray();
    this.items = [];
    this.head = 0;
    return out;
  }
}
