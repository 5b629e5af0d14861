/** The JSON logger: one parseable line per record, levels, errors serialised, secrets redacted. */
import { describe, expect, it } from 'vitest';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { createLogger } from '../../shared/telemetry/logger.js';

describe('createLogger', () => {
  it('writes JSON lines with level, message and fields, dropping records below the level', () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (l) => lines.push(l), level: 'info', base: { service: 'x' } });
    logger.debug('hidden');
    logger.warn('careful', { n: 1 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ time: expect.any(String), level: 'warn', msg: 'careful', service: 'x', n: 1 });
  });

  it('serialises errors with code and cause and redacts secrets anywhere in the line', () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (l) => lines.push(l), redact: (t) => t.replaceAll('hunter2', '***') });
    const error = new AgentSpecError(ErrorCode.ToolError, 'tool failed', { cause: new Error('auth hunter2 rejected') });
    logger.error('boom hunter2', { error });
    const record = JSON.parse(lines[0]!);
    expect(record.msg).toBe('boom ***');
    expect(record.error).toEqual({
      name: 'AgentSpecError',
      message: 'tool failed',
      code: 'tool_error',
      cause: { name: 'Error', message: 'auth *** rejected' },
    });
  });

  it('survives a throwing sink', () => {
    const logger = createLogger({
      sink: () => {
        throw new Error('disk full');
      },
    });
    expect(() => logger.info('x')).not.toThrow();
  });
});
