import { readFile } from "node:fs/promises";
import { CannotStartContainerError } from "./errors";
import { resolveInRoot } from "./root-path";

export interface ProcessUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

async function readImageFile(rootfs: string, path: string): Promise<string> {
  return readFile(await resolveInRoot(rootfs, path), "utf8").catch(() => "");
}

function parsePasswd(text: string): PasswdEntry[] {
  return text
    .split("\n")
    .map((line) => line.split(":"))
    .filter((fields) => fields.length >= 7)
    .map(([name, , uid, gid, , home]) => ({
      name: name as string,
      uid: Number(uid),
      gid: Number(gid),
      home: home || "/",
    }));
}

function parseGroup(text: string): GroupEntry[] {
  return text
    .split("\n")
    .map((line) => line.split(":"))
    .filter((fields) => fields.length >= 4)
    .map(([name, , gid, members]) => ({
      name: name as string,
      gid: Number(gid),
      members: (members ?? "").split(",").filter(Boolean),
    }));
}

const isNumeric = (value: string) => /^\d+$/.test(value);

/**
 * Resolves a container `user` as Docker does: `uid`, `uid:gid`, `name`, `name:group`, looked up in
 * the image's /etc/passwd and /etc/group. A numeric uid need not exist; a name must.
 */
export async function resolveUser(rootfs: string, user: string | undefined): Promise<ProcessUser> {
  const [userPart = "", groupPart] = (user ?? "").split(":");
  const passwd = parsePasswd(await readImageFile(rootfs, "/etc/passwd"));
  const groups = parseGroup(await readImageFile(rootfs, "/etc/group"));
  const wanted = userPart === "" ? "0" : userPart;
  const entry = isNumeric(wanted)
    ? passwd.find((candidate) => candidate.uid === Number(wanted))
    : passwd.find((candidate) => candidate.name === wanted);
  if (!entry && !isNumeric(wanted)) {
    throw new CannotStartContainerError(
      `unable to find user ${wanted}: no matching entries in passwd file`,
    );
  }
  const uid = entry?.uid ?? Number(wanted);
  let gid = entry?.gid ?? 0;
  if (groupPart !== undefined && groupPart !== "") {
    if (isNumeric(groupPart)) {
      gid = Number(groupPart);
    } else {
      const group = groups.find((candidate) => candidate.name === groupPart);
      if (!group) {
        throw new CannotStartContainerError(
          `unable to find group ${groupPart}: no matching entries in group file`,
        );
      }
      gid = group.gid;
    }
  }
  const additionalGids = entry
    ? groups
        .filter((group) => group.members.includes(entry.name) && group.gid !== gid)
        .map((group) => group.gid)
    : [];
  return { uid, gid, additionalGids, home: entry?.home ?? "/" };
}
