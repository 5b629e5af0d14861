/** Environment variable names the CDK stack sets on the functions (shared by the functions and the hot-swap). */

/** names the live IR's digest on the run and stream functions */
export const IR_DIGEST_ENV = 'AGENTSPEC_IR_DIGEST';
/** names the IR bucket */
export const IR_BUCKET_ENV = 'AGENTSPEC_IR_BUCKET';
