import { cloudFrontService } from "./cloudfront";
import { ecrService } from "./ecr";
import { ecsService } from "./ecs";
import { elbv2Service } from "./elbv2";
import { logsService } from "./logs";
import { monitoringService } from "./monitoring";
import { s3Service } from "./s3";
import type { ServiceFactory } from "./service";
import { stsService } from "./sts";

/**
 * The services localcloud runs, in start order (a service may use those before it).
 * Each service lives in its own folder under `services/` and adds one line here.
 */
export const serviceFactories: ServiceFactory[] = [
  stsService,
  s3Service,
  cloudFrontService,
  ecrService,
  elbv2Service,
  logsService,
  monitoringService,
  ecsService,
];
