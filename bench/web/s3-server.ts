/**
 * localcloud's S3 in a process of its own for the benchmark, so neither tool shares a CPU thread
 * with the server. Prints {"endpoint": ..., "env": {...}} once listening; stops on SIGTERM.
 */

import { s3Service } from "../../localcloud/src/services/s3";
import { stsService } from "../../localcloud/src/services/sts";
import { startTestCloud } from "../../localcloud/test/helpers/cloud";

const cloud = await startTestCloud({ services: [stsService, s3Service] });
console.log(
  JSON.stringify({
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: cloud.credentials,
    env: cloud.env(),
  }),
);
const stop = async () => {
  await cloud.dispose();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
