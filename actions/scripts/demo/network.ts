import { execFileSync } from "node:child_process";

/**
 * A bridge and subnet for the demo's tasks that no other localcloud on this machine uses: the
 * first `lcdN` that does not exist, on 198.19.N.0/24 (198.18.0.0/15 is reserved for network
 * tests; the test suite claims 198.18.N.0/24). A fixed name would refuse to start whenever
 * another localcloud runs, or one that was killed left its bridge behind.
 */
export function freeDemoNetwork(): { bridge: string; subnet: string } {
  for (let n = 0; n < 100; n += 1) {
    const bridge = `lcd${n}`;
    try {
      execFileSync("ip", ["link", "show", "dev", bridge], { stdio: "ignore" });
    } catch {
      return { bridge, subnet: `198.19.${n}.0/24` };
    }
  }
  throw new Error("no free bridge name lcd0..lcd99 for the demo's tasks");
}
