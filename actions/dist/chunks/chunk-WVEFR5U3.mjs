import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
import{a as c}from"./chunk-THC3C7TA.mjs";import{a,b as m}from"./chunk-KHFKT5LX.mjs";import{c as e}from"./chunk-IKU6LQWK.mjs";import{a as C}from"./chunk-JHCQK3VC.mjs";import{e as i}from"./chunk-S4UNYXKI.mjs";var l=i(c(),1),r=i(C(),1),o=i(a(),1),n=i(m(),1);function p(t={}){return{ecs:e(o.ECSClient,t),elb:e(n.ElasticLoadBalancingV2Client,t),ecr:e(r.ECRClient,t),logs:e(l.CloudWatchLogsClient,t)}}export{p as a};
