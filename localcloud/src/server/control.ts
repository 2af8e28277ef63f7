import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceContext } from "../services/service";
import { readBody } from "./aws-request";
import { faultRuleSchema } from "./faults";

/**
 * The control endpoint (`/_localcloud/…`, unsigned, for local tools only: see `controlRefusal`):
 * read the request log and inject or clear faults, from tests, benchmarks or a shell.
 *
 *   GET    /_localcloud/health
 *   GET    /_localcloud/requests?since=SEQ&service=s3&operation=PutObject
 *   DELETE /_localcloud/requests
 *   GET    /_localcloud/faults
 *   POST   /_localcloud/faults   {"service":"s3","operation":"PutObject","kind":"throttle","count":2}
 *   DELETE /_localcloud/faults
 */
export const handleControl = async (
  context: ServiceContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> => {
  const route = `${req.method} ${url.pathname.replace(/\/$/, "")}`;
  const reply = (status: number, payload: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(payload));
  };
  switch (route) {
    case "GET /_localcloud/health":
      return reply(200, { ok: true, api: context.apiEndpoint() });
    case "GET /_localcloud/requests":
      return reply(
        200,
        context.requestLog.list({
          sinceSeq: Number(url.searchParams.get("since") ?? 0),
          ...optional("service", url.searchParams.get("service")),
          ...optional("operation", url.searchParams.get("operation")),
        }),
      );
    case "DELETE /_localcloud/requests":
      context.requestLog.clear();
      return reply(200, { ok: true });
    case "GET /_localcloud/faults":
      return reply(200, context.faults.list());
    case "POST /_localcloud/faults": {
      const parsed = faultRuleSchema.safeParse(
        JSON.parse((await readBody(req)).toString() || "{}"),
      );
      if (!parsed.success) return reply(400, { error: parsed.error.message });
      return reply(200, { id: context.faults.add(parsed.data) });
    }
    case "DELETE /_localcloud/faults":
      context.faults.clear();
      return reply(200, { ok: true });
    default:
      return reply(404, { error: `no control route ${route}` });
  }
};

const optional = (key: string, value: string | null) => (value === null ? {} : { [key]: value });
