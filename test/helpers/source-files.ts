/** The files under `dir` (checkout-relative, `/`-separated) whose names `wanted` accepts; `node_modules` is never entered. */
import { readdirSync } from 'node:fs';

export function sourceFiles(dir: string, wanted: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path, wanted);
    return wanted(entry.name) ? [path] : [];
  });
}
