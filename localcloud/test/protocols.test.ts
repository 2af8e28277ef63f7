import { describe, expect, it } from "vitest";
import { decodeQueryForm, listOf } from "../src/server/protocols";

describe("Query protocol forms", () => {
  it("nests dotted keys and orders members by index", () => {
    const form = decodeQueryForm({
      Action: "RegisterTargets",
      "Targets.member.2.Id": "10.0.0.2",
      "Targets.member.1.Id": "10.0.0.1",
      "Targets.member.1.Port": "8080",
      "Targets.member.10.Id": "10.0.0.10",
    });
    expect(form.Action).toBe("RegisterTargets");
    expect(listOf(form.Targets)).toEqual([
      { Id: "10.0.0.1", Port: "8080" },
      { Id: "10.0.0.2" },
      { Id: "10.0.0.10" },
    ]);
  });

  it("treats a missing list as empty", () => {
    expect(listOf(undefined)).toEqual([]);
  });
});
