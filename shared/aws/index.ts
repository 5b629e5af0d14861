/** AWS helpers shared by the Lambda functions and the hot-swap deploy: content-addressed IR objects in S3. */
export { IR_BUCKET_ENV, IR_DIGEST_ENV, getIRJson, irKey, putIR, serializeIR, sha256 } from './ir-object.js';
