/**
 * AWS helpers shared by the Lambda functions and the hot-swap deploy:
 * content-addressed IR objects in S3 and the configuration of an execution
 * environment.
 */
export { IR_BUCKET_ENV, IR_DIGEST_ENV } from './env-names.js';
export { getIRJson, irKey, putIR, serializeIR, sha256 } from './ir-object.js';
export { awsConfigFromEnv, parseApiKeys, readPackageIRJson, required, type AwsEnvironmentConfig } from './environment-config.js';
