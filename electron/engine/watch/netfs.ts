/**
 * Network file system detection (Linux only): inotify/FSEvents only see changes made through the
 * local kernel, so edits made by another machine on an NFS/SMB share are invisible to native
 * watchers. In 'auto' mode such targets are polled.
 */
import { promises as fsp } from 'node:fs';

/** statfs f_type magic numbers (linux/magic.h) of network / host-shared file systems. */
export const NETWORK_FS_TYPES: ReadonlyMap<number, string> = new Map([
  [0x6969, 'nfs'],
  [0x517b, 'smb'],
  [0xff534d42, 'cifs'],
  [0xfe534d42, 'smb2'],
  [0x01021997, '9p'], // also WSL2's /mnt/c
  [0x5346414f, 'afs'],
  [0x00c36400, 'ceph'],
  [0x73757245, 'coda'],
  [0x564c, 'ncp'],
  [0x786f4256, 'vboxsf'],
  [0x47504653, 'gpfs'],
  [0x0bd00bd0, 'lustre'],
]);

/** The network file system type name of `dir`, or null (local, unknown, or not Linux). */
export async function networkFsType(dir: string): Promise<string | null> {
  if (process.platform !== 'linux') return null;
  try {
    const st = await fsp.statfs(dir);
    // f_type may come back sign-extended from a 32-bit field
    const type = Number(st.type) >>> 0;
    return NETWORK_FS_TYPES.get(type) ?? null;
  } catch {
    return null;
  }
}
