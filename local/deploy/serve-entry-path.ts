/** Where the runtime server's entry sits in this checkout or package: what the process deployer runs and the container bundle starts from. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The serve entry (TypeScript in a checkout, run through tsx; a built stub in an installed package). */
export const SERVE_ENTRY = join(dirname(fileURLToPath(import.meta.url)), '..', 'serve-entry.ts');
