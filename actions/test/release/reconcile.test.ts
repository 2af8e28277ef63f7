import { describe, expect, it } from "vitest";
import type { LivePointer } from "../../src/ledger/releases";
import { type LedgerState, type Reality, reconcile } from "../../src/release/reconcile";
import { RELEASE_FORMAT, type ReleaseRecord } from "../../src/release/record";

/** The reconcile decision as a table: ledger state × what the service and the site serve. */

const td = (n: number) => `arn:aws:ecs:us-east-1:0:task-definition/web:${n}`;
const sha = (c: string) => c.repeat(64);

function record(
  id: string,
  status: ReleaseRecord["status"],
  n: number | undefined,
  extra: Partial<ReleaseRecord> = {},
): ReleaseRecord {
  return {
    format: RELEASE_FORMAT,
    id,
    environment: "production",
    commit: "c0ffee",
    run: id,
    trigger: "push",
    actor: "tester",
    createdAt: `2026-01-0${id.slice(1)}T00:00:00.000Z`,
    status,
    images: {},
    steps: [],
    ...(n === undefined ? {} : { taskDefinitionArn: td(n) }),
    ...extra,
  };
}

const pointer = (releaseId: string, previous: string[] = []): LivePointer => ({
  format: "shipline.live/1",
  environment: "production",
  releaseId,
  since: "2026-01-01T00:00:00.000Z",
  previous,
});

/** A live, B the release after it; each has its own index.html. */
const A = record("A1", "live", 1);
const entryPoints = { A1: { "index.html": sha("a") }, B2: { "index.html": sha("b") } };
const state = (records: ReleaseRecord[], extra: Partial<LedgerState> = {}): LedgerState => ({
  live: pointer("A1"),
  records,
  entryPoints,
  ...extra,
});
const reality = (n: number | undefined, index: string | null, rollout = "COMPLETED"): Reality => ({
  service: { ...(n ? { primaryTaskDefinitionArn: td(n) } : {}), rolloutState: rollout },
  served: { "index.html": index },
});

interface Case {
  name: string;
  state: LedgerState;
  reality: Reality;
  settle: { id: string; status: string }[];
  liveId: string | undefined;
  moveLive: boolean;
  consistent: boolean;
}

const cases: Case[] = [
  {
    name: "ledger and reality agree",
    state: state([record("B2", "live", 2), A], { live: pointer("B2", ["A1"]) }),
    reality: reality(2, sha("b")),
    settle: [],
    liveId: "B2",
    moveLive: false,
    consistent: true,
  },
  {
    name: "killed after B's index.html went up: B is live, the pointer moves",
    state: state([record("B2", "deploying", 2), A]),
    reality: reality(2, sha("b")),
    settle: [{ id: "B2", status: "live" }],
    liveId: "B2",
    moveLive: true,
    consistent: true,
  },
  {
    name: "killed before the service changed: B never went out",
    state: state([record("B2", "deploying", undefined), A]),
    reality: reality(1, sha("a")),
    settle: [{ id: "B2", status: "failed" }],
    liveId: "A1",
    moveLive: false,
    consistent: true,
  },
  {
    name: "killed during the gate: API of B, SPA of A (mixed), B failed",
    state: state([record("B2", "deploying", 2), A]),
    reality: reality(2, sha("a"), "IN_PROGRESS"),
    settle: [{ id: "B2", status: "failed" }],
    liveId: "A1",
    moveLive: false,
    consistent: false,
  },
  {
    name: "B's entry points served but the service back on A (mixed), B failed",
    state: state([record("B2", "deploying", 2), A]),
    reality: reality(1, sha("b")),
    settle: [{ id: "B2", status: "failed" }],
    liveId: "A1",
    moveLive: false,
    consistent: false,
  },
  {
    name: "B's rollout FAILED on ECS although its pages are up: not live",
    state: state([record("B2", "deploying", 2), A]),
    reality: reality(2, sha("b"), "FAILED"),
    settle: [{ id: "B2", status: "failed" }],
    liveId: "A1",
    moveLive: false,
    consistent: false,
  },
  {
    name: "B's run still holds the lock: in progress, left alone",
    state: state([record("B2", "deploying", 2), A], { inProgress: "B2" }),
    reality: reality(2, sha("a"), "IN_PROGRESS"),
    settle: [],
    liveId: "A1",
    moveLive: false,
    consistent: false,
  },
  {
    name: "a rollback to A killed after it restored both: the rollback is live",
    state: state(
      [
        record("R3", "deploying", 1, {
          trigger: "rollback",
          restores: "A1",
          web: { releaseId: "A1", manifestKey: "k" },
        }),
        record("B2", "live", 2),
        A,
      ],
      { live: pointer("B2", ["A1"]) },
    ),
    reality: reality(1, sha("a")),
    settle: [{ id: "R3", status: "live" }],
    liveId: "R3",
    moveLive: true,
    consistent: true,
  },
  {
    name: "a left-behind release older than the live one never takes the pointer back",
    state: state([record("C3", "live", 1), record("B2", "deploying", 1), A], {
      live: pointer("C3", ["A1"]),
      entryPoints: {
        ...entryPoints,
        C3: { "index.html": sha("a") },
        B2: { "index.html": sha("a") },
      },
    }),
    reality: reality(1, sha("a")),
    settle: [{ id: "B2", status: "live" }],
    liveId: "C3",
    moveLive: false,
    consistent: true,
  },
  {
    name: "the live release's pages are gone from the bucket: inconsistent",
    state: state([A]),
    reality: reality(1, null),
    settle: [],
    liveId: "A1",
    moveLive: false,
    consistent: false,
  },
  {
    name: "nothing went live yet",
    state: { live: undefined, records: [], entryPoints: {} },
    reality: reality(1, null),
    settle: [],
    liveId: undefined,
    moveLive: false,
    consistent: true,
  },
];

describe("reconcile", () => {
  it.each(cases)("$name", (c) => {
    const result = reconcile(c.state, c.reality);
    expect(result.settle.map(({ id, status }) => ({ id, status }))).toEqual(c.settle);
    expect(result.liveId).toBe(c.liveId);
    expect(result.moveLive).toBe(c.moveLive);
    expect(result.consistent).toBe(c.consistent);
  });

  it("names who serves what when the API and the SPA are of different releases", () => {
    const result = reconcile(state([record("B2", "deploying", 2), A]), reality(2, sha("a")));
    expect(result.apiRelease).toBe("B2");
    expect(result.spaRelease).toBe("A1");
    expect(result.summary).toContain(`the API runs ${td(2)} (COMPLETED) of release B2`);
    expect(result.summary).toContain("the site serves the entry points of release A1");
    expect(result.releases.map((row) => [row.id, row.api, row.spa, row.settledAs])).toEqual([
      ["B2", true, "no", "failed"],
      ["A1", false, "yes", undefined],
    ]);
  });
});

describe("reconcile with several services", () => {
  const wk = (n: number) => `arn:aws:ecs:us-east-1:0:task-definition/worker:${n}`;
  const facts = (api: number, worker: number) => ({
    services: {
      api: { cluster: "c", service: "web", taskDefinitionArn: td(api) },
      worker: { cluster: "c", service: "worker", taskDefinitionArn: wk(worker) },
    },
  });
  const several = (api: number, worker: number): Reality => ({
    service: { primaryTaskDefinitionArn: td(api), rolloutState: "COMPLETED" },
    services: {
      api: { primaryTaskDefinitionArn: td(api), rolloutState: "COMPLETED" },
      worker: { primaryTaskDefinitionArn: wk(worker), rolloutState: "COMPLETED" },
    },
    served: { "index.html": sha("a") },
  });
  const live = record("A1", "live", 1, facts(1, 1));

  it("is one release only when every service runs the release's revision", () => {
    const served = reconcile(state([live]), several(1, 1));
    expect(served.consistent).toBe(true);
    expect(served.summary).toMatch(/every service \(api, worker\) runs its task definition/);
    expect(served.releases[0]?.services).toEqual({
      api: { taskDefinitionArn: td(1), primary: true },
      worker: { taskDefinitionArn: wk(1), primary: true },
    });
    // The API is the release's, the worker is not: not one release, and the summary says who runs what.
    const drifted = reconcile(state([live]), several(1, 2));
    expect(drifted.consistent).toBe(false);
    expect(drifted.summary).toMatch(/api on .*web:1, worker on .*worker:2/);
    expect(drifted.releases[0]?.services?.worker).toEqual({
      taskDefinitionArn: wk(1),
      primary: false,
    });
  });

  it("settles a dead run's record live only when every service runs its revision", () => {
    const dead = record("B2", "deploying", 2, facts(2, 2));
    const both = { ...several(2, 2), served: { "index.html": sha("b") } };
    expect(reconcile(state([dead, live]), both).settle).toEqual([
      expect.objectContaining({ id: "B2", status: "live" }),
    ]);
    const half = { ...several(2, 1), served: { "index.html": sha("b") } };
    expect(reconcile(state([dead, live]), half).settle).toEqual([
      expect.objectContaining({ id: "B2", status: "failed" }),
    ]);
  });
});
