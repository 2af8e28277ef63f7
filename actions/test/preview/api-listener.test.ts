import {
  CreateRuleCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  PriorityInUseException,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { ensureHostRule } from "../../src/preview/api-listener";

const elb = mockClient(ElasticLoadBalancingV2Client);
const LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/web/1/2";
const GROUP = "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web-pr-7/3";
const TAGS = [{ Key: "shipline:preview", Value: "pr-7" }];

const hostRule = (priority: string, host: string, group: string): Rule => ({
  RuleArn: `${LISTENER}-rule-${priority}`,
  Priority: priority,
  IsDefault: false,
  Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: [host] } }],
  Actions: [{ Type: "forward", TargetGroupArn: group }],
});
const defaultRule: Rule = { RuleArn: `${LISTENER}-default`, Priority: "default", IsDefault: true };

beforeEach(() => elb.reset());

describe("a preview's host rule", () => {
  it("takes the lowest free priority, and the next one when another run took it first", async () => {
    const other = hostRule("1", "pr-3.preview.test", "other");
    elb
      .on(DescribeRulesCommand)
      .resolvesOnce({ Rules: [defaultRule, other] })
      // Between our read and our write, another preview took priority 2.
      .resolvesOnce({ Rules: [defaultRule, other, hostRule("2", "pr-8.preview.test", "eight")] });
    elb
      .on(CreateRuleCommand)
      .rejectsOnce(
        new PriorityInUseException({ message: "Priority '2' is currently in use", $metadata: {} }),
      )
      .resolves({ Rules: [{ RuleArn: "created" }] });
    const rule = await ensureHostRule(elb as never, LISTENER, "pr-7.preview.test", GROUP, TAGS);
    expect(rule).toEqual({ ruleArn: "created", priority: "3", created: true });
    expect(elb.commandCalls(CreateRuleCommand).map((call) => call.args[0].input.Priority)).toEqual([
      2, 3,
    ]);
    expect(elb.commandCalls(CreateRuleCommand)[1]?.args[0].input).toMatchObject({
      Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["pr-7.preview.test"] } }],
      Actions: [{ Type: "forward", TargetGroupArn: GROUP }],
      Tags: TAGS,
    });
  });

  it("reuses the rule an earlier run made for the host, pointing it at the group", async () => {
    elb.on(DescribeRulesCommand).resolves({
      Rules: [defaultRule, hostRule("4", "PR-7.preview.test", "an-old-group")],
    });
    const rule = await ensureHostRule(elb as never, LISTENER, "pr-7.preview.test", GROUP, TAGS);
    expect(rule).toEqual({ ruleArn: `${LISTENER}-rule-4`, priority: "4", created: false });
    expect(elb.commandCalls(CreateRuleCommand)).toHaveLength(0);
    expect(elb.commandCalls(ModifyRuleCommand)[0]?.args[0].input).toEqual({
      RuleArn: `${LISTENER}-rule-4`,
      Actions: [{ Type: "forward", TargetGroupArn: GROUP }],
    });
  });
});
