/** Validation of a parsed file: structure first, then references and semantics. */
import type { FileNode } from './ast.js';
import type { Diagnostic } from './diagnostic.js';
import { DocumentIndex } from './document.js';
import { StructureChecker } from './validate-structure.js';
import { ReferenceChecker } from './validate-references.js';

/** All structural and semantic diagnostics of a parsed file, sorted by position. */
export function validate(node: FileNode, file: string, doc: DocumentIndex = new DocumentIndex(node)): Diagnostic[] {
  const out: Diagnostic[] = [];
  new StructureChecker(file, out, doc).checkFile(node);
  new ReferenceChecker(doc, file, out).checkAll();
  return sortDiagnostics(out);
}

/** Diagnostics in source order (stable). */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
    .map(({ d }) => d);
}
