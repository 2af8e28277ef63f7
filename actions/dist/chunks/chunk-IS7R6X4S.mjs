import { createRequire as __shiplineCreateRequire } from "node:module";
const require = __shiplineCreateRequire(import.meta.url);
var n={command:"verify",readsConfig:!0,inputs:{config:{description:"The configuration file. Default shipline.yml when it exists."},environment:{description:"The environment in the configuration file. Default production (or SHIPLINE_ENVIRONMENT)."},url:{description:"The site's public base URL the checks run against.",config:"url"}}};export{n as a};
