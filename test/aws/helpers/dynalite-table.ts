/**
 * An in-process dynalite (DynamoDB played locally) on a random port with the
 * sessions table created the way the CDK stack creates it (key `pk`, TTL on
 * `expires_at`).
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

export interface DynaliteTable {
  client: DynamoDBClient;
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /** creates a fresh, empty table and returns its name */
  createTable(): Promise<string>;
  close(): Promise<void>;
}

let tables = 0;

/** Starts dynalite on 127.0.0.1 with a client pointed at it (dummy credentials, never AWS). */
export async function startDynalite(): Promise<DynaliteTable> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return {
    client,
    endpoint: `http://127.0.0.1:${port}`,
    async createTable() {
      const name = `sessions-${++tables}`;
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      return name;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
