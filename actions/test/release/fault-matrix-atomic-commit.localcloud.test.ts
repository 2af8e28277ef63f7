import { ATOMIC_CASES, describeFaultMatrix } from "./fault-matrix";

// The fault matrix (see fault-matrix.ts), part four: web-mode atomic's own steps (the uploads
// under releases/<id>/, the router sync, the PutKey commit point) in a deploy and a rollback.
describeFaultMatrix("web-mode atomic", ATOMIC_CASES, { web: "atomic" });
