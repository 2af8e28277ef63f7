# Sourced (not run) by the project's entry scripts before anything else: puts Node 24 first on
# PATH, installing it with scripts/install-node.sh when the machine's node is older, so npm ci,
# the tests and the demo all run on the Node the project targets. Returns non-zero when it cannot.
shipline_node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$shipline_node_major" -lt 24 ]; then
  shipline_node_bin=$(bash "$(dirname "${BASH_SOURCE[0]}")/install-node.sh" 24) || return 1
  export PATH="$shipline_node_bin:$PATH"
  unset shipline_node_bin
fi
unset shipline_node_major
