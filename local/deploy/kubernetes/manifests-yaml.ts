/** Manifests as one multi-document YAML stream, for `apply --dry-run` (GitOps). */
import { stringify } from 'yaml';
import { redactManifests, type Manifest } from './manifests.js';

/** The manifests as YAML; Secret values are replaced by placeholders. */
export function manifestsYaml(manifests: Manifest[]): string {
  return redactManifests(manifests)
    .map((m) => stringify(m))
    .join('---\n');
}
