/**
 * The nginx base image's /docker-entrypoint.sh, run by dash. It does what the official image's
 * entrypoint does with its templates (20-envsubst-on-templates.sh): when the command is nginx,
 * every `<template dir>/*<suffix>` is rendered into `<output dir>/<name without suffix>` by
 * `envsubst`, replacing only the variables defined in the environment, so nginx's own `$names`
 * stay as written. The folders and suffix are read from the same NGINX_ENVSUBST_* variables.
 *
 * The image has no awk (the official script lists the environment with it): the names come from
 * `export -p`, and each is checked to be set, because a value with a line break continues on the
 * next line of that listing.
 */
export const NGINX_ENTRYPOINT = `#!/bin/sh
set -eu

me=\${0##*/}

defined_variables() {
  export -p | while IFS= read -r line; do
    case $line in
      "export "*=*)
        name=\${line#export }
        name=\${name%%=*}
        case $name in
          "" | [0-9]* | *[!A-Za-z0-9_]*) ;;
          *) if eval "[ -n \\"\\\${$name+set}\\" ]"; then printf '\${%s} ' "$name"; fi ;;
        esac
        ;;
    esac
  done
}

render_templates() {
  template_dir=\${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}
  suffix=\${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}
  output_dir=\${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}
  [ -d "$template_dir" ] || return 0
  if [ ! -w "$output_dir" ]; then
    echo "$me: ERROR: $template_dir exists, but $output_dir is not writable" >&2
    return 0
  fi
  variables=$(defined_variables)
  for template in "$template_dir"/*"$suffix"; do
    [ -f "$template" ] || continue
    name=\${template##*/}
    output="$output_dir/\${name%"$suffix"}"
    echo "$me: Running envsubst on $template to $output"
    envsubst "$variables" < "$template" > "$output"
  done
}

if [ "\${1:-}" = nginx ] || [ "\${1:-}" = nginx-debug ]; then
  render_templates
fi
exec "$@"
`;
