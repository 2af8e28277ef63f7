import type { FastifyReply, FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import { OneLinePerRequest } from "../src/http/request-log";

/** The level and line each completed request is logged with. */
function logged(status: number, error?: Error): Array<[string, Record<string, unknown>, string]> {
  const lines: Array<[string, Record<string, unknown>, string]> = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) =>
    lines.push([level, obj, msg]);
  const reply = {
    statusCode: status,
    elapsedTime: 12.34,
    log: { info: at("info"), warn: at("warn"), error: at("error") },
  } as unknown as FastifyReply;
  const request = { method: "GET", url: "/api/tasks?token=private" } as FastifyRequest;
  new OneLinePerRequest().requestCompleted(error, request, reply);
  return lines;
}

describe("one log line per request", () => {
  it("logs a 2xx or 4xx answer at info, without the query string", () => {
    expect(logged(200)).toEqual([
      ["info", { method: "GET", path: "/api/tasks", status: 200, ms: 12.3 }, "request"],
    ]);
    expect(logged(404)[0]?.[0]).toBe("info");
  });

  it("logs a 5xx answer at error even when nothing was thrown (a hook that sends the 500 itself)", () => {
    expect(logged(500)).toEqual([
      ["error", { method: "GET", path: "/api/tasks", status: 500, ms: 12.3 }, "request failed"],
    ]);
    expect(logged(503)[0]?.[0]).toBe("error");
  });

  it("logs a thrown error at error, with the error", () => {
    const boom = new Error("boom");
    expect(logged(500, boom)).toEqual([
      ["error", expect.objectContaining({ status: 500, err: boom }), "request failed"],
    ]);
  });
});
