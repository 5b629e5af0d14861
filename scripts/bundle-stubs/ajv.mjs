// Stands in for `ajv` in the Lambda bundles. The only importer left is the MCP
// SDK's default output-schema validator, which the runtime never builds: the
// MCP pool always hands the client the SDK's @cfworker/json-schema provider
// (shared/tools/mcp-pool.ts). Leaving ajv out keeps ~145 KB out of every bundle;
// test/aws/function-bundles.test.ts runs an MCP call through the bundle.
export default class AjvNotBundled {
  constructor() {
    throw new Error('ajv is not part of this bundle: give the MCP client a jsonSchemaValidator (the runtime uses the @cfworker/json-schema provider).');
  }
}
export { AjvNotBundled as Ajv };
