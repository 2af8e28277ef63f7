/** The configuration file read when none is named: looked for without loading the YAML parser. */
export const DEFAULT_CONFIG_FILE = "shipline.yml";
