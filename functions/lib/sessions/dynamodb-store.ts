/**
 * A `SessionStore` on DynamoDB. Every write is conditional on the stored
 * `version`, so two concurrent messages to one session never overwrite each
 * other: the loser gets `conflict` and re-applies. Expiry uses DynamoDB TTL on
 * `expires_at` (epoch seconds); TTL deletion is lazy, so reads filter expired
 * items too. Items stay under DynamoDB's 400 KB limit by trimming the oldest
 * turns (see dynamodb-item-size.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { connectDynamoDB, isConditionFailure, type DynamoDBClientOption, type DynamoDBConnection } from '../dynamodb-connection.js';
import type { Message } from '../../../shared/llm/types.js';
import { fitMessages, jsonBytes } from './dynamodb-item-size.js';
import { expiresAfter, newSession, nowSeconds } from '../../../shared/sessions/new-session.js';
import type { CreateSessionOptions, Session, SessionStore } from '../../../shared/sessions/types.js';

/** Partition key attribute of the sessions table (string: `<agent>#<id>`). */
export const SESSION_TABLE_KEY = 'pk';
/** TTL attribute of the sessions table (epoch seconds). */
export const SESSION_TABLE_TTL_ATTRIBUTE = 'expires_at';

/** DynamoDB's item limit is 400 KB; keep headroom for attribute names and metadata. */
const DEFAULT_MAX_ITEM_BYTES = 380 * 1024;

export interface DynamoDBSessionStoreOptions {
  tableName: string;
  /** a document client, a plain client, or the configuration of a new client (closed by `close()`) */
  client?: DynamoDBClientOption;
  /** default lifetime of a session; refreshed by every write */
  ttlSeconds?: number;
  /** byte budget for one item (tests lower it) */
  maxItemBytes?: number;
}

interface SessionItem {
  pk: string;
  id: string;
  agent: string;
  created_at: string;
  updated_at: string;
  version: number;
  /** JSON of Message[]: one string attribute keeps nested content free of DynamoDB type quirks */
  messages: string;
  summary?: string;
  expires_at?: number;
}

/** Sessions in a DynamoDB table keyed by `pk` with TTL on `expires_at`. */
export class DynamoDBSessionStore implements SessionStore {
  private readonly options: DynamoDBSessionStoreOptions;
  private connection?: Promise<DynamoDBConnection>;
  private owned: DynamoDBClient | undefined;
  private readonly tableName: string;
  private readonly ttlSeconds: number | undefined;
  private readonly maxItemBytes: number;

  constructor(options: DynamoDBSessionStoreOptions) {
    this.tableName = options.tableName;
    this.ttlSeconds = options.ttlSeconds;
    this.maxItemBytes = options.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES;
    this.options = options;
  }

  private connect(): Promise<DynamoDBConnection> {
    this.connection ??= connectDynamoDB(this.options.client).then((connection) => {
      this.owned = connection.owned;
      return connection;
    });
    return this.connection;
  }

  async create(agent: string, options: CreateSessionOptions = {}): Promise<Session> {
    const session = newSession(agent, options, this.ttlSeconds);
    const item = this.toItem(session);
    try {
      const { doc, lib } = await this.connect();
      await doc.send(
        new lib.PutCommand({
          TableName: this.tableName,
          Item: item,
          // an expired leftover with the same id may be replaced; a live one may not
          ConditionExpression: 'attribute_not_exists(pk) OR expires_at <= :now',
          ExpressionAttributeValues: { ':now': nowSeconds() },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new AgentSpecError(ErrorCode.Conflict, `Session "${session.id}" of agent "${agent}" already exists.`, {
          cause: error,
          details: { agent, session_id: session.id },
        });
      }
      throw this.storeError('create', error);
    }
    return session;
  }

  async get(agent: string, id: string): Promise<Session | undefined> {
    const item = await this.read(agent, id);
    return item && !this.expired(item) ? this.fromItem(item) : undefined;
  }

  async put(session: Session, expectedVersion: number): Promise<Session> {
    const { messages } = fitMessages(session.messages, this.budgetFor(session));
    const ttl = this.ttlSeconds;
    const stored: Session = {
      ...session,
      messages,
      version: expectedVersion + 1,
      updated_at: new Date().toISOString(),
    };
    // a store-wide lifetime slides with every write; a per-session one stays as created
    if (ttl !== undefined) stored.expires_at = expiresAfter(ttl);
    try {
      const { doc, lib } = await this.connect();
      await doc.send(
        new lib.PutCommand({
          TableName: this.tableName,
          Item: this.toItem(stored),
          ConditionExpression: 'attribute_exists(pk) AND version = :expected AND (attribute_not_exists(expires_at) OR expires_at > :now)',
          ExpressionAttributeValues: { ':expected': expectedVersion, ':now': nowSeconds() },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw this.storeError('put', error);
      const current = await this.read(session.agent, session.id);
      if (!current || this.expired(current)) {
        throw new AgentSpecError(ErrorCode.NotFound, `Session "${session.id}" of agent "${session.agent}" does not exist or has expired.`, {
          cause: error,
          details: { agent: session.agent, session_id: session.id },
        });
      }
      throw new AgentSpecError(
        ErrorCode.Conflict,
        `Session "${session.id}" was changed by another writer (expected version ${expectedVersion}, found ${current.version}).`,
        {
          cause: error,
          details: { agent: session.agent, session_id: session.id, expected_version: expectedVersion, version: current.version },
        },
      );
    }
    return stored;
  }

  async delete(agent: string, id: string): Promise<boolean> {
    try {
      const { doc, lib } = await this.connect();
      const out = await doc.send(new lib.DeleteCommand({ TableName: this.tableName, Key: { pk: keyOf(agent, id) }, ReturnValues: 'ALL_OLD' }));
      const old = out.Attributes as SessionItem | undefined;
      return old !== undefined && !this.expired(old);
    } catch (error) {
      throw this.storeError('delete', error);
    }
  }

  async close(): Promise<void> {
    this.owned?.destroy();
  }

  private async read(agent: string, id: string): Promise<SessionItem | undefined> {
    try {
      const { doc, lib } = await this.connect();
      const out = await doc.send(new lib.GetCommand({ TableName: this.tableName, Key: { pk: keyOf(agent, id) }, ConsistentRead: true }));
      return out.Item as SessionItem | undefined;
    } catch (error) {
      throw this.storeError('get', error);
    }
  }

  /** What is left for messages once the rest of the item is counted. */
  private budgetFor(session: Session): number {
    const rest = jsonBytes({ ...session, messages: '' });
    return Math.max(1024, this.maxItemBytes - rest);
  }

  private expired(item: SessionItem): boolean {
    return item.expires_at !== undefined && item.expires_at <= nowSeconds();
  }

  private toItem(session: Session): SessionItem {
    const item: SessionItem = {
      pk: keyOf(session.agent, session.id),
      id: session.id,
      agent: session.agent,
      created_at: session.created_at,
      updated_at: session.updated_at,
      version: session.version,
      messages: JSON.stringify(session.messages),
    };
    if (session.summary !== undefined) item.summary = session.summary;
    if (session.expires_at !== undefined) item.expires_at = session.expires_at;
    return item;
  }

  private fromItem(item: SessionItem): Session {
    const session: Session = {
      id: item.id,
      agent: item.agent,
      created_at: item.created_at,
      updated_at: item.updated_at,
      version: Number(item.version),
      messages: JSON.parse(item.messages) as Message[],
    };
    if (item.summary !== undefined) session.summary = item.summary;
    if (item.expires_at !== undefined) session.expires_at = Number(item.expires_at);
    return session;
  }

  private storeError(operation: string, error: unknown): AgentSpecError {
    const name = error instanceof Error ? error.name : 'Error';
    return new AgentSpecError(ErrorCode.Unavailable, `The DynamoDB session table "${this.tableName}" failed on ${operation} (${name}).`, {
      cause: error,
      details: { table: this.tableName, operation },
    });
  }
}

function keyOf(agent: string, id: string): string {
  return `${agent}#${id}`;
}
