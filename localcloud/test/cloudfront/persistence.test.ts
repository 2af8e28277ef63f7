import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFrontClient,
  CreateDistributionCommand,
  CreateInvalidationCommand,
  GetDistributionCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from "@aws-sdk/client-cloudfront";
import { afterAll, expect, it } from "vitest";
import { clientConfig } from "../helpers/cloud";
import { type EdgeCloud, eventually, s3Writer, spaConfig, startEdgeCloud } from "./support";

const stateDir = mkdtempSync(join(tmpdir(), "localcloud-cloudfront-"));
const clouds: EdgeCloud[] = [];
afterAll(async () => {
  for (const cloud of clouds) await cloud.dispose();
  rmSync(stateDir, { recursive: true, force: true });
});

it("keeps distributions, invalidations and edge ports across a stop and start", async () => {
  // A long delay: the invalidation is still in progress when the cloud stops.
  const first = await startEdgeCloud({ invalidationDelayMs: 1500 }, stateDir);
  clouds.push(first);
  await s3Writer(first, "kept").createBucket();
  await s3Writer(first, "kept").put("index.html", "<p>kept</p>", "no-cache");
  const before = new CloudFrontClient(clientConfig(first));
  const created = await before.send(
    new CreateDistributionCommand({ DistributionConfig: spaConfig("persist-1", "kept") }),
  );
  const id = created.Distribution?.Id ?? "";
  const invalidation = await before.send(
    new CreateInvalidationCommand({
      DistributionId: id,
      InvalidationBatch: { CallerReference: "persist", Paths: { Quantity: 1, Items: ["/*"] } },
    }),
  );
  await first.stop();

  const second = await startEdgeCloud({}, stateDir);
  clouds.push(second);
  const after = new CloudFrontClient(clientConfig(second));
  const got = await after.send(new GetDistributionCommand({ Id: id }));
  expect(got.ETag).toBe(created.ETag);
  expect(got.Distribution?.DomainName).toBe(created.Distribution?.DomainName);
  expect(got.Distribution?.DistributionConfig?.CallerReference).toBe("persist-1");
  const edge = await fetch(`http://${got.Distribution?.DomainName}/`);
  expect(await edge.text()).toBe("<p>kept</p>");

  const listed = await after.send(new ListInvalidationsCommand({ DistributionId: id }));
  expect(listed.InvalidationList?.Items?.map((i) => i.Id)).toEqual([invalidation.Invalidation?.Id]);
  await eventually(async () => {
    const status = await after.send(
      new GetInvalidationCommand({ DistributionId: id, Id: invalidation.Invalidation?.Id }),
    );
    return status.Invalidation?.Status === "Completed";
  });
});
