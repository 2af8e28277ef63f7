import { randomBytes } from "node:crypto";
import type { AwsRequest, AwsResponse } from "../../server/aws-request";
import { AwsError } from "../../server/errors";
import { decodeQueryForm, formParams, listOf, xmlResponse } from "../../server/protocols";
import type { JsonFile } from "../../state/json-file";
import type { ServiceContext } from "../service";
import {
  type Action,
  type Listener,
  type LoadBalancer,
  type Rule,
  type RuleCondition,
  TARGET_GROUP_DEFAULTS,
  type Target,
  type TargetGroup,
} from "./model";
import type { HealthMonitor } from "./monitor";
import type { Elbv2State } from "./store";

export const ELBV2_XMLNS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

type Form = Record<string, unknown>;

/** The effects an API call may have beyond the stored state. */
export interface Elbv2Effects {
  monitor: HealthMonitor;
  /** Opens (or closes) the listener's proxy after a listener change. */
  listenersChanged(): Promise<void>;
  /** A fresh loopback address for a new load balancer. */
  allocateAddress(): string;
}

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number | undefined =>
  typeof value === "string" && value !== "" ? Number(value) : undefined;
const strings = (value: unknown): string[] =>
  listOf(value).filter((v) => typeof v === "string") as string[];

const id = () => randomBytes(8).toString("hex");

/** ELBv2 API operations over the stored state (Query protocol in, XML out). */
export class Elbv2Api {
  constructor(
    private readonly context: ServiceContext,
    private readonly state: JsonFile<Elbv2State>,
    private readonly effects: Elbv2Effects,
  ) {}

  private arn(kind: string, name: string): string {
    return `arn:aws:elasticloadbalancing:${this.context.region}:${this.context.accountId}:${kind}/${name}/${id()}`;
  }

  async handle(request: AwsRequest, operation: string): Promise<AwsResponse> {
    const form = decodeQueryForm(formParams(request));
    const handler = (this as unknown as Record<string, (f: Form) => Promise<unknown> | unknown>)[
      `op${operation}`
    ];
    if (typeof handler !== "function") {
      throw new AwsError(
        "InvalidAction",
        `The action ${operation} is not valid for this web service.`,
      );
    }
    const result = await handler.call(this, form);
    return xmlResponse({
      [`${operation}Response`]: {
        "@_xmlns": ELBV2_XMLNS,
        [`${operation}Result`]: result ?? "",
        ResponseMetadata: { RequestId: request.requestId },
      },
    });
  }

  // ── load balancers ────────────────────────────────────────────────────────────────────────────

  opCreateLoadBalancer(form: Form) {
    const name = str(form.Name);
    if (!name || !/^[a-zA-Z0-9-]{1,32}$/.test(name) || name.startsWith("internal-")) {
      throw new AwsError("ValidationError", `Load balancer name '${name ?? ""}' is not valid`);
    }
    const type = str(form.Type) ?? "application";
    if (type !== "application") {
      throw new AwsError(
        "ValidationError",
        `localcloud supports application load balancers, not '${type}'`,
      );
    }
    const existing = this.state.data.loadBalancers.find((lb) => lb.LoadBalancerName === name);
    if (existing) return { LoadBalancers: { member: [this.describeLb(existing)] } };
    const lb: LoadBalancer = {
      LoadBalancerArn: this.arn("loadbalancer/app", name),
      LoadBalancerName: name,
      DNSName: this.effects.allocateAddress(),
      Scheme: str(form.Scheme) === "internal" ? "internal" : "internet-facing",
      Type: "application",
      IpAddressType: str(form.IpAddressType) ?? "ipv4",
      VpcId: "vpc-localcloud",
      SecurityGroups: strings(form.SecurityGroups),
      Subnets: strings(form.Subnets),
      CreatedTime: new Date().toISOString(),
    };
    this.state.update((s) => {
      s.loadBalancers.push(lb);
      this.putTags(s, lb.LoadBalancerArn, form.Tags);
    });
    return { LoadBalancers: { member: [this.describeLb(lb)] } };
  }

  opDescribeLoadBalancers(form: Form) {
    const arns = strings(form.LoadBalancerArns);
    const names = strings(form.Names);
    const all = this.state.data.loadBalancers;
    const found = all.filter(
      (lb) =>
        (arns.length === 0 || arns.includes(lb.LoadBalancerArn)) &&
        (names.length === 0 || names.includes(lb.LoadBalancerName)),
    );
    const missing = [
      ...arns.filter((a) => !all.some((lb) => lb.LoadBalancerArn === a)),
      ...names.filter((n) => !all.some((lb) => lb.LoadBalancerName === n)),
    ];
    if (missing.length > 0) {
      throw new AwsError(
        "LoadBalancerNotFound",
        `Load balancers '[${missing.join(", ")}]' not found`,
      );
    }
    return { LoadBalancers: { member: found.map((lb) => this.describeLb(lb)) } };
  }

  async opDeleteLoadBalancer(form: Form) {
    const arn = str(form.LoadBalancerArn);
    this.state.update((s) => {
      const listenerArns = s.listeners
        .filter((l) => l.LoadBalancerArn === arn)
        .map((l) => l.ListenerArn);
      s.rules = s.rules.filter((r) => !listenerArns.includes(r.ListenerArn));
      s.listeners = s.listeners.filter((l) => l.LoadBalancerArn !== arn);
      s.loadBalancers = s.loadBalancers.filter((lb) => lb.LoadBalancerArn !== arn);
    });
    await this.effects.listenersChanged();
    return {};
  }

  private describeLb(lb: LoadBalancer) {
    return {
      ...lb,
      CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
      State: { Code: "active" },
      AvailabilityZones: {
        member: lb.Subnets.map((subnet, i) => ({
          ZoneName: `${this.context.region}${"abc"[i % 3]}`,
          SubnetId: subnet,
        })),
      },
      SecurityGroups: { member: lb.SecurityGroups },
      Subnets: undefined,
    };
  }

  // ── target groups ─────────────────────────────────────────────────────────────────────────────

  opCreateTargetGroup(form: Form) {
    const name = str(form.Name);
    if (!name || !/^[a-zA-Z0-9-]{1,32}$/.test(name)) {
      throw new AwsError("ValidationError", `Target group name '${name ?? ""}' is not valid`);
    }
    const targetType = str(form.TargetType) ?? "instance";
    if (targetType !== "ip" && targetType !== "instance") {
      throw new AwsError(
        "ValidationError",
        `localcloud supports target type 'ip', not '${targetType}'`,
      );
    }
    const d = TARGET_GROUP_DEFAULTS;
    const tg: TargetGroup = {
      TargetGroupArn: this.arn("targetgroup", name),
      TargetGroupName: name,
      Protocol: "HTTP",
      Port: num(form.Port) ?? 80,
      VpcId: str(form.VpcId) ?? "vpc-localcloud",
      TargetType: targetType,
      HealthCheckProtocol: "HTTP",
      HealthCheckPath: str(form.HealthCheckPath) ?? d.HealthCheckPath,
      HealthCheckPort: str(form.HealthCheckPort) ?? d.HealthCheckPort,
      HealthCheckIntervalSeconds:
        num(form.HealthCheckIntervalSeconds) ?? d.HealthCheckIntervalSeconds,
      HealthCheckTimeoutSeconds: num(form.HealthCheckTimeoutSeconds) ?? d.HealthCheckTimeoutSeconds,
      HealthyThresholdCount: num(form.HealthyThresholdCount) ?? d.HealthyThresholdCount,
      UnhealthyThresholdCount: num(form.UnhealthyThresholdCount) ?? d.UnhealthyThresholdCount,
      HealthCheckEnabled: str(form.HealthCheckEnabled) !== "false",
      Matcher: {
        HttpCode: str((form.Matcher as Form | undefined)?.HttpCode) ?? d.Matcher.HttpCode,
      },
      Attributes: { ...d.Attributes },
    };
    validateHealthCheck(tg);
    const existing = this.state.data.targetGroups.find((g) => g.TargetGroupName === name);
    if (existing) {
      throw new AwsError(
        "DuplicateTargetGroupName",
        "A target group with the same name exists, but with different settings",
      );
    }
    this.state.update((s) => {
      s.targetGroups.push(tg);
      s.targets[tg.TargetGroupArn] = [];
      this.putTags(s, tg.TargetGroupArn, form.Tags);
    });
    return { TargetGroups: { member: [this.describeTg(tg)] } };
  }

  opDescribeTargetGroups(form: Form) {
    const arns = strings(form.TargetGroupArns);
    const names = strings(form.Names);
    const lbArn = str(form.LoadBalancerArn);
    const all = this.state.data.targetGroups;
    const missing = [
      ...arns.filter((a) => !all.some((g) => g.TargetGroupArn === a)),
      ...names.filter((n) => !all.some((g) => g.TargetGroupName === n)),
    ];
    if (missing.length > 0) {
      throw new AwsError(
        "TargetGroupNotFound",
        `Target groups '[${missing.join(", ")}]' not found`,
      );
    }
    const found = all.filter(
      (g) =>
        (arns.length === 0 || arns.includes(g.TargetGroupArn)) &&
        (names.length === 0 || names.includes(g.TargetGroupName)) &&
        (!lbArn || this.loadBalancersOf(g.TargetGroupArn).includes(lbArn)),
    );
    return { TargetGroups: { member: found.map((g) => this.describeTg(g)) } };
  }

  opModifyTargetGroup(form: Form) {
    const tg = this.targetGroup(str(form.TargetGroupArn));
    const next: TargetGroup = {
      ...tg,
      HealthCheckPath: str(form.HealthCheckPath) ?? tg.HealthCheckPath,
      HealthCheckPort: str(form.HealthCheckPort) ?? tg.HealthCheckPort,
      HealthCheckIntervalSeconds:
        num(form.HealthCheckIntervalSeconds) ?? tg.HealthCheckIntervalSeconds,
      HealthCheckTimeoutSeconds:
        num(form.HealthCheckTimeoutSeconds) ?? tg.HealthCheckTimeoutSeconds,
      HealthyThresholdCount: num(form.HealthyThresholdCount) ?? tg.HealthyThresholdCount,
      UnhealthyThresholdCount: num(form.UnhealthyThresholdCount) ?? tg.UnhealthyThresholdCount,
      HealthCheckEnabled:
        form.HealthCheckEnabled === undefined
          ? tg.HealthCheckEnabled
          : str(form.HealthCheckEnabled) !== "false",
      Matcher: {
        HttpCode: str((form.Matcher as Form | undefined)?.HttpCode) ?? tg.Matcher.HttpCode,
      },
    };
    validateHealthCheck(next);
    this.state.update((s) => {
      s.targetGroups = s.targetGroups.map((g) =>
        g.TargetGroupArn === tg.TargetGroupArn ? next : g,
      );
    });
    return { TargetGroups: { member: [this.describeTg(next)] } };
  }

  opDeleteTargetGroup(form: Form) {
    const arn = str(form.TargetGroupArn);
    if (arn && this.loadBalancersOf(arn).length > 0) {
      throw new AwsError(
        "ResourceInUse",
        `Target group '${arn}' is currently in use by a listener or a rule`,
      );
    }
    this.state.update((s) => {
      s.targetGroups = s.targetGroups.filter((g) => g.TargetGroupArn !== arn);
      if (arn) delete s.targets[arn];
    });
    if (arn) this.effects.monitor.forget(arn);
    return {};
  }

  opDescribeTargetGroupAttributes(form: Form) {
    const tg = this.targetGroup(str(form.TargetGroupArn));
    return {
      Attributes: { member: Object.entries(tg.Attributes).map(([Key, Value]) => ({ Key, Value })) },
    };
  }

  opModifyTargetGroupAttributes(form: Form) {
    const tg = this.targetGroup(str(form.TargetGroupArn));
    const changes = listOf(form.Attributes) as Array<{ Key?: string; Value?: string }>;
    this.state.update(() => {
      for (const { Key, Value } of changes)
        if (Key && Value !== undefined) tg.Attributes[Key] = Value;
    });
    return {
      Attributes: { member: Object.entries(tg.Attributes).map(([Key, Value]) => ({ Key, Value })) },
    };
  }

  private describeTg(tg: TargetGroup) {
    const { Attributes: _attributes, ...rest } = tg;
    return { ...rest, LoadBalancerArns: { member: this.loadBalancersOf(tg.TargetGroupArn) } };
  }

  // ── targets ───────────────────────────────────────────────────────────────────────────────────

  opRegisterTargets(form: Form) {
    const tg = this.targetGroup(str(form.TargetGroupArn));
    const targets = this.targetsOf(form, tg);
    this.state.update((s) => {
      const list = s.targets[tg.TargetGroupArn] ?? [];
      for (const target of targets) {
        if (!list.some((t) => t.Id === target.Id && t.Port === target.Port)) list.push(target);
      }
      s.targets[tg.TargetGroupArn] = list;
    });
    for (const target of targets) this.effects.monitor.register(tg.TargetGroupArn, target);
    return {};
  }

  opDeregisterTargets(form: Form) {
    const tg = this.targetGroup(str(form.TargetGroupArn));
    const targets = this.targetsOf(form, tg);
    const delay = Number(tg.Attributes["deregistration_delay.timeout_seconds"] ?? 300);
    for (const target of targets) this.effects.monitor.deregister(tg.TargetGroupArn, target, delay);
    return {};
  }

  opDescribeTargetHealth(form: Form) {
    const tg = this.targetGroup(str(form.TargetGroupArn));
    const asked = this.targetsOf(form, tg, true);
    const live = this.effects.monitor.describe(tg.TargetGroupArn);
    const port = (t: Target) => t.Port;
    const descriptions = (asked.length > 0 ? asked : live.map((l) => l.target)).map((target) => {
      const found = live.find((l) => l.target.Id === target.Id && port(l.target) === port(target));
      return {
        Target: { Id: target.Id, Port: target.Port, AvailabilityZone: `${this.context.region}a` },
        HealthCheckPort:
          tg.HealthCheckPort === "traffic-port" ? String(target.Port) : tg.HealthCheckPort,
        TargetHealth: found?.health ?? {
          State: "unused",
          Reason: "Target.NotRegistered",
          Description: "Target is not registered to the target group",
        },
      };
    });
    return { TargetHealthDescriptions: { member: descriptions } };
  }

  private targetsOf(form: Form, tg: TargetGroup, optional = false): Target[] {
    const targets = (listOf(form.Targets) as Array<{ Id?: string; Port?: string }>).map((t) => {
      if (!t.Id) throw new AwsError("ValidationError", "A target ID must be specified");
      if (tg.TargetType === "ip" && !/^\d{1,3}(\.\d{1,3}){3}$/.test(t.Id)) {
        throw new AwsError("InvalidTarget", `The IP address '${t.Id}' is not a valid IPv4 address`);
      }
      return { Id: t.Id, Port: t.Port ? Number(t.Port) : tg.Port };
    });
    if (targets.length === 0 && !optional) {
      throw new AwsError("ValidationError", "Targets must contain at least one target");
    }
    return targets;
  }

  // ── listeners and rules ───────────────────────────────────────────────────────────────────────

  async opCreateListener(form: Form) {
    const lbArn = str(form.LoadBalancerArn);
    const lb = this.state.data.loadBalancers.find((l) => l.LoadBalancerArn === lbArn);
    if (!lb) throw new AwsError("LoadBalancerNotFound", `Load balancer '${lbArn}' not found`);
    const port = num(form.Port);
    if (!port || port < 1 || port > 65535)
      throw new AwsError("ValidationError", "Port must be 1-65535");
    const protocol = str(form.Protocol) ?? "HTTP";
    if (protocol !== "HTTP") {
      throw new AwsError("ValidationError", `localcloud listeners speak HTTP, not '${protocol}'`);
    }
    if (
      this.state.data.listeners.some(
        (l) => l.LoadBalancerArn === lb.LoadBalancerArn && l.Port === port,
      )
    ) {
      throw new AwsError(
        "DuplicateListener",
        "A listener already exists on this port for this load balancer",
      );
    }
    const listener: Listener = {
      ListenerArn: this.arn(
        "listener/app",
        `${lb.LoadBalancerName}/${lb.LoadBalancerArn.split("/").pop()}`,
      ),
      LoadBalancerArn: lb.LoadBalancerArn,
      Port: port,
      Protocol: "HTTP",
      DefaultActions: this.actionsOf(form.DefaultActions),
    };
    this.state.update((s) => {
      s.listeners.push(listener);
      s.rules.push({
        RuleArn: this.arn("listener-rule/app", lb.LoadBalancerName),
        ListenerArn: listener.ListenerArn,
        Priority: "default",
        Conditions: [],
        Actions: listener.DefaultActions,
        IsDefault: true,
      });
    });
    await this.effects.listenersChanged();
    return { Listeners: { member: [this.describeListener(listener)] } };
  }

  opDescribeListeners(form: Form) {
    const lbArn = str(form.LoadBalancerArn);
    const arns = strings(form.ListenerArns);
    const found = this.state.data.listeners.filter(
      (l) =>
        (!lbArn || l.LoadBalancerArn === lbArn) &&
        (arns.length === 0 || arns.includes(l.ListenerArn)),
    );
    if (arns.length > 0 && found.length < arns.length)
      throw new AwsError("ListenerNotFound", "One or more listeners not found");
    return { Listeners: { member: found.map((l) => this.describeListener(l)) } };
  }

  async opModifyListener(form: Form) {
    const listener = this.listener(str(form.ListenerArn));
    this.state.update((s) => {
      if (form.DefaultActions) {
        listener.DefaultActions = this.actionsOf(form.DefaultActions);
        const rule = s.rules.find((r) => r.ListenerArn === listener.ListenerArn && r.IsDefault);
        if (rule) rule.Actions = listener.DefaultActions;
      }
    });
    return { Listeners: { member: [this.describeListener(listener)] } };
  }

  async opDeleteListener(form: Form) {
    const arn = str(form.ListenerArn);
    this.listener(arn);
    this.state.update((s) => {
      s.listeners = s.listeners.filter((l) => l.ListenerArn !== arn);
      s.rules = s.rules.filter((r) => r.ListenerArn !== arn);
    });
    await this.effects.listenersChanged();
    return {};
  }

  opCreateRule(form: Form) {
    const listener = this.listener(str(form.ListenerArn));
    const priority = num(form.Priority);
    if (!priority || priority < 1 || priority > 50000)
      throw new AwsError("ValidationError", "Priority must be 1-50000");
    if (
      this.state.data.rules.some(
        (r) => r.ListenerArn === listener.ListenerArn && r.Priority === String(priority),
      )
    ) {
      throw new AwsError("PriorityInUse", `Priority '${priority}' is currently in use`);
    }
    const rule: Rule = {
      RuleArn: this.arn("listener-rule/app", listener.ListenerArn.split("/").slice(-3).join("/")),
      ListenerArn: listener.ListenerArn,
      Priority: String(priority),
      Conditions: this.conditionsOf(form.Conditions),
      Actions: this.actionsOf(form.Actions),
      IsDefault: false,
    };
    this.state.update((s) => s.rules.push(rule));
    return { Rules: { member: [this.describeRule(rule)] } };
  }

  opDescribeRules(form: Form) {
    const listenerArn = str(form.ListenerArn);
    const arns = strings(form.RuleArns);
    const found = this.state.data.rules.filter(
      (r) =>
        (!listenerArn || r.ListenerArn === listenerArn) &&
        (arns.length === 0 || arns.includes(r.RuleArn)),
    );
    return { Rules: { member: found.map((r) => this.describeRule(r)) } };
  }

  opModifyRule(form: Form) {
    const arn = str(form.RuleArn);
    const rule = this.state.data.rules.find((r) => r.RuleArn === arn);
    if (!rule) throw new AwsError("RuleNotFound", `Rule '${arn}' not found`);
    this.state.update(() => {
      if (form.Conditions) rule.Conditions = this.conditionsOf(form.Conditions);
      if (form.Actions) rule.Actions = this.actionsOf(form.Actions);
    });
    return { Rules: { member: [this.describeRule(rule)] } };
  }

  opDeleteRule(form: Form) {
    const arn = str(form.RuleArn);
    const rule = this.state.data.rules.find((r) => r.RuleArn === arn);
    if (!rule) throw new AwsError("RuleNotFound", `Rule '${arn}' not found`);
    if (rule.IsDefault)
      throw new AwsError("OperationNotPermitted", "Default rule cannot be deleted");
    this.state.update((s) => {
      s.rules = s.rules.filter((r) => r.RuleArn !== arn);
    });
    return {};
  }

  private describeListener(listener: Listener) {
    return { ...listener, DefaultActions: { member: listener.DefaultActions.map(describeAction) } };
  }

  private describeRule(rule: Rule) {
    return {
      RuleArn: rule.RuleArn,
      Priority: rule.Priority,
      IsDefault: rule.IsDefault,
      Conditions: {
        member: rule.Conditions.map((c) => ({
          Field: c.Field,
          Values: { member: c.Values },
          ...(c.Field === "path-pattern"
            ? { PathPatternConfig: { Values: { member: c.Values } } }
            : { HostHeaderConfig: { Values: { member: c.Values } } }),
        })),
      },
      Actions: { member: rule.Actions.map(describeAction) },
    };
  }

  private actionsOf(value: unknown): Action[] {
    const actions = (listOf(value) as Form[]).map((a): Action => {
      const type = str(a.Type);
      if (type === "forward") {
        const groups = (listOf((a.ForwardConfig as Form | undefined)?.TargetGroups) as Form[]).map(
          (g) => ({
            TargetGroupArn: str(g.TargetGroupArn) ?? "",
            Weight: num(g.Weight) ?? 1,
          }),
        );
        const single = str(a.TargetGroupArn);
        for (const arn of [single, ...groups.map((g) => g.TargetGroupArn)]) {
          if (arn !== undefined) this.targetGroup(arn);
        }
        return {
          Type: "forward",
          ...(single ? { TargetGroupArn: single } : {}),
          ...(groups.length > 0 ? { ForwardConfig: { TargetGroups: groups } } : {}),
        };
      }
      if (type === "fixed-response") {
        const config = a.FixedResponseConfig as Form | undefined;
        return {
          Type: "fixed-response",
          FixedResponseConfig: {
            StatusCode: str(config?.StatusCode) ?? "200",
            ...(str(config?.ContentType)
              ? { ContentType: str(config?.ContentType) as string }
              : {}),
            ...(str(config?.MessageBody)
              ? { MessageBody: str(config?.MessageBody) as string }
              : {}),
          },
        };
      }
      throw new AwsError(
        "ValidationError",
        `localcloud supports forward and fixed-response actions, not '${type}'`,
      );
    });
    if (actions.length === 0)
      throw new AwsError("ValidationError", "At least one action must be specified");
    return actions;
  }

  private conditionsOf(value: unknown): RuleCondition[] {
    return (listOf(value) as Form[]).map((c) => {
      const field = str(c.Field);
      if (field !== "path-pattern" && field !== "host-header") {
        throw new AwsError(
          "ValidationError",
          `localcloud supports path-pattern and host-header conditions, not '${field}'`,
        );
      }
      const config = (field === "path-pattern" ? c.PathPatternConfig : c.HostHeaderConfig) as
        | Form
        | undefined;
      const values = [...strings(c.Values), ...strings(config?.Values)];
      if (field === "host-header") for (const value of values) checkHostPattern(value);
      return { Field: field, Values: values };
    });
  }

  // ── tags ──────────────────────────────────────────────────────────────────────────────────────

  opAddTags(form: Form) {
    this.state.update((s) => {
      for (const arn of strings(form.ResourceArns)) this.putTags(s, arn, form.Tags);
    });
    return {};
  }

  opDescribeTags(form: Form) {
    return {
      TagDescriptions: {
        member: strings(form.ResourceArns).map((arn) => ({
          ResourceArn: arn,
          Tags: { member: this.state.data.tags[arn] ?? [] },
        })),
      },
    };
  }

  private putTags(s: Elbv2State, arn: string, tags: unknown) {
    const current = s.tags[arn] ?? [];
    for (const tag of listOf(tags) as Array<{ Key?: string; Value?: string }>) {
      if (!tag.Key) continue;
      const rest = current.filter((t) => t.Key !== tag.Key);
      rest.push({ Key: tag.Key, Value: tag.Value ?? "" });
      current.splice(0, current.length, ...rest);
    }
    s.tags[arn] = current;
  }

  // ── lookups ───────────────────────────────────────────────────────────────────────────────────

  targetGroup(arn: string | undefined): TargetGroup {
    const tg = this.state.data.targetGroups.find((g) => g.TargetGroupArn === arn);
    if (!tg) throw new AwsError("TargetGroupNotFound", `Target groups '${arn ?? ""}' not found`);
    return tg;
  }

  private listener(arn: string | undefined): Listener {
    const listener = this.state.data.listeners.find((l) => l.ListenerArn === arn);
    if (!listener) throw new AwsError("ListenerNotFound", `Listener '${arn ?? ""}' not found`);
    return listener;
  }

  /** The load balancers whose listeners or rules forward to a target group. */
  loadBalancersOf(tgArn: string): string[] {
    const { rules, listeners } = this.state.data;
    const lbs = new Set<string>();
    for (const rule of rules) {
      const forwards = rule.Actions.some(
        (a) =>
          a.TargetGroupArn === tgArn ||
          a.ForwardConfig?.TargetGroups.some((g) => g.TargetGroupArn === tgArn),
      );
      const listener = listeners.find((l) => l.ListenerArn === rule.ListenerArn);
      if (forwards && listener) lbs.add(listener.LoadBalancerArn);
    }
    return [...lbs];
  }
}

const describeAction = (action: Action) => ({
  ...action,
  ...(action.ForwardConfig
    ? { ForwardConfig: { TargetGroups: { member: action.ForwardConfig.TargetGroups } } }
    : {}),
});

const validateHealthCheck = (tg: TargetGroup) => {
  const between = (value: number, low: number, high: number, name: string) => {
    if (!(value >= low && value <= high)) {
      throw new AwsError(
        "ValidationError",
        `${name} must be between ${low} and ${high}, got ${value}`,
      );
    }
  };
  between(tg.HealthCheckIntervalSeconds, 5, 300, "Health check interval");
  between(tg.HealthCheckTimeoutSeconds, 2, 120, "Health check timeout");
  between(tg.HealthyThresholdCount, 2, 10, "Healthy threshold count");
  between(tg.UnhealthyThresholdCount, 2, 10, "Unhealthy threshold count");
  if (tg.HealthCheckTimeoutSeconds >= tg.HealthCheckIntervalSeconds) {
    throw new AwsError("ValidationError", "Health check timeout must be smaller than the interval");
  }
  if (!tg.HealthCheckPath.startsWith("/")) {
    throw new AwsError("ValidationError", "Health check path must begin with a '/' character");
  }
};

/**
 * A host-header condition's value as ELBv2 documents it: at most 128 characters of letters,
 * digits, "-", "_", "." and the wildcards * and ?, with at least one "." and only letters (or
 * wildcards) after the last one.
 */
function checkHostPattern(value: string): void {
  const lastLabel = value.slice(value.lastIndexOf(".") + 1);
  if (
    value.length === 0 ||
    value.length > 128 ||
    !/^[A-Za-z0-9_.*?-]+$/.test(value) ||
    !value.includes(".") ||
    !/^[A-Za-z*?]+$/.test(lastLabel)
  ) {
    throw new AwsError(
      "ValidationError",
      `Condition value '${value}' is not a valid host name: up to 128 characters (a-z, A-Z, 0-9, -, _, . and the wildcards * and ?) with at least one '.' and only letters after the last one`,
    );
  }
}
