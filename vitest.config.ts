import { defineConfig } from "vitest/config";
import LongestFirstSequencer from "./vitest.sequencer.ts";

// One runner for the whole repo: each workspace is a vitest project with its own settings.
export default defineConfig({
  test: {
    projects: ["app-api", "app-web", "nginx", "localcloud", "actions"],
    // Files run three at a time on the two cores: most of a localcloud file's time is waiting
    // (containers starting, health checks, polls, timers), and each file has its own cloud
    // (network, ports, state and temp folders), so files never share a resource.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirstSequencer },
  },
});
