/**
 * Every model key the process holds is registered with the service's
 * redactor, not only Anthropic's: an OpenAI key that reaches a log line is
 * replaced by its name.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createServiceContext } from '../../shared/compose/compose-service.js';

describe('createServiceContext', () => {
  it('redacts the Anthropic and the OpenAI key from text and from log lines', () => {
    const anthropic = `canary-anthropic-${randomUUID()}`;
    const openai = `canary-openai-${randomUUID()}`;
    const lines: string[] = [];
    const { redactor, logger } = createServiceContext({ env: { ANTHROPIC_API_KEY: anthropic, OPENAI_API_KEY: openai }, logSink: (line) => lines.push(line) });

    expect(redactor.redact(`a ${anthropic} b ${openai}`)).toBe('a [REDACTED:anthropic-api-key] b [REDACTED:openai-api-key]');
    logger.info('request', { path: `/v1/agents/${openai}` });
    expect(lines.join('\n')).toContain('[REDACTED:openai-api-key]');
    expect(lines.join('\n')).not.toContain(openai);
  });
});
