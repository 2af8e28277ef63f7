import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
function e(R){let t={},s=R.GITHUB_SHA??R.CIRCLE_SHA1;return s&&(t.revision=s),R.GITHUB_SERVER_URL&&R.GITHUB_REPOSITORY?t["source-url"]=`${R.GITHUB_SERVER_URL}/${R.GITHUB_REPOSITORY}`:R.CIRCLE_REPOSITORY_URL&&(t["source-url"]=R.CIRCLE_REPOSITORY_URL),R.SOURCE_DATE_EPOCH&&(t["source-date-epoch"]=R.SOURCE_DATE_EPOCH),t}function u(...R){let t={};for(let s of R)for(let[r,o]of Object.entries(s))o!==void 0&&o.trim()!==""&&(t[r]=o);return t}export{e as a,u as b};
