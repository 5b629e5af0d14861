/**
 * Factories and probes shared by the sandbox suites: requests, and a /proc
 * scan for processes carrying a marker in their environment (every process a
 * call starts inherits the request's env, so the marker finds them all).
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { SandboxRunRequest } from '../../shared/sandbox/index.js';

export const MiB = 1024 * 1024;

/** A request with sensible defaults; override what the test is about. */
export function runRequest(language: SandboxRunRequest['language'], code: string, overrides: Partial<SandboxRunRequest> = {}): SandboxRunRequest {
  return { language, code, stdin: '', env: {}, timeoutMs: 10_000, memoryBytes: 256 * MiB, ...overrides };
}

/** A fresh env marker: `{RUN_MARKER: <uuid>}`. */
export function markerEnv(): { RUN_MARKER: string } {
  return { RUN_MARKER: randomUUID() };
}

/** Host pids whose environment contains `marker`. */
export function processesWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) found.push(Number(entry));
    } catch {
      // exited while scanning, or a kernel thread
    }
  }
  return found;
}

/** Host pids whose command line contains `text`. */
export function processesWithArg(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes(text)) found.push(Number(entry));
    } catch {
      // exited while scanning
    }
  }
  return found;
}

/** Polls `probe` until it returns an empty list or `ms` pass; returns the last answer. */
export async function settleEmpty<T>(probe: () => T[], ms = 2000): Promise<T[]> {
  const deadline = Date.now() + ms;
  let last = probe();
  while (last.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = probe();
  }
  return last;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every live descendant of `pid` (through /proc/<pid>/task/<tid>/children). */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      continue; // exited while scanning
    }
    for (const task of tasks) {
      try {
        for (const child of readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) {
          found.push(Number(child));
          queue.push(Number(child));
        }
      } catch {
        // exited while scanning
      }
    }
  }
  return found;
}

/** The command line of `pid`, or '' once it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Processes started in `dir` on the host (the sandbox's private directory), with everything they started. */
export function processesUnder(dir: string): number[] {
  const roots: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`).startsWith(`${dir}/`)) roots.push(Number(entry));
    } catch {
      // exited while scanning, or not ours to read
    }
  }
  return [...new Set([...roots, ...roots.flatMap(descendants)])];
}
