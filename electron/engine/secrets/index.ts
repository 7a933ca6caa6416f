/**
 * Secrets guard: finds private keys, provider tokens and high-entropy credentials in content about to
 * be committed. Pure Node (no Electron), synchronous, no I/O: the engine, the CLI and a pre-commit
 * script can all call scanContent()/checkFile() directly. See README.md for rules and decisions.
 */
export type { CheckResult, ScanOptions, ScanReport, SecretFinding, SecretsPolicy } from './types.js';
export {
  BINARY_SNIFF_BYTES,
  MASK_VISIBLE_CHARS,
  MAX_SCAN_BYTES,
  PREVIEW_MAX_CHARS,
  applyPolicy,
  checkFile,
  fingerprintOf,
  isPathAllowed,
  scanContent,
  scanContentDetailed,
} from './scan.js';
export { RULES, RULE_ORDER, GENERIC_MIN_ENTROPY, GENERIC_MIN_ENTROPY_HEX, GENERIC_MIN_LENGTH, type RuleId } from './rules.js';
export { shannonEntropy, isPlaceholder } from './heuristics.js';
