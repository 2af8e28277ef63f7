import { access, lstat, readdir, readlink, realpath } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { run } from "../runtime/exec";
import type { LayerEntry } from "./layer-writer";
import { NGINX_ENTRYPOINT } from "./nginx-entrypoint";
import { sharedLibraries } from "./shared-libraries";

export type BaseImageKind = "node" | "nginx" | "python" | "python-flask";

export const BASE_IMAGE_KINDS: readonly BaseImageKind[] = [
  "node",
  "nginx",
  "python",
  "python-flask",
];

/** What goes into a base image: its files and the image config defaults. */
export interface BaseRecipe {
  kind: BaseImageKind;
  version: string;
  entries: LayerEntry[];
  config: {
    Env: string[];
    Entrypoint?: string[];
    Cmd: string[];
    WorkingDir?: string;
    User?: string;
    ExposedPorts?: Record<string, Record<string, never>>;
    StopSignal?: string;
  };
}

const PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** dash as /bin/sh, so `CMD-SHELL` health checks and `sh -c` commands work in the image. */
const SHELL_SOURCE = "/bin/dash";
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const ENVSUBST_SOURCE = "/usr/bin/envsubst";

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A binary copied to `imagePath`, plus every library it loads, at the path the loader expects. */
export async function binaryWithLibraries(
  source: string,
  imagePath: string,
): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = [{ type: "file", path: imagePath, mode: 0o755, source }];
  for (const library of await sharedLibraries(source)) {
    entries.push({ type: "file", path: library, mode: 0o755, source: library });
  }
  return entries;
}

function text(
  path: string,
  content: string,
  mode = 0o644,
  owner: { uid: number; gid: number } = { uid: 0, gid: 0 },
): LayerEntry {
  return { type: "file", path, mode, content: Buffer.from(content), ...owner };
}

async function commonEntries(users: string, groups: string): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = [
    ...(await binaryWithLibraries(SHELL_SOURCE, "/bin/sh")),
    text("/etc/passwd", users),
    text("/etc/group", groups),
    text("/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n"),
    { type: "directory", path: "/tmp", mode: 0o1777 },
    { type: "directory", path: "/root", mode: 0o700 },
    { type: "directory", path: "/run", mode: 0o755 },
    { type: "directory", path: "/proc", mode: 0o755 },
    { type: "directory", path: "/sys", mode: 0o755 },
    { type: "directory", path: "/dev", mode: 0o755 },
  ];
  if (await exists(CA_BUNDLE)) {
    entries.push({ type: "file", path: CA_BUNDLE, mode: 0o644, source: CA_BUNDLE });
  }
  return entries;
}

export async function nodeRecipe(nodeBinary = process.execPath): Promise<BaseRecipe> {
  const version = (await run(nodeBinary, ["--version"])).stdout.trim().replace(/^v/, "");
  const entries = [
    ...(await commonEntries(
      [
        "root:x:0:0:root:/root:/bin/sh",
        "node:x:1000:1000::/home/node:/bin/sh",
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
        "",
      ].join("\n"),
      ["root:x:0:", "node:x:1000:", "nogroup:x:65534:", ""].join("\n"),
    )),
    ...(await binaryWithLibraries(nodeBinary, "/usr/local/bin/node")),
    { type: "directory", path: "/home/node", mode: 0o755, uid: 1000, gid: 1000 },
  ] satisfies LayerEntry[];
  return {
    kind: "node",
    version,
    entries,
    config: { Env: [PATH_ENV, `NODE_VERSION=${version}`], Cmd: ["node"] },
  };
}

/**
 * The main config of the official unprivileged nginx image: no `user` directive, so it runs as
 * whoever starts it (uid 101 by default); pid and temporary files in /tmp, which that user can
 * write; logs to the container's output. Sites come from conf.d/, where the entrypoint renders
 * the templates.
 */
const NGINX_CONF = `worker_processes auto;
error_log stderr notice;
pid /tmp/nginx.pid;

events {
  worker_connections 1024;
}

http {
  client_body_temp_path /tmp/client_temp;
  proxy_temp_path /tmp/proxy_temp;
  fastcgi_temp_path /tmp/fastcgi_temp;
  uwsgi_temp_path /tmp/uwsgi_temp;
  scgi_temp_path /tmp/scgi_temp;

  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout;
  sendfile on;
  keepalive_timeout 65;
  include /etc/nginx/conf.d/*.conf;
}
`;

const NGINX_DEFAULT_SITE = `server {
  listen 8080;
  server_name localhost;
  location / {
    root /usr/share/nginx/html;
    index index.html;
  }
}
`;

/** The unprivileged user the official nginx-unprivileged image runs as. */
const NGINX_UID = 101;

export async function nginxRecipe(nginxBinary = "/usr/sbin/nginx"): Promise<BaseRecipe> {
  // `nginx -v` prints "nginx version: nginx/1.22.1" on stderr.
  const { stderr } = await run(nginxBinary, ["-v"]);
  const version = /nginx\/(\S+)/.exec(stderr)?.[1];
  if (!version) throw new Error(`cannot read the nginx version from: ${stderr.trim()}`);
  const modulesDir = "/usr/lib/nginx/modules";
  const modules = (await exists(modulesDir)) ? await readdir(modulesDir) : [];
  const moduleEntries: LayerEntry[] = [];
  for (const name of modules.filter((file) => file.endsWith(".so")).sort()) {
    moduleEntries.push(
      ...(await binaryWithLibraries(`${modulesDir}/${name}`, `${modulesDir}/${name}`)),
    );
  }
  const nginxOwner = { uid: NGINX_UID, gid: NGINX_UID };
  const entries = [
    ...(await commonEntries(
      [
        "root:x:0:0:root:/root:/bin/sh",
        "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin",
        "nginx:x:101:101:nginx:/nonexistent:/usr/sbin/nologin",
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
        "",
      ].join("\n"),
      ["root:x:0:", "www-data:x:33:", "nginx:x:101:", "nogroup:x:65534:", ""].join("\n"),
    )),
    ...(await binaryWithLibraries(nginxBinary, "/usr/sbin/nginx")),
    ...moduleEntries,
    // gettext-base's envsubst, which the entrypoint renders the templates with.
    ...(await binaryWithLibraries(ENVSUBST_SOURCE, "/usr/bin/envsubst")),
    text("/docker-entrypoint.sh", NGINX_ENTRYPOINT, 0o755),
    { type: "file", path: "/etc/nginx/mime.types", mode: 0o644, source: "/etc/nginx/mime.types" },
    text("/etc/nginx/nginx.conf", NGINX_CONF),
    // The entrypoint renders templates into conf.d as the unprivileged user, possibly over the
    // default site (a `default.conf.template`), so both belong to that user.
    { type: "directory", path: "/etc/nginx/conf.d", mode: 0o755, ...nginxOwner },
    text("/etc/nginx/conf.d/default.conf", NGINX_DEFAULT_SITE, 0o644, nginxOwner),
    text(
      "/usr/share/nginx/html/index.html",
      "<!doctype html><title>nginx</title><p>nginx is running.\n",
    ),
    { type: "directory", path: "/var/lib/nginx", mode: 0o755 },
    { type: "directory", path: "/var/cache/nginx", mode: 0o755, ...nginxOwner },
    { type: "directory", path: "/var/log/nginx", mode: 0o755 },
    // As in the official image: logs go to the container's output.
    { type: "symlink", path: "/var/log/nginx/access.log", target: "/dev/stdout" },
    { type: "symlink", path: "/var/log/nginx/error.log", target: "/dev/stderr" },
  ] satisfies LayerEntry[];
  return {
    kind: "nginx",
    version,
    entries,
    config: {
      Env: [PATH_ENV, `NGINX_VERSION=${version}`],
      // As the official image: the entrypoint renders the templates, then runs the command.
      Entrypoint: ["/docker-entrypoint.sh"],
      Cmd: ["nginx", "-g", "daemon off;"],
      ExposedPorts: { "8080/tcp": {} },
      StopSignal: "SIGQUIT",
      User: String(NGINX_UID),
    },
  };
}

/** What a Python install says about itself: where its interpreter and standard library are. */
interface PythonFacts {
  version: string;
  executable: string;
  stdlib: string;
  platstdlib: string;
}

/**
 * Folders of the standard library an image does not need: installed packages (the image's own
 * are its business), compiled caches (their source timestamps would not match a layer's mtime 0),
 * the build configuration with its static library, and the test suites.
 */
const STDLIB_SKIPPED = new Set([
  "__pycache__",
  "site-packages",
  "dist-packages",
  "test",
  "tests",
  "idle_test",
]);

/** Every file and link under `folder` (sorted, skipped folders left out), at the same path. */
async function folderEntries(folder: string): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = [];
  for (const name of (await readdir(folder)).sort()) {
    if (STDLIB_SKIPPED.has(name) || name.startsWith("config-")) continue;
    const path = join(folder, name);
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      entries.push({ type: "symlink", path, target: await readlink(path) });
    } else if (info.isDirectory()) {
      entries.push(...(await folderEntries(path)));
    } else if (info.isFile()) {
      entries.push({ type: "file", path, mode: info.mode & 0o111 ? 0o755 : 0o644, source: path });
    }
  }
  return entries;
}

/**
 * This machine's python3 (Debian's /usr/bin/python3 by default): the interpreter at its own path
 * (it finds its standard library from there), `python3` on the PATH, the standard library with
 * its extension modules and every library they load.
 */
export async function pythonRecipe(pythonBinary = "/usr/bin/python3"): Promise<BaseRecipe> {
  const { stdout } = await run(pythonBinary, [
    "-c",
    "import json, sys, sysconfig; p = sysconfig.get_paths(); print(json.dumps({'version': sys.version.split()[0], 'executable': sys.executable, 'stdlib': p['stdlib'], 'platstdlib': p['platstdlib']}))",
  ]);
  const facts = JSON.parse(stdout) as PythonFacts;
  const executable = await realpath(facts.executable);
  const libraryFolders = [...new Set([facts.stdlib, facts.platstdlib])];
  const library: LayerEntry[] = [];
  for (const folder of libraryFolders) library.push(...(await folderEntries(folder)));
  // Extension modules (lib-dynload's _ssl, _sqlite3, …) load libraries the interpreter does not.
  const modules: LayerEntry[] = [];
  for (const entry of library) {
    if (entry.type === "file" && entry.path.endsWith(".so")) {
      for (const shared of await sharedLibraries(entry.path)) {
        modules.push({ type: "file", path: shared, mode: 0o755, source: shared });
      }
    }
  }
  const onPath = join(dirname(executable), "python3");
  const entries = [
    ...(await commonEntries(
      [
        "root:x:0:0:root:/root:/bin/sh",
        "python:x:1000:1000::/home/python:/bin/sh",
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
        "",
      ].join("\n"),
      ["root:x:0:", "python:x:1000:", "nogroup:x:65534:", ""].join("\n"),
    )),
    ...(await binaryWithLibraries(executable, executable)),
    ...(onPath === executable
      ? []
      : [{ type: "symlink", path: onPath, target: basename(executable) } as const]),
    ...library,
    ...modules,
    { type: "directory", path: "/home/python", mode: 0o755, uid: 1000, gid: 1000 },
  ] satisfies LayerEntry[];
  return {
    kind: "python",
    version: facts.version,
    entries,
    config: {
      Env: [
        PATH_ENV,
        `PYTHON_VERSION=${facts.version}`,
        // No .pyc written next to a read-only image's sources; output reaches the logs at once.
        "PYTHONDONTWRITEBYTECODE=1",
        "PYTHONUNBUFFERED=1",
      ],
      // As the official image: a prompt, which an application's image replaces with its command.
      Cmd: ["python3"],
    },
  };
}

/** What Debian's python3 says about its Flask: the version, and the packages `import flask` loads. */
interface FlaskFacts {
  version: string;
  packages: string[];
}

/**
 * The python image plus Debian's Flask (the python3-flask package) and every package importing
 * it loads (werkzeug, jinja2, …), at the paths the interpreter finds them, as an image built
 * `FROM python` with `apt-get install python3-flask` would have them. Only those packages: the
 * rest of the machine's dist-packages stays out.
 */
export async function pythonFlaskRecipe(pythonBinary = "/usr/bin/python3"): Promise<BaseRecipe> {
  const python = await pythonRecipe(pythonBinary);
  const probe = await run(pythonBinary, [
    "-c",
    [
      "import json, sys",
      "before = set(sys.modules)",
      "import flask, werkzeug.serving",
      "roots = {}",
      "for name in set(sys.modules) - before:",
      "    path = getattr(sys.modules[name], '__file__', None) or ''",
      "    top = name.split('.')[0]",
      "    if '-packages/' in path and top not in roots:",
      "        root = path.split('-packages/')[0] + '-packages/'",
      "        rest = path[len(root):].split('/')[0]",
      "        roots[top] = root + rest",
      "print(json.dumps({'version': flask.__version__ if hasattr(flask, '__version__') else 'unknown', 'packages': sorted(roots.values())}))",
    ].join("\n"),
  ]).catch((error: Error) => {
    throw new Error(
      `${pythonBinary} cannot import flask (install Debian's python3-flask): ${error.message}`,
    );
  });
  const facts = JSON.parse(probe.stdout) as FlaskFacts;
  const packages: LayerEntry[] = [];
  for (const path of facts.packages) {
    const info = await lstat(path);
    if (info.isDirectory()) {
      packages.push(...(await folderEntries(path)));
    } else if (info.isFile()) {
      packages.push({ type: "file", path, mode: 0o644, source: path });
    }
  }
  return {
    ...python,
    kind: "python-flask",
    version: `${python.version}-flask${facts.version}`,
    entries: [...python.entries, ...packages],
    config: {
      ...python.config,
      Env: [...python.config.Env, `FLASK_VERSION=${facts.version}`],
    },
  };
}
