import { ATOMIC_PARTS, describeFaultMatrix } from "./fault-matrix";

// The fault matrix (see fault-matrix.ts), part four: web-mode atomic's router sync (a site's
// first atomic deploy creating and associating the router, and a drifted router updated) and
// the moments up to the PutKey.
describeFaultMatrix("web-mode atomic, the router", ATOMIC_PARTS.router, {
  web: "atomic",
  driftRouter: true,
});
