import type { ServiceFactory } from "../service";
import { CloudFrontKeyValueStore } from "./keyvaluestore";

/** The CloudFront KeyValueStore data plane (keys of the stores CloudFront's API creates). */
export const cloudFrontKeyValueStoreService: ServiceFactory = {
  name: "cloudfront-keyvaluestore",
  create: (context) => new CloudFrontKeyValueStore(context),
};
