import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { bindDecision } from "./bind-policy";
import { type Credentials, DEFAULT_REGION, LOCAL_ACCOUNT_ID, TEST_CREDENTIALS } from "./config";
import { keyValueStoreEndpoint } from "./kvs-client";
import { ApiServer } from "./server/api-server";
import { FaultInjector } from "./server/faults";
import { RequestLog } from "./server/request-log";
import { serviceFactories } from "./services/registry";
import type { LocalcloudService, ServiceContext, ServiceFactory } from "./services/service";

export interface LocalcloudOptions {
  /** Folder for persistent state; the same folder gives the same data after a restart. */
  stateDir: string;
  /** Interface to listen on (loopback by default). */
  host?: string;
  /** Let `host` be an address other machines can reach (the CLI's `--allow-remote`). */
  allowNonLoopback?: boolean;
  /** Where the warning about a non-loopback address goes (default: stderr). */
  warn?: (message: string) => void;
  /** Port of the AWS API endpoint; 0 picks a free one. */
  port?: number;
  region?: string;
  /** See `ServiceContext.timeScale`; defaults to LOCALCLOUD_TIME_SCALE or 1. */
  timeScale?: number;
  /** Bridge and subnet for ECS tasks (default `lcbr0`, 198.18.0.0/16). */
  taskNetwork?: { bridge: string; subnet: string };
  /** Replace the service list (tests that need only some services). */
  services?: ServiceFactory[];
}

export interface Localcloud {
  /** `AWS_ENDPOINT_URL` for SDKs and `--endpoint-url` for the AWS CLI. */
  endpoint: string;
  /** Every endpoint: `api`, plus those services add (`registry`, …). */
  endpoints: Record<string, string>;
  region: string;
  accountId: string;
  credentials: Credentials;
  requestLog: RequestLog;
  faults: FaultInjector;
  /** Environment for child processes (AWS CLI, the shipline CLI) to talk to this cloud. */
  env(): Record<string, string>;
  service<T extends LocalcloudService>(name: string): T;
  stop(): Promise<void>;
}

/** Starts every emulated service and the shared API endpoint. */
export const startLocalcloud = async (options: LocalcloudOptions): Promise<Localcloud> => {
  const host = options.host ?? "127.0.0.1";
  const bind = bindDecision(host, options.allowNonLoopback ?? false);
  if (bind.kind === "refused") throw new Error(bind.message);
  if (bind.kind === "remote") (options.warn ?? console.warn)(bind.warning);
  const region = options.region ?? DEFAULT_REGION;
  const timeScale = options.timeScale ?? Number(process.env.LOCALCLOUD_TIME_SCALE ?? 1);
  if (!(timeScale > 0)) throw new Error(`localcloud: timeScale must be > 0, got ${timeScale}`);
  const requestLog = new RequestLog();
  const faults = new FaultInjector();
  const credentials = new Map<string, Credentials>([
    [TEST_CREDENTIALS.accessKeyId, TEST_CREDENTIALS],
  ]);
  const services = new Map<string, LocalcloudService>();
  let apiEndpoint = "";

  const contextFor = (name: string): ServiceContext => {
    const stateDir = join(options.stateDir, name);
    mkdirSync(stateDir, { recursive: true });
    return {
      stateDir,
      accountId: LOCAL_ACCOUNT_ID,
      region,
      host,
      requestLog,
      faults,
      credentials,
      timeScale,
      taskNetwork: options.taskNetwork ?? { bridge: "lcbr0", subnet: "198.18.0.0/16" },
      apiEndpoint: () => apiEndpoint,
      service: <T extends LocalcloudService>(other: string) => {
        const found = services.get(other);
        if (!found) throw new Error(`localcloud: service "${other}" is not running`);
        return found as T;
      },
    };
  };

  for (const factory of options.services ?? serviceFactories) {
    services.set(factory.name, factory.create(contextFor(factory.name)));
  }

  const api = new ApiServer(contextFor("api"), [...services.values()]);
  apiEndpoint = await api.listen(host, options.port ?? 0);
  const started: LocalcloudService[] = [];
  try {
    for (const service of services.values()) {
      await service.start?.();
      started.push(service);
    }
  } catch (error) {
    for (const service of started.reverse()) await service.stop?.();
    await api.close();
    throw error;
  }

  const endpoints: Record<string, string> = { api: apiEndpoint };
  for (const service of services.values()) Object.assign(endpoints, service.endpoints?.() ?? {});

  return {
    endpoint: apiEndpoint,
    endpoints,
    region,
    accountId: LOCAL_ACCOUNT_ID,
    credentials: TEST_CREDENTIALS,
    requestLog,
    faults,
    env: () => ({
      AWS_ENDPOINT_URL: apiEndpoint,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      // The KeyValueStore SDK prefixes its endpoint's host with the account id, which an IP
      // address cannot take: it gets a name (`localhost`; see keyValueStoreClientConfig).
      ...(services.has("cloudfront-keyvaluestore")
        ? { AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE: keyValueStoreEndpoint(apiEndpoint) }
        : {}),
    }),
    service: <T extends LocalcloudService>(name: string) => {
      const found = services.get(name);
      if (!found) throw new Error(`localcloud: service "${name}" is not running`);
      return found as T;
    },
    async stop() {
      await api.close();
      for (const service of [...started].reverse()) await service.stop?.();
    },
  };
};
