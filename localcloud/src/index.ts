export type { Localcloud, LocalcloudOptions } from "./cloud";
export { startLocalcloud } from "./cloud";
export type { Credentials } from "./config";
export { DEFAULT_REGION, LOCAL_ACCOUNT_ID, TEST_CREDENTIALS } from "./config";
export {
  accountPrefixedLookup,
  keyValueStoreClientConfig,
  keyValueStoreEndpoint,
} from "./kvs-client";
export type { FaultRule } from "./server/faults";
export type { RequestLogEntry } from "./server/request-log";
