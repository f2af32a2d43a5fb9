/**
 * A container's file system as the harness lays it out: every volume mount of the pod spec becomes a folder
 * under the run's temporary root, and absolute paths that fall under a mount are rewritten to that folder.
 * Paths outside every mount belong to the image's (read-only) root file system and are left alone.
 */
export interface Mount {
  /** Path inside the container, as the pod spec says. */
  mountPath: string;
  /** Folder (or file, for a subPath of a ConfigMap key) on this machine. */
  hostPath: string;
}

export function remapPath(path: string, mounts: Mount[]): string {
  const sorted = [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
  for (const m of sorted) {
    const mp = m.mountPath.replace(/\/+$/, '') || '/';
    if (path === mp) return m.hostPath;
    if (mp === '/' || path.startsWith(`${mp}/`)) return `${m.hostPath}${path.slice(mp === '/' ? 0 : mp.length)}`;
  }
  return path;
}

/**
 * An absolute path in free text: starts with `/` right after the start of a line, whitespace, a quote, `=`,
 * `,`, `(` or `[`, and runs to the next whitespace, quote, `;`, `,` or closing bracket. URLs (`http://x/y`)
 * never match because their slashes follow a letter or `:`.
 */
const pathToken = /(^|[\s"'=,([])(\/[^\s"';,)\]]*)/gm;

export function remapText(text: string, mounts: Mount[]): string {
  return text.replace(pathToken, (_m, lead: string, path: string) => lead + remapPath(path, mounts));
}

export interface TextChange {
  line: number;
  from: string;
  to: string;
}

/** The lines `remapText` changed, for the report. */
export function changedLines(before: string, after: string): TextChange[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const out: TextChange[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) out.push({ line: i + 1, from: (a[i] ?? '').trim(), to: (b[i] ?? '').trim() });
  }
  return out;
}
