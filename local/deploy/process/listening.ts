/**
 * Whether a process holds a listening TCP socket on a port, from /proc
 * (Linux): the listening sockets of its network namespace
 * (`/proc/<pid>/net/tcp`, `tcp6`: state 0A, local port in hex) matched by
 * inode against its open file descriptors (`socket:[inode]`). False when
 * /proc cannot tell.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';

const LISTEN = '0A';

export async function listensOn(pid: number, port: number): Promise<boolean> {
  const inodes = new Set<string>();
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const inode = fields[9];
      if (fields[3] === LISTEN && local && inode && Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) inodes.add(inode);
    }
  }
  if (inodes.size === 0) return false;
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (inodes.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? '')) return true;
  }
  return false;
}
