import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a,b as m}from"./chunk-IWK3ZYL3.mjs";import{a as p,b as d}from"./chunk-KHFKT5LX.mjs";import{c as e}from"./chunk-IKU6LQWK.mjs";import{a as n}from"./chunk-JHCQK3VC.mjs";import{e as l}from"./chunk-S4UNYXKI.mjs";var i=l(a(),1),o=l(m(),1),r=l(n(),1),c=l(p(),1),C=l(d(),1);function u(t={}){return{ecs:e(c.ECSClient,t),elb:e(C.ElasticLoadBalancingV2Client,t),ecr:e(r.ECRClient,t),logs:e(o.CloudWatchLogsClient,t),cloudwatch:e(i.CloudWatchClient,t)}}export{u as a};
