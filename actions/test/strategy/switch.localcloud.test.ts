import {
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/lib/errors";
import { TerminalLogger } from "../../src/lib/logger";
import { run } from "../../src/lib/run";
import { type DeployServiceResult, deployService } from "../../src/service/deploy-service";
import { parseDeployServiceInputs } from "../../src/service/inputs";
import { reportDeployService } from "../../src/service/report";
import { type ServiceStack, startServiceStack, waitFor } from "../service/cloud";
import { apiProbe, createTrafficPair } from "./traffic-pair";

/**
 * Switching a service between ECS's traffic-shifting strategies and rolling, on localcloud. After
 * a canary the alternate target group may be the one serving production; a rolling release that
 * follows must keep serving from it (ECS keeps the load balancer configuration and rolls where the
 * active revision serves), and a canary after that must shift from it again.
 */
let stack: ServiceStack;
let alternate = "";
let rule = "";
let release = 1;
const ROLE = "arn:aws:iam::000000000000:role/ecsInfrastructureRoleForLoadBalancers";

beforeAll(async () => {
  stack = await startServiceStack();
  ({ alternate, rule } = await createTrafficPair(stack));
  await stack.createService({ RELEASE_ID: "r1" }, { desiredCount: 2 });
  await waitFor(
    "the first release to serve",
    async () => {
      const service = await stack.describe();
      return service.deployments?.length === 1 &&
        service.deployments[0]?.rolloutState === "COMPLETED"
        ? true
        : undefined;
    },
    120_000,
  );
}, 300_000);

afterAll(async () => {
  await stack?.dispose();
});

const probe = () => apiProbe(stack.lbUrl);

async function deploy(raw: Record<string, string>) {
  const lines: string[] = [];
  const stream = {
    write: (chunk: string) => {
      for (const line of chunk.split("\n").filter(Boolean)) lines.push(line);
    },
  } as unknown as NodeJS.WritableStream;
  const logger = new TerminalLogger({ out: stream, err: stream });
  let result: DeployServiceResult | undefined;
  release += 1;
  const started = Date.now();
  const code = await run(async () => {
    result = await deployService(
      parseDeployServiceInputs({
        cluster: stack.cluster,
        service: stack.service,
        "gate-interval": "250ms",
        "gate-timeout": "3m",
        "alternate-target-group": alternate,
        "production-listener-rule": rule,
        "load-balancer-role": ROLE,
        "bake-time": "1m",
        analysis: "interval=1s\nmin-requests=5",
        ...raw,
        environment: `api:RELEASE_ID=r${release}`,
      }),
      { clients: stack.clients, logger },
    );
    await reportDeployService(result, logger);
  }, logger);
  process.exitCode = undefined;
  if (process.env.SHOW_DEPLOY_LOG) console.log(lines.join("\n"));
  return { code, result, text: lines.join("\n"), seconds: (Date.now() - started) / 1000 };
}

/** The target group the production rule sends all its traffic to. */
async function servingGroup(): Promise<string | undefined> {
  const rules = await stack.clients.elb.send(new DescribeRulesCommand({ RuleArns: [rule] }));
  const groups = rules.Rules?.[0]?.Actions?.[0]?.ForwardConfig?.TargetGroups ?? [];
  return groups.find((g) => g.Weight && g.Weight > 0)?.TargetGroupArn;
}

async function healthyIn(group: string): Promise<number> {
  const health = await stack.clients.elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: group }),
  );
  return (health.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === "healthy")
    .length;
}

describe("switching strategies on localcloud", () => {
  it("canary, then rolling on the group the canary left serving (no failed request), then canary again", async () => {
    const first = await deploy({ strategy: "canary 10% 1m" });
    expect(first.code, first.text).toBe(ExitCode.Success);
    // The canary moved production to the alternate target group.
    expect(await servingGroup()).toBe(alternate);

    const traffic = probe();
    const rolling = await deploy({ strategy: "rolling" });
    const seen = await traffic.stop();
    expect(rolling.code, rolling.text).toBe(ExitCode.Success);
    expect(seen.total).toBeGreaterThan(100);
    expect(seen.failed, seen.errors.join("; ")).toBe(0);
    // The rolling tasks serve from the group production forwards to; ECS kept the pair.
    expect(await servingGroup()).toBe(alternate);
    expect(await healthyIn(alternate)).toBe(2);
    const service = await stack.describe();
    expect(service.deploymentConfiguration?.strategy).toBe("ROLLING");
    expect(
      service.loadBalancers?.[0]?.advancedConfiguration?.alternateTargetGroupArn,
    ).toBeDefined();
    console.log(`rolling after canary: ${rolling.seconds.toFixed(1)} s, ${seen.total} requests`);

    // A second rolling release: the service is ROLLING now, its tasks still in the alternate.
    const traffic2 = probe();
    const rollingAgain = await deploy({ strategy: "rolling" });
    const seen2 = await traffic2.stop();
    expect(rollingAgain.code, rollingAgain.text).toBe(ExitCode.Success);
    expect(rollingAgain.text).toMatch(/gate: passed/);
    expect(seen2.failed, seen2.errors.join("; ")).toBe(0);
    expect(await healthyIn(alternate)).toBe(2);

    const again = await deploy({ strategy: "canary 10% 1m" });
    expect(again.code, again.text).toBe(ExitCode.Success);
    expect(await servingGroup()).toBe(stack.targetGroupArn);
  }, 420_000);
});
