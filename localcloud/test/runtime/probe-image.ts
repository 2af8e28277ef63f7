import { binaryWithLibraries } from "../../src/images/base-recipes";
import type { LayerEntry } from "../../src/images/layer-writer";
import { writeTestImage } from "./test-image";

const text = (path: string, content: string): LayerEntry => ({
  type: "file",
  path,
  mode: 0o644,
  content: Buffer.from(content),
});

/**
 * A small image of this machine's own tools that try what a container must not do: dash as
 * /bin/sh, coreutils' mknod and sleep, util-linux's unshare. Root by default; user `app` is 1000.
 */
export async function writeProbeImage(): Promise<{ reference: string; layoutDir: string }> {
  const entries: LayerEntry[] = [
    ...(await binaryWithLibraries("/bin/dash", "/bin/sh")),
    ...(await binaryWithLibraries("/usr/bin/mknod", "/usr/bin/mknod")),
    ...(await binaryWithLibraries("/usr/bin/unshare", "/usr/bin/unshare")),
    ...(await binaryWithLibraries("/usr/bin/sleep", "/usr/bin/sleep")),
    text("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/tmp:/bin/sh\n"),
    text("/etc/group", "root:x:0:\napp:x:1000:\n"),
    { type: "directory", path: "/tmp", mode: 0o1777 },
    { type: "directory", path: "/root", mode: 0o700 },
    { type: "directory", path: "/proc", mode: 0o755 },
    { type: "directory", path: "/sys", mode: 0o755 },
    { type: "directory", path: "/dev", mode: 0o755 },
  ];
  return writeTestImage("probe", [entries], {
    Env: ["PATH=/usr/bin:/bin"],
    Cmd: ["/bin/sh"],
  });
}
