/**
 * The host end of a bootstrap's fd 3: `R` when the interpreter is ready for
 * code, then `S<exit status>\n` once the code is finished and its output is
 * in the stdout/stderr pipes. The status lets a call end before the
 * interpreter's teardown (node's takes ~10 ms); a process that never reports
 * (killed, os._exit, a fatal javascript exception) is left to its 'exit' event.
 */
import type { Readable } from 'node:stream';

/** Bytes kept from the channel: `R`, `S255\n` and some slack; the code can write here too, so the rest is ignored. */
const MAX_CHANNEL_BYTES = 16;
const STATUS = /^RS(\d{1,3})\n/;

export class StatusChannel {
  /** resolves when the bootstrap said ready, or the channel closed without it */
  readonly ready: Promise<void>;
  /** resolves with the reported exit status (0–255), or null when the channel closed without one */
  readonly status: Promise<number | null>;
  isReady = false;
  private text = '';
  private settleReady!: () => void;
  private settleStatus!: (status: number | null) => void;

  constructor(pipe: Readable | null) {
    this.ready = new Promise((resolve) => (this.settleReady = resolve));
    this.status = new Promise((resolve) => (this.settleStatus = resolve));
    if (!pipe) {
      this.close();
      return;
    }
    pipe.on('data', (chunk: Buffer) => this.onData(chunk));
    pipe.once('close', () => this.close());
    pipe.once('end', () => this.close());
    pipe.on('error', () => this.close());
  }

  /** Ends both promises (with no status) when the process is gone or the channel closed. */
  close(): void {
    this.settleReady();
    this.settleStatus(null);
  }

  private onData(chunk: Buffer): void {
    if (this.text.length >= MAX_CHANNEL_BYTES) return;
    this.text += chunk.toString('latin1').slice(0, MAX_CHANNEL_BYTES - this.text.length);
    if (!this.isReady && this.text.startsWith('R')) {
      this.isReady = true;
      this.settleReady();
    }
    const match = STATUS.exec(this.text);
    if (match) this.settleStatus(Number(match[1]) & 0xff);
  }
}
