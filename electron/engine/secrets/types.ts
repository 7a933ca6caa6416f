/**
 * Public types of the secrets guard. Kept free of any runtime import so the shapes can be shared with
 * whatever calls the guard (engine, CLI, a pre-commit script bundled by esbuild).
 */

export interface SecretFinding {
  /** Repo-relative path exactly as the caller passed it. */
  path: string;
  /** 1-based line of the finding (for PEM/PGP blocks: the BEGIN line). */
  line: number;
  /** Stable rule id, e.g. 'private-key-openssh'. */
  rule: string;
  /** Words for people, e.g. 'OpenSSH private key'. */
  description: string;
  /**
   * Stable id: first 16 hex chars of sha256(rule + '\0' + normalisedPath + '\0' + matchedSecret).
   * Never contains the secret. Does not depend on the line, so moving a secret within a file keeps it.
   */
  fingerprint: string;
  /** The line with every secret on it masked (at most the first 4 chars shown), at most 120 chars. */
  preview: string;
}

export interface SecretsPolicy {
  /** Globs on repo-relative paths (picomatch, dot: true). Every finding in a matching file is allowed. */
  allowPaths: string[];
  /** Fingerprints of findings the person has allowed. */
  allowFindings: string[];
}

export interface CheckResult {
  /** True when at least one finding is not allowed by the policy. */
  blocked: boolean;
  /** Findings the policy does not allow. */
  findings: SecretFinding[];
  /** Findings the policy allows (by path glob or fingerprint). */
  allowed: SecretFinding[];
}

export interface ScanOptions {
  /** Scan at most this much content (bytes for a Buffer, UTF-16 code units for a string). Default MAX_SCAN_BYTES. */
  maxBytes?: number;
}

export interface ScanReport {
  findings: SecretFinding[];
  /** Content had a NUL byte in its first 8 KiB: only PEM/PGP private-key headers were looked for. */
  binary: boolean;
  /** Content was larger than the cap: only the first part was scanned. */
  truncated: boolean;
  /** How much content was scanned (bytes for a Buffer, code units for a string). */
  scannedBytes: number;
}
