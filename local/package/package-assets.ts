/**
 * The package asset: the files of a package folder that its IR references,
 * as a deployment carries them (the run and stream Lambda assets, the Docker
 * image). A stdio server's or command tool's `command`/`args` reference a
 * file when they name one inside the package folder. JavaScript and
 * TypeScript run by node, tsx or `npx tsx` are bundled with esbuild into one
 * self-contained file (their npm dependencies inlined, Node 22) under the
 * same relative name, so the IR's `args` stay valid without `node_modules`;
 * other referenced files and folders are copied as they are. Files the IR
 * does not reference are not shipped. A reference that leaves the package
 * folder (`..`, or a symlink out of it) or names a missing script is refused,
 * naming the resource and the file. Same inputs, same bytes: the files come
 * sorted, with fixed modes, and the digest covers paths, modes and bytes.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { buildSync, type BuildFailure } from 'esbuild';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { resourcesOf, type IRDocument } from '../../shared/ir/types.js';

/** One file of the asset: a package-relative POSIX path, its mode and bytes. */
export interface AssetFile {
  path: string;
  mode: 0o644 | 0o755;
  bytes: Uint8Array;
}

export interface PackageAsset {
  /** sorted by path */
  files: AssetFile[];
  /** SHA-256 (hex) over every file's path, mode and bytes */
  digest: string;
}

/** Node 22: the Lambda runtime and the default image's Node. */
const SERVER_TARGET = 'node22';
/** Bundled CommonJS dependencies call `require`; an ESM file gives them one. */
const REQUIRE_BANNER = "import { createRequire as __agentspecCreateRequire } from 'node:module'; const require = __agentspecCreateRequire(import.meta.url);";
const SCRIPT = /\.(?:[cm]?js|[cm]?ts)$/;
const JS_RUNNERS = new Set(['node', 'tsx']);

/** A command line of the IR: where it is declared, and its words. */
interface Launch {
  owner: string;
  command: string;
  args: string[];
}

/** A file (or folder) the IR references, package-relative, and how it ships. */
interface Reference {
  path: string;
  owner: string;
  bundle: boolean;
}

/** The asset of a package: its IR's referenced files from `packageDir`, servers bundled. Throws `config_error` on a bad reference. */
export function packageAsset(ir: IRDocument, packageDir: string): PackageAsset {
  const root = realpathSync(packageDir);
  const references = new Map<string, Reference>();
  for (const launch of launchesOf(ir))
    for (const ref of referencesOf(launch, root)) {
      const known = references.get(ref.path);
      if (!known || (ref.bundle && !known.bundle)) references.set(ref.path, ref);
    }
  const files = new Map<string, AssetFile>();
  for (const ref of references.values())
    for (const file of ref.bundle ? [bundleScript(ref, root)] : copiedFiles(ref, root)) if (!files.has(file.path) || ref.bundle) files.set(file.path, file);
  const sorted = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: sorted, digest: digestOf(sorted) };
}

/** Writes the asset's files under `dir` (created if missing). */
export function writePackageAsset(asset: PackageAsset, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const file of asset.files) {
    const target = join(dir, ...file.path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.bytes, { mode: file.mode });
    chmodSync(target, file.mode);
  }
}

/** Every stdio server's and command tool's command line. */
function launchesOf(ir: IRDocument): Launch[] {
  const servers = resourcesOf(ir, 'Server')
    .filter((s) => s.attributes.transport === 'stdio' && s.attributes.command !== undefined)
    .map((s) => ({ owner: `server "${s.name}"`, command: s.attributes.command!, args: s.attributes.args }));
  const tools = resourcesOf(ir, 'Skill').flatMap((s) =>
    s.attributes.tool.type === 'command'
      ? [{ owner: `skill "${s.name}" (command tool)`, command: s.attributes.tool.binary, args: s.attributes.tool.args }]
      : [],
  );
  return [...servers, ...tools];
}

/**
 * The package files one command line names. The command is a file when it
 * has a `/` (`./bin/server`); an argument when it exists in the package
 * folder, starts with `./`, has a `..` segment, or is the script of a JS runner.
 * Absolute paths name the target machine's files and are left alone.
 */
function referencesOf(launch: Launch, root: string): Reference[] {
  const runner = jsRunner(launch);
  const words = [
    ...(launch.command.includes('/') ? [{ word: launch.command, where: 'command', script: false }] : []),
    ...launch.args.map((word, i) => ({ word, where: `args[${i}]`, script: runner && SCRIPT.test(word) && !word.startsWith('-') })),
  ];
  const refs: Reference[] = [];
  for (const { word, where, script } of words) {
    if (word === '' || word.startsWith('-') || isAbsolute(word)) continue;
    const explicit = word.startsWith('./') || word.split('/').includes('..') || word === '.';
    const path = resolve(root, word);
    const inside = path === root || path.startsWith(root + sep);
    if (!explicit && !script && !(inside && existsSync(path))) continue;
    const located = `${launch.owner} ${where} "${word}"`;
    if (!inside) throw refused(`${located} names a file outside the package folder; only files inside it are shipped.`, launch.owner, word);
    if (!existsSync(path)) throw refused(`${located} names a file that does not exist in the package folder.`, launch.owner, word);
    const real = realpathSync(path);
    if (real !== root && !real.startsWith(root + sep)) throw refused(`${located} is a link to a file outside the package folder.`, launch.owner, word);
    const relativePath = relative(root, path).split(sep).join('/');
    if (relativePath === '') throw refused(`${located} names the package folder itself; name the files it needs.`, launch.owner, word);
    refs.push({ path: posix.normalize(relativePath), owner: launch.owner, bundle: script && statSync(path).isFile() });
  }
  return refs;
}

/** `node …`, `tsx …`, `npx [-y] tsx …`: its script arguments are bundled. */
function jsRunner(launch: Launch): boolean {
  const name = posix.basename(launch.command);
  if (JS_RUNNERS.has(name)) return true;
  return name === 'npx' && launch.args.find((a) => !a.startsWith('-')) === 'tsx';
}

/** One script with its dependencies, as one file of the same name: CommonJS for `.cjs`/`.cts`, ESM otherwise. */
function bundleScript(ref: Reference, root: string): AssetFile {
  const format = /\.c[jt]s$/.test(ref.path) ? 'cjs' : 'esm';
  const outfile = join(root, '.agentspec-asset', ref.path);
  try {
    const result = buildSync({
      entryPoints: [join(root, ref.path)],
      absWorkingDir: root,
      outfile,
      write: false,
      bundle: true,
      platform: 'node',
      target: SERVER_TARGET,
      format,
      minify: true,
      legalComments: 'none',
      charset: 'utf8',
      logLevel: 'silent',
      ...(format === 'esm' ? { banner: { js: REQUIRE_BANNER } } : {}),
    });
    const output = result.outputFiles.find((f) => f.path === outfile);
    if (!output) throw new Error('esbuild wrote no output');
    return { path: ref.path, mode: 0o644, bytes: output.contents };
  } catch (error) {
    const failure = error as Partial<BuildFailure>;
    const reason = failure.errors?.length
      ? failure.errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`).join('; ')
      : error instanceof Error
        ? error.message
        : String(error);
    throw new AgentSpecError(ErrorCode.ConfigError, `Bundling ${ref.path} of ${ref.owner} failed: ${reason}`, {
      cause: error,
      details: { resource: ref.owner, file: ref.path },
    });
  }
}

/** A referenced file, or every file below a referenced folder, as it is. */
function copiedFiles(ref: Reference, root: string): AssetFile[] {
  const path = join(root, ref.path);
  if (!statSync(path).isDirectory()) return [copied(ref.path, path)];
  const files: AssetFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = relative(root, full).split(sep).join('/');
      if (lstatSync(full).isSymbolicLink()) {
        const real = realpathSync(full);
        if (!real.startsWith(root + sep)) throw refused(`${ref.owner} ships "${ref.path}", whose "${rel}" links outside the package folder.`, ref.owner, rel);
      }
      if (statSync(full).isDirectory()) walk(full);
      else files.push(copied(rel, full));
    }
  };
  walk(path);
  return files;
}

function copied(rel: string, full: string): AssetFile {
  return { path: rel, mode: statSync(full).mode & 0o111 ? 0o755 : 0o644, bytes: readFileSync(full) };
}

function digestOf(files: AssetFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.path}\0${file.mode.toString(8)}\0${file.bytes.byteLength}\0`).update(file.bytes);
  return hash.digest('hex');
}

function refused(message: string, resource: string, file: string): AgentSpecError {
  return new AgentSpecError(ErrorCode.ConfigError, message, { details: { resource, file } });
}
