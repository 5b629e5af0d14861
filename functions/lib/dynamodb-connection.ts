/**
 * The DynamoDB document client the table stores (sessions, runs) share the
 * making of. The SDK is imported on the first table access, not with the
 * module: a bundle whose sessions and runs live elsewhere never loads it.
 */
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A document client, a plain client, or the configuration of a new client (the store closes that one). */
export type DynamoDBClientOption = DynamoDBDocumentClient | DynamoDBClient | DynamoDBClientConfig;

export interface DynamoDBConnection {
  doc: DynamoDBDocumentClient;
  lib: typeof import('@aws-sdk/lib-dynamodb');
  /** the client made here from a configuration, which its store destroys on close */
  owned: DynamoDBClient | undefined;
}

/** Loads the SDK and wraps `client` (or a new client of its configuration) in a document client. */
export async function connectDynamoDB(client: DynamoDBClientOption | undefined): Promise<DynamoDBConnection> {
  const [ddb, lib] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('@aws-sdk/lib-dynamodb')]);
  if (client instanceof lib.DynamoDBDocumentClient) return { doc: client, lib, owned: undefined };
  if (client instanceof ddb.DynamoDBClient) return { doc: lib.DynamoDBDocumentClient.from(client), lib, owned: undefined };
  const owned = new ddb.DynamoDBClient(client ?? {});
  return { doc: lib.DynamoDBDocumentClient.from(owned), lib, owned };
}

/** A conditional write lost the race (checked by name: the SDK class is loaded lazily). */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
