import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { CloudFrontKeyValueStoreClient } from "@aws-sdk/client-cloudfront-keyvaluestore";
import { describe, expect, it } from "vitest";
import { CancelledError } from "../../src/lib/cancel";
import { ManualClock } from "../../src/lib/clock";
import { commitAtomic } from "../../src/web/atomic-publish";
import { applyRouter, type RouterPlan } from "../../src/web/router-sync";
import { memoryLogger } from "./publish-helpers";

/** A client answering each command by its name; every command sent is noted. */
function fakeClient<T>(answers: Record<string, (sent: string[]) => object>): {
  client: T;
  sent: string[];
} {
  const sent: string[] = [];
  const client = {
    send: async (command: object) => {
      const name = command.constructor.name.replace(/Command$/, "");
      sent.push(name);
      const answer = answers[name];
      if (!answer) throw new Error(`unexpected ${name}`);
      return answer(sent);
    },
  };
  return { client: client as unknown as T, sent };
}

const plan = (changes: Partial<RouterPlan>): RouterPlan => ({
  name: "shipline-site",
  keyValueStoreArn: "arn:aws:cloudfront::123456789012:key-value-store/k",
  function: "keep",
  publish: false,
  associate: [],
  distributionIds: ["E1"],
  ...changes,
});

describe("web-mode atomic's commit, cancelled before its PutKey", () => {
  it("a SIGINT during the wait for the distributions ends the wait at once", async () => {
    const controller = new AbortController();
    const { client, sent } = fakeClient<CloudFrontClient>({
      PublishFunction: () => ({ FunctionSummary: {} }),
      GetDistribution: () => {
        controller.abort(new CancelledError("SIGINT"));
        return { Distribution: { Status: "InProgress" } };
      },
    });
    const clock = new ManualClock(0);
    const waiting = applyRouter(client, plan({ publish: true, etag: "E" }), {
      clock,
      logger: memoryLogger().logger,
      deadline: 15 * 60_000,
      pollMs: 1000,
      signal: controller.signal,
    });
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    expect(sent).toEqual(["PublishFunction", "GetDistribution"]);
  });

  it("a SIGINT once the router is in place stops before the guard is told and the pointer moves", async () => {
    const controller = new AbortController();
    const { client: cloudfront } = fakeClient<CloudFrontClient>({});
    const { client: store, sent } = fakeClient<CloudFrontKeyValueStoreClient>({
      PutKey: () => ({ ETag: "after" }),
    });
    let told = 0;
    const committing = commitAtomic(
      {
        state: { arn: plan({}).keyValueStoreArn, etag: "before", pointer: undefined },
        pointer: { release: "r2", assets: ["/assets/"] },
        router: plan({}),
        key: "shipline-live",
      },
      {
        cloudfront: () => cloudfront,
        keyValueStore: () => store,
        logger: memoryLogger().logger,
        clock: new ManualClock(0),
        signal: controller.signal,
        beforeEntryPoints: async () => {
          told += 1;
        },
      },
      60_000,
      async () => {
        controller.abort(new CancelledError("SIGINT"));
      },
    );
    await expect(committing).rejects.toBeInstanceOf(CancelledError);
    expect(sent).toEqual([]);
    expect(told).toBe(0);
  });
});
