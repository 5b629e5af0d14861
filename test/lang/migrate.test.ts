/** migrate --to-v2: 1.0 sources become valid 2.0 sources. */
import { describe, expect, it } from 'vitest';
import { check, compile, migrateToV2 } from '../../shared/lang/index.js';
import { findResource } from '../../shared/ir/index.js';

const v1 = `package "legacy" version "0.4.0" lang "1.0"

# kept comment
prompt "system" {
  content "Hi"
}

skill "count" {
  description "Count words"
  input {
    text string required
  }
  execution command "wc -w --total=never"
}

agent "bot" {
  uses prompt "system"
  uses skill "count"
  model "claude-haiku-4-5"
}

binding "local" adapter "local-mcp" {
  port 9000
  default true
}

binding "k8s" adapter "kubernetes" {
  replicas 2
}
`;

describe('migrateToV2', () => {
  it('rewrites lang, execution command and bindings, and the result validates', () => {
    // Act
    const out = migrateToV2(v1, 'legacy.ias');
    // Assess
    expect(out).toContain('lang "2.0"');
    expect(out).toContain('tool command { binary "wc" args ["-w", "--total=never"] }');
    expect(out).toContain('deploy "local" target "process" {');
    expect(out).toContain('deploy "k8s" target "kubernetes" {');
    expect(out).toContain('# kept comment');
    expect(check(out, 'legacy.ias').filter((d) => d.severity === 'error')).toEqual([]);
    const ir = compile(out, { file: 'legacy.ias' }).ir!;
    expect(findResource(ir, 'Skill', 'count')!.attributes.tool).toMatchObject({ type: 'command', binary: 'wc', args: ['-w', '--total=never'] });
    expect(findResource(ir, 'Deploy', 'local')!.attributes).toMatchObject({ target: 'process', port: 9000, default: true });
  });

  it('maps docker-compose and docker adapters', () => {
    const out = migrateToV2('package "x" version "1.0.0" lang "1.0"\nbinding "a" adapter "docker-compose" {\n}\nbinding "b" adapter "docker" {\n}\n', 'x.ias');
    expect(out).toContain('deploy "a" target "docker-compose"');
    expect(out).toContain('deploy "b" target "docker"');
  });

  it('rejects an adapter with no 2.0 target, naming it', () => {
    expect(() => migrateToV2('package "x" version "1.0.0" lang "1.0"\nbinding "a" adapter "mainframe" {\n}\n', 'x.ias')).toThrow(/adapter "mainframe"/);
  });

  it('leaves a 2.0 file unchanged', () => {
    const src = 'package "x" version "1.0.0" lang "2.0"\n';
    expect(migrateToV2(src, 'x.ias')).toBe(src);
  });
});
