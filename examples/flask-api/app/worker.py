"""The example's worker: a loop with no port and no load balancer, beating once per interval."""

import os
import signal
import sys
import time

running = True


def stop(_signum, _frame):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)

# WORKER_FAULT=crash makes a release whose worker dies at start: ECS keeps replacing it.
if os.environ.get("WORKER_FAULT") == "crash":
    print("WORKER_FAULT=crash: this worker refuses to start", file=sys.stderr)
    sys.exit(1)

interval = float(os.environ.get("INTERVAL_SECONDS", "5"))
release = os.environ.get("RELEASE_ID", "dev")
beats = 0
while running:
    beats += 1
    print(f"worker {release}: beat {beats}", flush=True)
    time.sleep(interval)
print(f"worker {release}: stopped after {beats} beats")
