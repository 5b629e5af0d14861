/** The deploy block's `auth` and `api_keys`: which targets take which mode, located errors with hints, and what lowering keeps. */
import { describe, expect, it } from 'vitest';
import { compile } from '../../shared/lang/index.js';
import { findResource } from '../../shared/ir/types.js';
import { expectDiagnostic, pkg } from './expect-diagnostic.js';

const SECRET = 'secret "api-keys" { env(AGENTSPEC_KEYS) }'; // line 2
const deploy = (target: string, lines: string) => `${SECRET}\ndeploy "d" target "${target}" {\n${lines}\n}`; // attributes from line 4

describe('deploy auth', () => {
  it('lowers auth "none" and an api_keys secret name into the IR', () => {
    const open = compile(pkg(deploy('kubernetes', '  image "r/x:1"\n  auth "none"')), { file: 't.ias' });
    const keyed = compile(pkg(deploy('kubernetes', '  image "r/x:1"\n  api_keys "api-keys"')), { file: 't.ias' });
    expect(open.diagnostics).toEqual([]);
    expect(findResource(open.ir!, 'Deploy', 'd')?.attributes.auth).toBe('none');
    expect(findResource(keyed.ir!, 'Deploy', 'd')?.attributes.api_keys).toBe('api-keys');
  });

  it('suggests the closest mode for a misspelt one', () => {
    const d = expectDiagnostic(pkg(deploy('kubernetes', '  auth "nnoe"')), { line: 4, message: 'not one of' });
    expect(d.hint).toContain('"none"');
    expect(d.column).toBeGreaterThan(1);
  });

  it('keeps iam for lambda and none off lambda', () => {
    expectDiagnostic(pkg(deploy('kubernetes', '  auth "iam"')), { line: 4, message: 'auth "iam" is for lambda' });
    expectDiagnostic(pkg(deploy('lambda', '  auth "none"')), { line: 4, message: 'not available on lambda' });
  });

  it('reports an unknown api_keys secret with a suggestion, at the name', () => {
    const d = expectDiagnostic(pkg(deploy('kubernetes', '  api_keys "api-kyes"')), { line: 4, message: 'did you mean "api-keys"' });
    expect(d.column).toBe(12);
  });

  it('refuses api_keys where no keys are checked', () => {
    expectDiagnostic(pkg(deploy('kubernetes', '  auth "none"\n  api_keys "api-keys"')), { line: 5, message: 'checks no API keys' });
    expectDiagnostic(pkg(deploy('lambda', '  api_keys "api-keys"')), { line: 4, message: 'Secrets Manager' });
  });

  it('takes auth "none" and api_keys on every target that serves HTTP itself', () => {
    for (const target of ['process', 'docker', 'docker-compose'])
      for (const lines of ['  auth "none"', '  api_keys "api-keys"']) expect(compile(pkg(deploy(target, lines)), { file: 't.ias' }).diagnostics).toEqual([]);
  });

  it('lowers network and registry_auth, and refuses them on targets that would ignore them', () => {
    const bridged = compile(pkg(deploy('docker', '  network "host"')), { file: 't.ias' });
    expect(bridged.diagnostics).toEqual([]);
    expect(findResource(bridged.ir!, 'Deploy', 'd')?.attributes.network).toBe('host');
    const pushed = compile(pkg(deploy('kubernetes', '  image "r/x:1"\n  registry_auth "api-keys"')), { file: 't.ias' });
    expect(pushed.diagnostics).toEqual([]);
    expect(findResource(pushed.ir!, 'Deploy', 'd')?.attributes.registry_auth).toBe('api-keys');
    expectDiagnostic(pkg(deploy('docker', '  network "overlay"')), { line: 4, message: 'not one of' });
    expectDiagnostic(pkg(deploy('process', '  network "host"')), { line: 4, message: 'network is used by docker and docker-compose targets' });
    expectDiagnostic(pkg(deploy('docker', '  registry_auth "api-keys"')), { line: 4, message: 'registry_auth is used by kubernetes targets' });
    expectDiagnostic(pkg(deploy('kubernetes', '  registry_auth "registry"')), { line: 4, message: 'Unknown secret "registry"' });
  });
});
