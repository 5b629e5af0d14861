/**
 * A growable list of 32-bit integers in one `Int32Array` (doubling when full).
 * The syntax tree and the line table keep their numbers this way: a typed
 * array's contents live outside the collected heap, so however large a source
 * is, the young-generation collector has nothing of them to copy, and a big
 * typed array grows at a steady cost where a big plain array does not (pushing
 * onto a 100k-element array measured ~9× slower per item than onto a 1k one).
 *
 * Arrays come from a small pool that finished compiles give back to
 * ({@link IntRows.release}): fresh typed-array memory is paid for in page
 * faults, zeroing and external-memory accounting, which measured ~30% of
 * parsing a 100k-line file. A pooled array is not cleared, so slots come
 * with unspecified contents and their writer sets every one it reads.
 */

/** Arrays given back, reused best-fit; bounded in count and in total size. */
const pool: Int32Array[] = [];
const POOL_MAX_ARRAYS = 16;
/** 64 MiB of integers: what two compiles of a 5 MiB source (the largest accepted) use. */
const POOL_MAX_INTS = 16 * 1024 * 1024;
let pooledInts = 0;

/** The smallest pooled array of at least `min` integers, or a new one. */
function take(min: number): Int32Array {
  let best = -1;
  for (let i = 0; i < pool.length; i++) {
    const length = pool[i]!.length;
    if (length >= min && (best < 0 || length < pool[best]!.length)) best = i;
  }
  if (best < 0) return new Int32Array(min);
  const array = pool[best]!;
  pool[best] = pool[pool.length - 1]!;
  pool.pop();
  pooledInts -= array.length;
  return array;
}

function give(array: Int32Array): void {
  if (array.length === 0 || pool.length >= POOL_MAX_ARRAYS || pooledInts + array.length > POOL_MAX_INTS) return;
  pool.push(array);
  pooledInts += array.length;
}

const RELEASED = new Int32Array(0);

export class IntRows {
  data: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.data = take(Math.max(16, capacity));
  }

  /** Index of `size` new slots (contents unspecified), growing the array when needed. */
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

  /** Gives the array back to the pool; the rows are empty after. */
  release(): void {
    give(this.data);
    this.data = RELEASED;
    this.length = 0;
  }

  private grow(needed: number): void {
    const next = take(Math.max(this.data.length * 2, needed));
    next.set(this.data.subarray(0, this.length));
    give(this.data);
    this.data = next;
  }
}
