// Stands in for `ajv-formats` in the Lambda bundles; see ajv.mjs beside it.
export default function addFormatsNotBundled() {
  throw new Error('ajv-formats is not part of this bundle: give the MCP client a jsonSchemaValidator.');
}
