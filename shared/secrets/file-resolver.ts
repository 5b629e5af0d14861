/**
 * `store("path")` secrets for local use: a JSON file mapping each path to its
 * value, by default `.agentspec/secrets.json` (or `AGENTSPEC_SECRETS_FILE`).
 * The file is read on each resolve (the vault caches values), so a secret
 * added while the dev server runs is picked up. Errors never quote the file.
 */
// node:fs/promises also loads node's readline, ≈ 20 ms of a Lambda cold start: the callback API wrapped here does not
import { readFile as readFileCallback } from 'node:fs';
import { promisify } from 'node:util';
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { SecretResolver, SecretSource } from './types.js';

const readFile = promisify(readFileCallback);

export const DEFAULT_SECRETS_FILE = '.agentspec/secrets.json';

export interface FileSecretResolverOptions {
  /** the JSON file; default `AGENTSPEC_SECRETS_FILE`, else `.agentspec/secrets.json` (relative to the working directory) */
  file?: string;
  /** where `AGENTSPEC_SECRETS_FILE` is read (default `process.env`) */
  env?: Record<string, string | undefined>;
}

/** Resolves `store(...)` sources from a local JSON file. */
export class FileSecretResolver implements SecretResolver {
  readonly file: string;

  constructor(options: FileSecretResolverOptions = {}) {
    const env = options.env ?? process.env;
    this.file = options.file ?? env.AGENTSPEC_SECRETS_FILE ?? DEFAULT_SECRETS_FILE;
  }

  async resolve(source: SecretSource): Promise<string> {
    if (source.source !== 'store') {
      throw new AgentSpecError(ErrorCode.ConfigError, `The file resolver only resolves store(...) secrets, not ${source.source}("${source.key}").`);
    }
    const howTo = `add "${source.key}": "<value>" to ${this.file} (or point AGENTSPEC_SECRETS_FILE at another file)`;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `Secret store("${source.key}") cannot be read: the secrets file ${this.file} does not exist or is unreadable; ${howTo}.`,
        {
          cause: error,
          details: { key: source.key, file: this.file },
        },
      );
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      // the parse error may quote the file's content, so it is not kept as the cause
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `The secrets file ${this.file} is not valid JSON; it must be an object mapping store paths to string values.`,
        {
          details: { file: this.file },
        },
      );
    }
    const value = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>)[source.key] : undefined;
    if (typeof value !== 'string' || value === '') {
      throw new AgentSpecError(ErrorCode.ConfigError, `Secret store("${source.key}") has no string value in ${this.file}; ${howTo}.`, {
        details: { key: source.key, file: this.file },
      });
    }
    return value;
  }
}
