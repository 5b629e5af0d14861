/**
 * The runs this instance is driving, by id: the cancel route stops a local
 * run at once through it, and the events route follows a local run from its
 * in-memory tail instead of the store.
 */
import type { RunRecorder } from './recorder.js';
import type { Run } from './types.js';

export class ActiveRuns {
  private readonly runs = new Map<string, { recorder: RunRecorder; done: Promise<Run> }>();

  get(id: string): RunRecorder | undefined {
    return this.runs.get(id)?.recorder;
  }

  /** The run as written once it ends or pauses, when this instance drives it. */
  done(id: string): Promise<Run> | undefined {
    return this.runs.get(id)?.done;
  }

  get size(): number {
    return this.runs.size;
  }

  /** Tracks `recorder` until `done` settles. */
  track(recorder: RunRecorder, done: Promise<Run>): void {
    this.runs.set(recorder.id, { recorder, done });
    void done.finally(() => {
      if (this.runs.get(recorder.id)?.recorder === recorder) this.runs.delete(recorder.id);
    });
  }
}
