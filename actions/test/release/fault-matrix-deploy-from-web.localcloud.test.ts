import { describeFaultMatrix, PARTS } from "./fault-matrix";

// The fault matrix (see fault-matrix.ts), part two: a deploy interrupted from its web step on.
describeFaultMatrix("a deploy, web to record", PARTS.deployFromWeb);
