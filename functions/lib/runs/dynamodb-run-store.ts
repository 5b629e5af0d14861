/**
 * A `RunStore` on DynamoDB, in the sessions table as it is (string key `pk`,
 * TTL on `expires_at`). Keys start with `#run#`, which no session key
 * (`<agent>#<id>`, agent never empty) can, so runs and sessions never meet.
 *
 * - `#run#<id>`: the record: the run's JSON, `version` (writes are
 *   conditional on it), `expires_at`, and the log's head (`last_seq`,
 *   `log_bytes`, `log`: a random id naming this run's log items). A run whose
 *   JSON would pass the item budget (a large checkpoint or result) is kept as
 *   binary parts `#run#<id>#v<version>#<i>`, written before the record that
 *   names them and deleted once a newer version replaces them.
 * - `#run#<id>#<log>#<first seq>`: one appended batch of events. A hash key
 *   cannot be queried in order, so batches never cross a multiple of
 *   `PAGE` seqs: the batch holding seq s starts between the page's first seq
 *   and s, and a read fetches every key in that span (BatchGetItem) and keeps
 *   the items that exist. Batches are also split to stay under the item
 *   budget; a single event larger than it is refused.
 * Log items are written before the head moves, so a reader never sees a seq
 * whose batch is missing. `wait` polls the record (no notifications here).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { BatchWriteCommandOutput } from '@aws-sdk/lib-dynamodb';
import { runConflict, runExists, runNotFound } from '../../../shared/runs/store-errors.js';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { connectDynamoDB, isConditionFailure, type DynamoDBClientOption, type DynamoDBConnection } from '../dynamodb-connection.js';
import {
  checkBounds,
  encodeEvents,
  expiryOf,
  isExpired,
  nextVersion,
  resolveLimits,
  type EncodedEvent,
  type ResolvedLimits,
  type RunStoreLimits,
} from '../../../shared/runs/store-limits.js';
import type { LoggedEvent, Run, RunStore } from '../../../shared/runs/types.js';

/** DynamoDB's item limit is 400 KB; keep headroom for keys and attribute names. */
const DEFAULT_MAX_ITEM_BYTES = 380 * 1024;
/** Batches never cross a multiple of this many seqs (also BatchGetItem's key limit). */
const PAGE = 100;
const BATCH_WRITE = 25;
/** Log batches an instance keeps after reading them, for the next reader of the same run. */
const SEEN_BATCHES = 512;

export interface DynamoDBRunStoreOptions extends RunStoreLimits {
  tableName: string;
  /** a document client, a plain client, or the configuration of a new client (closed by `close()`) */
  client?: DynamoDBClientOption;
  /** how often `wait` reads the record (default 200 ms) */
  pollMs?: number;
  /** byte budget for one item (tests lower it) */
  maxItemBytes?: number;
}

interface RecordItem {
  pk: string;
  version: number;
  expires_at: number;
  last_seq: number;
  log_bytes: number;
  log: string;
  /** the run's JSON, when it fits */
  run?: string;
  /** else the number of its parts */
  parts?: number;
}

interface BatchItem {
  pk: string;
  first: number;
  count: number;
  /** JSON array of the batch's events */
  events: string;
  expires_at: number;
}

interface Waiter {
  after: number;
  /** the record's version at the first poll that saw this waiter; a change wakes it */
  version?: number;
  wake(): void;
}

interface Poll {
  waiters: Set<Waiter>;
}

/** Runs and their logs in a DynamoDB table keyed by `pk` with TTL on `expires_at`. */
export class DynamoDBRunStore implements RunStore {
  private readonly options: DynamoDBRunStoreOptions;
  private readonly tableName: string;
  private readonly limits: ResolvedLimits;
  private readonly pollMs: number;
  private readonly maxItemBytes: number;
  private connection?: Promise<DynamoDBConnection>;
  private owned: DynamoDBClient | undefined;
  private readonly polls = new Map<string, Poll>();
  /** recently read log batches by key, oldest first (bounded) */
  private readonly seen = new Map<string, BatchItem>();

  constructor(options: DynamoDBRunStoreOptions) {
    this.options = options;
    this.tableName = options.tableName;
    this.limits = resolveLimits(options);
    this.pollMs = options.pollMs ?? 200;
    this.maxItemBytes = options.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES;
  }

  private connect(): Promise<DynamoDBConnection> {
    this.connection ??= connectDynamoDB(this.options.client).then((connection) => {
      this.owned = connection.owned;
      return connection;
    });
    return this.connection;
  }

  async create(run: Omit<Run, 'version'>): Promise<Run> {
    const stored: Run = { ...run, version: 1, expires_at: expiryOf(run, Date.now(), this.limits.ttlSeconds) };
    const body = await this.writeBody(stored);
    const item: RecordItem = {
      pk: recordKey(run.id),
      version: 1,
      expires_at: stored.expires_at,
      last_seq: 0,
      log_bytes: 0,
      log: randomUUID().slice(0, 8),
      ...body,
    };
    try {
      const { doc, lib } = await this.connect();
      await doc.send(
        new lib.PutCommand({
          TableName: this.tableName,
          Item: item,
          // an expired leftover with the same id may be replaced; a live one may not
          ConditionExpression: 'attribute_not_exists(pk) OR expires_at <= :now',
          ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000) },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw runExists(run.id, error);
      throw this.storeError('create', error);
    }
    return structuredClone(stored);
  }

  async get(id: string): Promise<Run | undefined> {
    // a reader that loses a race with a write replacing the run's parts reads the record again
    for (let attempt = 0; ; attempt++) {
      const item = await this.record(id);
      if (!item) return undefined;
      const json = item.run ?? (await this.readParts(id, item.version, item.parts ?? 0));
      if (json !== undefined) return { ...(JSON.parse(json) as Run), last_seq: Number(item.last_seq) };
      if (attempt >= 3) throw this.storeError('get', new Error('the run changed while it was read'));
    }
  }

  async put(run: Run, expectedVersion: number): Promise<Run> {
    const now = Date.now();
    const stored = nextVersion(run, expectedVersion, now, this.limits.ttlSeconds);
    const body = await this.writeBody(stored);
    let old: Partial<RecordItem> | undefined;
    try {
      const { doc, lib } = await this.connect();
      const inline = body.run !== undefined;
      const out = await doc.send(
        new lib.UpdateCommand({
          TableName: this.tableName,
          Key: { pk: recordKey(run.id) },
          UpdateExpression: inline ? 'SET version = :v, expires_at = :e, run = :r REMOVE parts' : 'SET version = :v, expires_at = :e, parts = :p REMOVE run',
          ConditionExpression: 'attribute_exists(pk) AND version = :expected AND expires_at > :now',
          ExpressionAttributeValues: {
            ':v': stored.version,
            ':e': stored.expires_at,
            ...(inline ? { ':r': body.run } : { ':p': body.parts }),
            ':expected': expectedVersion,
            ':now': Math.floor(now / 1000),
          },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      old = out.Attributes as Partial<RecordItem> | undefined;
    } catch (error) {
      if (body.parts !== undefined) void this.deleteParts(run.id, stored.version, body.parts);
      if (!isConditionFailure(error)) throw this.storeError('put', error);
      const current = await this.record(run.id);
      if (!current) throw runNotFound(run.id, error);
      throw runConflict(run.id, expectedVersion, current.version, error);
    }
    if (old?.parts !== undefined) void this.deleteParts(run.id, expectedVersion, Number(old.parts));
    return structuredClone(stored);
  }

  async append(id: string, events: readonly { type: string; data: unknown }[]): Promise<number> {
    const head = await this.record(id);
    if (!head) throw runNotFound(id);
    const encoded = encodeEvents(events);
    const last = Number(head.last_seq);
    checkBounds(id, { events: last, bytes: Number(head.log_bytes) }, encoded, this.limits);
    if (encoded.length === 0) return last;
    const batches = this.split(id, head, encoded);
    const added = encoded.reduce((sum, event) => sum + event.bytes, 0);
    try {
      await this.batchWrite(batches.map((item) => ({ PutRequest: { Item: item } })));
      const { doc, lib } = await this.connect();
      await doc.send(
        new lib.UpdateCommand({
          TableName: this.tableName,
          Key: { pk: recordKey(id) },
          UpdateExpression: 'SET last_seq = :next, log_bytes = log_bytes + :added',
          ConditionExpression: 'attribute_exists(pk) AND last_seq = :last',
          ExpressionAttributeValues: { ':next': last + encoded.length, ':added': added, ':last': last },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new AgentSpecError(ErrorCode.Conflict, `Run "${id}" was appended to by another writer at the same time.`, {
          cause: error,
          details: { run_id: id },
        });
      }
      throw this.storeError('append', error);
    }
    return last + encoded.length;
  }

  async read(id: string, after: number, limit?: number): Promise<LoggedEvent[]> {
    const head = await this.record(id);
    if (!head) return [];
    const from = Math.max(0, Math.floor(after)) + 1;
    const to = Math.min(Number(head.last_seq), limit === undefined ? Infinity : from + limit - 1);
    if (to < from) return [];
    // batches are immutable: those this instance has seen are not fetched again, nor the seqs inside them
    const batches: BatchItem[] = [];
    const keys: string[] = [];
    for (let seq = Math.floor((from - 1) / PAGE) * PAGE + 1; seq <= to;) {
      const key = batchKey(id, head.log, seq);
      const known = this.seen.get(key);
      if (known) batches.push(known);
      else keys.push(key);
      seq += known ? Number(known.count) : 1;
    }
    for (const item of (await this.batchGet(keys)) as unknown as BatchItem[]) {
      batches.push(item);
      this.remember(item);
    }
    const out: LoggedEvent[] = [];
    for (const item of batches.sort((a, b) => a.first - b.first)) {
      const events = JSON.parse(item.events) as { type: string; data: unknown }[];
      events.forEach(({ type, data }, index) => {
        const seq = Number(item.first) + index;
        if (seq >= from && seq <= to) out.push({ seq, type, data });
      });
    }
    if (out.length !== to - from + 1) throw this.storeError('read', new Error(`the log of run "${id}" is missing events`));
    return out;
  }

  wait(id: string, after: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let poll = this.polls.get(id);
      if (!poll) this.polls.set(id, (poll = { waiters: new Set() }));
      const waiters = poll.waiters;
      const waiter: Waiter = {
        after,
        wake: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', waiter.wake);
          waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, Math.max(0, timeoutMs));
      signal?.addEventListener('abort', waiter.wake, { once: true });
      waiters.add(waiter);
      if (waiters.size === 1) void this.pollLoop(id, poll);
    });
  }

  /** One loop per run reads the record for all its waiters, so fifty readers cost one read per interval. */
  private async pollLoop(id: string, poll: Poll): Promise<void> {
    while (poll.waiters.size > 0) {
      let head: RecordItem | undefined;
      try {
        head = await this.record(id);
      } catch {
        // a failed read is retried at the next interval; a waiter's own timeout still ends it
      }
      const seen = head ? { last: Number(head.last_seq), version: Number(head.version) } : { last: 0, version: -1 };
      for (const waiter of [...poll.waiters]) {
        if (seen.last > waiter.after || (waiter.version !== undefined && waiter.version !== seen.version)) waiter.wake();
        else waiter.version ??= seen.version;
      }
      if (poll.waiters.size === 0) break;
      await pause(this.pollMs);
    }
    if (this.polls.get(id) === poll) this.polls.delete(id);
  }

  async close(): Promise<void> {
    for (const poll of this.polls.values()) for (const waiter of [...poll.waiters]) waiter.wake();
    this.owned?.destroy();
  }

  private remember(item: BatchItem): void {
    this.seen.set(item.pk, item);
    if (this.seen.size > SEEN_BATCHES) this.seen.delete(this.seen.keys().next().value!);
  }

  /** The record when present and not expired. */
  private async record(id: string): Promise<RecordItem | undefined> {
    try {
      const { doc, lib } = await this.connect();
      const out = await doc.send(new lib.GetCommand({ TableName: this.tableName, Key: { pk: recordKey(id) }, ConsistentRead: true }));
      const item = out.Item as RecordItem | undefined;
      return item && !isExpired(Number(item.expires_at), Date.now()) ? item : undefined;
    } catch (error) {
      throw this.storeError('get', error);
    }
  }

  /** The run inline when it fits an item, else written as parts first and named by count. */
  private async writeBody(run: Run): Promise<{ run?: string; parts?: number }> {
    const json = JSON.stringify(run);
    const budget = this.maxItemBytes - 512;
    if (Buffer.byteLength(json, 'utf8') <= budget) return { run: json };
    const bytes = Buffer.from(json, 'utf8');
    if (bytes.length > this.limits.maxBytes) {
      throw new AgentSpecError(
        ErrorCode.PayloadTooLarge,
        `Run "${run.id}" is ${bytes.length} bytes of JSON, past the bound of ${this.limits.maxBytes} bytes.`,
        {
          details: { run_id: run.id, bound: 'record', limit: this.limits.maxBytes },
        },
      );
    }
    const parts: Record<string, unknown>[] = [];
    for (let offset = 0; offset < bytes.length; offset += budget) {
      parts.push({ pk: partKey(run.id, run.version, parts.length), data: bytes.subarray(offset, offset + budget), expires_at: run.expires_at });
    }
    try {
      await this.batchWrite(parts.map((Item) => ({ PutRequest: { Item } })));
    } catch (error) {
      throw this.storeError('write', error);
    }
    return { parts: parts.length };
  }

  /** The run's JSON from its parts, or undefined when one is gone (replaced by a newer version). */
  private async readParts(id: string, version: number, count: number): Promise<string | undefined> {
    const keys = Array.from({ length: count }, (_, i) => partKey(id, version, i));
    const items = await this.batchGet(keys);
    if (items.length !== count) return undefined;
    const byKey = new Map(items.map((item) => [String(item.pk), item.data as Uint8Array]));
    return Buffer.concat(keys.map((key) => byKey.get(key)!)).toString('utf8');
  }

  private async deleteParts(id: string, version: number, count: number): Promise<void> {
    const requests = Array.from({ length: count }, (_, i) => ({ DeleteRequest: { Key: { pk: partKey(id, version, i) } } }));
    // best effort: the parts expire with the run anyway
    await this.batchWrite(requests).catch(() => undefined);
  }

  /** Batches of the new events: never across a page boundary, never past the item budget. */
  private split(id: string, head: RecordItem, encoded: readonly EncodedEvent[]): BatchItem[] {
    const budget = this.maxItemBytes - 512;
    const expires = Math.max(Number(head.expires_at), Math.ceil(Date.now() / 1000) + this.limits.ttlSeconds);
    const batches: BatchItem[] = [];
    let current: { first: number; json: string[]; bytes: number } | undefined;
    const flush = (): void => {
      if (current)
        batches.push({
          pk: batchKey(id, head.log, current.first),
          first: current.first,
          count: current.json.length,
          events: `[${current.json.join(',')}]`,
          expires_at: expires,
        });
      current = undefined;
    };
    encoded.forEach((event, index) => {
      const seq = Number(head.last_seq) + index + 1;
      if (event.bytes + 2 > budget) {
        throw new AgentSpecError(
          ErrorCode.PayloadTooLarge,
          `An event of run "${id}" is ${event.bytes} bytes, past the bound of ${budget} bytes per event on DynamoDB.`,
          {
            details: { run_id: id, bound: 'event', limit: budget },
          },
        );
      }
      if (current && ((seq - 1) % PAGE === 0 || current.bytes + event.bytes + 1 > budget)) flush();
      current ??= { first: seq, json: [], bytes: 2 };
      current.json.push(event.json);
      current.bytes += event.bytes + 1;
    });
    flush();
    return batches;
  }

  private async batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    const { doc, lib } = await this.connect();
    for (let i = 0; i < requests.length; i += BATCH_WRITE) {
      let pending: Record<string, unknown>[] | undefined = requests.slice(i, i + BATCH_WRITE);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await pause(Math.min(1000, 50 * 2 ** attempt));
        if (attempt > 8) throw new Error('DynamoDB kept items unprocessed');
        const request = new lib.BatchWriteCommand({ RequestItems: { [this.tableName]: pending } });
        const out: BatchWriteCommandOutput = await doc.send(request);
        pending = out.UnprocessedItems?.[this.tableName];
      }
    }
  }

  private async batchGet(keys: readonly string[]): Promise<Record<string, unknown>[]> {
    try {
      const { doc, lib } = await this.connect();
      const chunks: string[][] = [];
      for (let i = 0; i < keys.length; i += PAGE) chunks.push(keys.slice(i, i + PAGE));
      const found = await Promise.all(
        chunks.map(async (chunk) => {
          const items: Record<string, unknown>[] = [];
          let pending: { Keys: { pk: string }[]; ConsistentRead: boolean } | undefined = { Keys: chunk.map((pk) => ({ pk })), ConsistentRead: true };
          for (let attempt = 0; pending && pending.Keys.length > 0; attempt++) {
            if (attempt > 0) await pause(Math.min(1000, 50 * 2 ** attempt));
            if (attempt > 8) throw new Error('DynamoDB kept keys unprocessed');
            const out = await doc.send(new lib.BatchGetCommand({ RequestItems: { [this.tableName]: pending } }));
            items.push(...((out.Responses?.[this.tableName] ?? []) as Record<string, unknown>[]));
            pending = out.UnprocessedKeys?.[this.tableName] as typeof pending;
          }
          return items;
        }),
      );
      return found.flat();
    } catch (error) {
      throw this.storeError('read', error);
    }
  }

  private storeError(operation: string, error: unknown): AgentSpecError {
    if (error instanceof AgentSpecError) return error;
    const name = error instanceof Error ? error.name : 'Error';
    return new AgentSpecError(ErrorCode.Unavailable, `The DynamoDB run table "${this.tableName}" failed on ${operation} (${name}).`, {
      cause: error,
      details: { table: this.tableName, operation },
    });
  }
}

const recordKey = (id: string): string => `#run#${id}`;
const batchKey = (id: string, log: string, first: number): string => `#run#${id}#${log}#${first}`;
const partKey = (id: string, version: number, index: number): string => `#run#${id}#v${version}#${index}`;

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
