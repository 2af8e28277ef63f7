/**
 * The counting proxy on a thread of its own. In the benchmark's own event loop it would steal
 * time from shipline (which runs in that loop) but not from buildah (another process): each
 * tool's requests now cross the proxy at the same cost.
 */
import { parentPort, Worker, workerData } from "node:worker_threads";
import { type LoggedRequest, startCountingProxy } from "../../actions/test/helpers/counting-proxy";

type Command = "reset" | "requests" | "stop";
type Reply = { host: string } | { requests: LoggedRequest[] } | { done: true };

export interface ThreadedProxy {
  host: string;
  reset(): Promise<void>;
  requests(): Promise<LoggedRequest[]>;
  stop(): Promise<void>;
}

export async function startProxyThread(target: string): Promise<ThreadedProxy> {
  // The thread runs this file through tsx's loader, registered before the file is imported.
  const boot = [
    `import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))};`,
    "register();",
    `await import(${JSON.stringify(import.meta.url)});`,
  ].join("\n");
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), {
    workerData: { target },
  });
  const waiting: { resolve: (reply: Reply) => void; reject: (error: Error) => void }[] = [];
  worker.on("message", (reply: Reply) => waiting.shift()?.resolve(reply));
  worker.on("error", (error) => {
    for (const pending of waiting.splice(0)) pending.reject(error);
  });
  const ask = (command?: Command) =>
    new Promise<Reply>((resolve, reject) => {
      waiting.push({ resolve, reject });
      if (command) worker.postMessage(command);
    });
  const ready = await ask();
  if (!("host" in ready)) throw new Error("the proxy thread did not start");
  return {
    host: ready.host,
    reset: async () => {
      await ask("reset");
    },
    requests: async () => {
      const reply = await ask("requests");
      return "requests" in reply ? reply.requests : [];
    },
    stop: async () => {
      await ask("stop");
      await worker.terminate();
    },
  };
}

if (parentPort && workerData?.target) {
  const port = parentPort;
  const proxy = await startCountingProxy(workerData.target as string);
  port.on("message", async (command: Command) => {
    if (command === "reset") proxy.reset();
    if (command === "stop") await proxy.stop();
    port.postMessage(
      command === "requests" ? { requests: proxy.requests } : ({ done: true } as Reply),
    );
  });
  port.postMessage({ host: proxy.host });
}
