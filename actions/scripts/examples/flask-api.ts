// The flask-api example (examples/flask-api) on a running localcloud: what the example's README
// asks a team to create once in its account, created through the AWS API, and the example's own
// shipline.yml pointed at it. The demo (`npm run demo -- --example flask-api`) and the example's
// tests use it.
import { readFile, writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { parse, stringify } from "yaml";
import { loadEcsStackHelper } from "../demo/ecs-stack";

export const EXAMPLE_DIR = fileURLToPath(new URL("../../../examples/flask-api", import.meta.url));

/** The names the example's shipline.yml and task definition files use. */
export const FLASK_API = {
  cluster: "shop",
  apiService: "flask-api",
  workerService: "flask-worker",
  bucket: "shop-releases",
  repository: "shop/flask-api",
  baseRepository: "base/python-flask",
  logGroup: "/ecs/shop",
  /** The SSM parameter ecs/api.json and ecs/worker.json inject as API_TOKEN. */
  tokenParameter: "flask-api-token",
  port: 8000,
  healthPath: "/health",
} as const;

export interface CloudEndpoint {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface FlaskApiStack {
  /** The base image by digest in the cloud's ECR: the Dockerfile's BASE_IMAGE. */
  baseImage: string;
  /** The load balancer's listener, which forwards to the API's target group. */
  url: string;
  targetGroupArn: string;
  clients: { ecs: ECSClient; elb: ElasticLoadBalancingV2Client; ecr: ECRClient };
}

export interface FlaskApiStackOptions {
  /** Where base image layouts are cached between runs. */
  baseImageCache: string;
  /** The value of the SSM parameter (a SecureString) the tasks get as API_TOKEN. */
  token: string;
  /** In the cloud's seconds. */
  healthCheck?: { intervalSeconds: number; timeoutSeconds: number };
  deregistrationDelaySeconds?: number;
  gracePeriodSeconds?: number;
}

async function load<T>(path: string): Promise<T> {
  return (await import(/* @vite-ignore */ fileURLToPath(new URL(path, import.meta.url)))) as T;
}

/**
 * A placeholder for the first revision, as an infrastructure tool creates a service before any
 * release: the base image answering 200 on every path, so the service starts steady.
 */
const PLACEHOLDER = [
  "python3",
  "-c",
  "import http.server as h\nclass O(h.BaseHTTPRequestHandler):\n    def do_GET(self):\n        self.send_response(200); self.end_headers(); self.wfile.write(b'placeholder')\nh.ThreadingHTTPServer(('0.0.0.0', 8000), O).serve_forever()",
];

/**
 * The example's account: ECR repositories (the base image pushed), the SSM parameter, the release
 * bucket, a load balancer whose target group checks GET /health on port 8000, the cluster and the
 * API's service on a placeholder revision.
 */
export async function createFlaskApiStack(
  cloud: CloudEndpoint,
  options: FlaskApiStackOptions,
): Promise<FlaskApiStack> {
  const config = { endpoint: cloud.endpoint, region: cloud.region, credentials: cloud.credentials };
  const clients = {
    ecs: new ECSClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    ecr: new ECRClient(config),
    logs: new CloudWatchLogsClient(config),
  };
  const helper = await loadEcsStackHelper();
  const images = await load<{
    buildBaseImage(kind: string, cacheDir: string): Promise<{ reference: string; tag: string }>;
  }>("../../../localcloud/src/images/base-image.ts");
  const push = await load<{
    pushLayout(source: string, target: Record<string, string>): Promise<{ digest: string }>;
  }>("../../../localcloud/src/images/push.ts");

  for (const name of [FLASK_API.baseRepository, FLASK_API.repository]) {
    await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  }
  const base = await images.buildBaseImage("python-flask", options.baseImageCache);
  const login = await helper.ecrLogin(clients.ecr);
  const { digest } = await push.pushLayout(base.reference, {
    ...login,
    repository: FLASK_API.baseRepository,
    tag: base.tag,
  });
  const baseImage = `${login.registry}/${FLASK_API.baseRepository}@${digest}`;

  await new SSMClient(config).send(
    new PutParameterCommand({
      Name: FLASK_API.tokenParameter,
      Type: "SecureString",
      Value: options.token,
    }),
  );
  await new S3Client({ ...config, forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: FLASK_API.bucket }),
  );
  const front = await helper.createServiceFront(clients, {
    loadBalancer: "shop",
    targetGroup: "flask-api",
    port: FLASK_API.port,
    healthCheckPath: FLASK_API.healthPath,
    healthCheck: options.healthCheck ?? { intervalSeconds: 10, timeoutSeconds: 5 },
    deregistrationDelaySeconds: options.deregistrationDelaySeconds ?? 10,
    cluster: FLASK_API.cluster,
    logGroup: FLASK_API.logGroup,
  });
  const placeholder = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "flask-api",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "api",
          image: baseImage,
          essential: true,
          command: PLACEHOLDER,
          portMappings: [{ containerPort: FLASK_API.port, protocol: "tcp" }],
          stopTimeout: 2,
        },
      ],
    }),
  );
  await helper.createFargateService(clients.ecs, {
    cluster: FLASK_API.cluster,
    service: FLASK_API.apiService,
    taskDefinition: placeholder.taskDefinition?.taskDefinitionArn ?? "",
    desiredCount: 1,
    targetGroupArn: front.targetGroupArn,
    container: "api",
    port: FLASK_API.port,
    gracePeriodSeconds: options.gracePeriodSeconds ?? 30,
  });
  return { baseImage, url: front.url, targetGroupArn: front.targetGroupArn, clients };
}

/** The worker's service, on a placeholder revision that sleeps: no port, no load balancer. */
export async function createWorkerService(stack: FlaskApiStack): Promise<void> {
  const helper = await loadEcsStackHelper();
  const placeholder = await stack.clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "flask-worker",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "worker",
          image: stack.baseImage,
          essential: true,
          command: ["python3", "-c", "import time\nwhile True: time.sleep(1)"],
          stopTimeout: 2,
        },
      ],
    }),
  );
  await helper.createFargateService(stack.clients.ecs, {
    cluster: FLASK_API.cluster,
    service: FLASK_API.workerService,
    taskDefinition: placeholder.taskDefinition?.taskDefinitionArn ?? "",
    desiredCount: 1,
  });
}

type Raw = Record<string, unknown>;

/**
 * One of the example's configuration files (shipline.yml, shipline.with-worker.yml) as this
 * cloud needs it, written to `target`: paths made absolute (shipline reads them relative to the
 * working directory, the example's folder in its own repository), the base image this cloud's,
 * and optionally another gate. Everything else is the file as committed.
 */
export async function writeExampleConfig(
  target: string,
  stack: Pick<FlaskApiStack, "baseImage">,
  options: { file?: string; region?: string; gate?: Raw } = {},
): Promise<string> {
  const source = join(EXAMPLE_DIR, options.file ?? "shipline.yml");
  const config = parse(await readFile(source, "utf8")) as Raw & {
    environments: Record<string, Raw>;
  };
  const absolute = (path: unknown) =>
    typeof path === "string" && !isAbsolute(path) ? join(EXAMPLE_DIR, path) : path;
  if (options.region) config.region = options.region;
  for (const environment of Object.values(config.environments)) {
    if (environment["task-definition"]) {
      environment["task-definition"] = absolute(environment["task-definition"]);
    }
    for (const service of Object.values((environment.services ?? {}) as Record<string, Raw>)) {
      if (service["task-definition"]) {
        service["task-definition"] = absolute(service["task-definition"]);
      }
    }
    for (const container of Object.values((environment.containers ?? {}) as Record<string, Raw>)) {
      container.context = absolute(container.context);
      container["build-args"] = {
        ...(container["build-args"] as Raw | undefined),
        BASE_IMAGE: stack.baseImage,
      };
    }
    if (typeof environment.web === "string") environment.web = absolute(environment.web);
    if (options.gate) environment.gate = { ...(environment.gate as Raw), ...options.gate };
  }
  await writeFile(target, stringify(config));
  return target;
}
