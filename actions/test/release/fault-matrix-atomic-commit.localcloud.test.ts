import { ATOMIC_PARTS, describeFaultMatrix } from "./fault-matrix";

// The fault matrix (see fault-matrix.ts), part five: web-mode atomic's uploads under
// releases/<id>/ and its PutKey commit point, in a deploy and a rollback.
describeFaultMatrix("web-mode atomic, uploads and commit point", ATOMIC_PARTS.commit, {
  web: "atomic",
});
