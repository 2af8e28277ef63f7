import { describe, expect, it } from "vitest";
import { CASES, nameOf, PARTS } from "./fault-matrix";

describe("the fault matrix's parts", () => {
  it("together are every case of the matrix, each once", () => {
    const parted = Object.values(PARTS).flat().map(nameOf);
    expect(parted.toSorted()).toEqual(CASES.map(nameOf).toSorted());
    expect(new Set(parted).size).toBe(CASES.length);
    expect(CASES.length).toBe(31);
  });

  it("the case that lets a dead run's lock expire is in a part", () => {
    expect(PARTS.deployToGate[0]).toBe(CASES[0]);
  });
});
