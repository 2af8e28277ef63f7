/** Operations that only read, by AWS's naming: what a dry run may send. */
const READ_OPERATION = /^(Get|List|Describe|Head|BatchGet|Filter)[A-Z]/;

// `never`: the stack's own argument types are assignable to it, whatever the client.
type Handler = (args: never) => Promise<unknown>;

/** The part of any SDK v3 client used here: its middleware stack. */
export interface SdkClient {
  middlewareStack: {
    add(
      middleware: (next: Handler, context: { commandName?: string }) => Handler,
      options: { step: "initialize"; name: string; override: boolean },
    ): void;
  };
}

/**
 * Makes an SDK v3 client refuse every operation that is not a read, before it is signed or sent.
 * A dry run hands its units only such clients, so a code path that would write cannot reach AWS
 * whatever it does: it fails as the bug it is instead of changing something.
 */
export function readOnly<C extends SdkClient>(client: C): C {
  client.middlewareStack.add(
    (next, context) => (args) => {
      const operation = String(context.commandName ?? "").replace(/Command$/, "");
      if (!READ_OPERATION.test(operation)) {
        throw new Error(`a dry run tried to call ${operation}, which writes; nothing was sent`);
      }
      return next(args);
    },
    { step: "initialize", name: "shiplineDryRunReadOnly", override: true },
  );
  return client;
}

/** The client itself for a real run, the read-only one for a dry run. */
export function forRun<C extends SdkClient>(client: C, dryRun: boolean): C {
  return dryRun ? readOnly(client) : client;
}
