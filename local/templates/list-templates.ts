/** The starter packages of `agentspec init`, one folder each with an `agents.ias`. */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TemplateInfo {
  name: string;
  /** the first comment paragraph of the template's agents.ias */
  summary: string;
}

/** Directory holding the templates (beside this file). */
export function templatesDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/** Every template, sorted by name. */
export async function listTemplates(): Promise<TemplateInfo[]> {
  const entries = await readdir(templatesDir(), { withFileTypes: true });
  const templates: TemplateInfo[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const source = await readFile(join(templatesDir(), entry.name, 'agents.ias'), 'utf8').catch(() => undefined);
    if (source === undefined) continue;
    const comment = source
      .split('\n')
      .filter((line) => line.startsWith('#'))
      .map((line) => line.replace(/^#\s?/, ''))
      .join(' ');
    templates.push({ name: entry.name, summary: comment.split('. ')[0]?.trim() ?? '' });
  }
  return templates.sort((a, b) => a.name.localeCompare(b.name));
}
