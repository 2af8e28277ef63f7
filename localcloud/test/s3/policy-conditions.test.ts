import { describe, expect, it } from "vitest";
import {
  conditionOperator,
  evaluateConditions,
  type RequestContext,
} from "../../src/services/s3/policy-conditions";

const context: RequestContext = {
  present: {
    "aws:SourceIp": ["192.0.2.7"],
    "aws:CurrentTime": ["2026-06-01T12:00:00Z"],
    "aws:EpochTime": ["1780315200"],
    "aws:TagKeys": ["team", "cost"],
  },
  absent: ["aws:SourceVpce"],
};

const outcome = (block: object) => evaluateConditions(block as never, context);

describe("condition operators", () => {
  it("reads IAM's operator names, with set prefixes and IfExists, and nothing else", () => {
    expect(conditionOperator("ForAllValues:StringLikeIfExists")).toMatchObject({
      name: "StringLike",
      set: "ForAllValues",
      ifExists: true,
    });
    expect(conditionOperator("ArnNotLike")).toMatchObject({ family: "arn", negated: true });
    for (const name of ["StringEqualz", "NullIfExists", "ForSomeValues:StringEquals", ""]) {
      expect(conditionOperator(name)).toBeUndefined();
    }
  });

  it("compares addresses, dates and numbers", () => {
    expect(outcome({ IpAddress: { "aws:SourceIp": "192.0.2.0/24" } })).toBe("holds");
    expect(outcome({ NotIpAddress: { "aws:SourceIp": ["192.0.2.0/24", "::1/128"] } })).toBe(
      "fails",
    );
    expect(outcome({ DateLessThan: { "aws:CurrentTime": "2027-01-01T00:00:00Z" } })).toBe("holds");
    expect(outcome({ DateGreaterThan: { "aws:CurrentTime": "1780315201" } })).toBe("fails");
    expect(outcome({ NumericGreaterThanEquals: { "aws:EpochTime": 1780315200 } })).toBe("holds");
    expect(outcome({ NumericLessThan: { "aws:EpochTime": "soon" } })).toBe("fails");
  });

  it("applies ForAllValues / ForAnyValue to every value of a key, and IAM's rules when it is missing", () => {
    expect(outcome({ "ForAllValues:StringEquals": { "aws:TagKeys": ["team", "cost"] } })).toBe(
      "holds",
    );
    expect(outcome({ "ForAllValues:StringEquals": { "aws:TagKeys": "team" } })).toBe("fails");
    expect(outcome({ "ForAnyValue:StringEquals": { "aws:TagKeys": "team" } })).toBe("holds");
    expect(outcome({ "ForAllValues:StringEquals": { "aws:SourceVpce": "x" } })).toBe("holds");
    expect(outcome({ "ForAnyValue:StringEquals": { "aws:SourceVpce": "x" } })).toBe("fails");
    expect(outcome({ ArnNotLike: { "aws:SourceVpce": "x" } })).toBe("holds");
  });

  it("is unknown on a key it cannot know unless another condition already fails", () => {
    expect(outcome({ StringEquals: { "s3:prefix": "a/" } })).toBe("unknown");
    expect(
      outcome({
        StringEquals: { "s3:prefix": "a/" },
        IpAddress: { "aws:SourceIp": "198.51.100.0/24" },
      }),
    ).toBe("fails");
  });
});
