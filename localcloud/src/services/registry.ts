import { cloudFrontService } from "./cloudfront";
import { cloudFrontKeyValueStoreService } from "./cloudfront-keyvaluestore";
import { ecrService } from "./ecr";
import { ecsService } from "./ecs";
import { elbv2Service } from "./elbv2";
import { logsService } from "./logs";
import { monitoringService } from "./monitoring";
import { s3Service } from "./s3";
import { secretsManagerService } from "./secretsmanager";
import type { ServiceFactory } from "./service";
import { ssmService } from "./ssm";
import { stsService } from "./sts";

/**
 * The services localcloud runs, in start order (a service may use those before it).
 * Each service lives in its own folder under `services/` and adds one line here.
 */
export const serviceFactories: ServiceFactory[] = [
  stsService,
  s3Service,
  cloudFrontService,
  cloudFrontKeyValueStoreService,
  ecrService,
  elbv2Service,
  logsService,
  secretsManagerService,
  ssmService,
  monitoringService,
  ecsService,
];
