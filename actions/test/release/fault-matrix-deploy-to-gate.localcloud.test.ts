import { describeFaultMatrix, PARTS } from "./fault-matrix";

// The fault matrix (see fault-matrix.ts), part one: a deploy interrupted up to its gate.
describeFaultMatrix("a deploy, images to gate", PARTS.deployToGate);
