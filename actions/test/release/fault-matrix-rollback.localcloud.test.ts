import { describeFaultMatrix, PARTS } from "./fault-matrix";

// The fault matrix (see fault-matrix.ts), part three: a rollback interrupted at each step, and
// the kill between a rollback's entry-point writes (invalidate mode's limit).
describeFaultMatrix("a rollback", PARTS.rollback, { mixedRollback: true });
