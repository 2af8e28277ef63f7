import { describe, expect, it } from "vitest";
import { ATOMIC_CASES, ATOMIC_PARTS, CASES, nameOf, PARTS } from "./fault-matrix";

describe("the fault matrix's parts", () => {
  it("together are every case of the matrix, each once", () => {
    const parted = Object.values(PARTS).flat().map(nameOf);
    expect(parted.toSorted()).toEqual(CASES.map(nameOf).toSorted());
    expect(new Set(parted).size).toBe(CASES.length);
    expect(CASES.length).toBe(31);
  });

  it("the atomic part names each of its cases once, at web-mode atomic's own steps", () => {
    const names = ATOMIC_CASES.map(nameOf);
    expect(new Set(names).size).toBe(ATOMIC_CASES.length);
    expect(ATOMIC_CASES.length).toBe(21);
    for (const step of [
      "created",
      "associated",
      "web",
      "router",
      "router wait",
      "published",
      "resend listing",
      "disarmed",
      "commit",
    ]) {
      expect(
        names.some((name) => name.startsWith(`deploy ${step} ×`)),
        step,
      ).toBe(true);
    }
    for (const step of ["pointer", "commit"]) {
      expect(
        names.some((name) => name.startsWith(`rollback ${step} ×`)),
        step,
      ).toBe(true);
    }
  });

  it("the atomic parts together are every atomic case, each once", () => {
    const parted = Object.values(ATOMIC_PARTS).flat().map(nameOf);
    expect(parted.toSorted()).toEqual(ATOMIC_CASES.map(nameOf).toSorted());
    expect(new Set(parted).size).toBe(ATOMIC_CASES.length);
  });

  it("a site's first atomic deploy is killed after CreateFunction, and killed, cancelled and faulted at its association", () => {
    const first = ATOMIC_CASES.filter((c) => c.first).map(nameOf);
    expect(first.toSorted()).toEqual([
      "deploy associated × faults",
      "deploy associated × kill",
      "deploy associated × sigint",
      "deploy created × kill",
    ]);
  });

  it("the case that lets a dead run's lock expire is in a part", () => {
    expect(PARTS.deployToGate[0]).toBe(CASES[0]);
  });
});
