/** Real-time "fetch now" hints between machines: signed, data-free, rate-limited. Git stays the data path. */
export { startPeers, peersFeature, engineSelf, AUDIT_FILE, type StartPeersOptions, type PeersHandle } from './start.js';
export { PeerHub, FOREIGN_REPO_MS, type HintSelf, type PeerHubOptions, type HeadOutcome, type RepoRelation } from './hub.js';
export { resolvePeerConfig, normalizePeerUrl, NO_SECRET_MESSAGE, MIN_SECRET_LENGTH, type PeerConfig, type ResolvedPeerConfig } from './config.js';
export {
  canonicalJson,
  sign,
  verifySignature,
  encodeMessage,
  newNonce,
  HintMessage,
  MESSAGE_TYPES,
  MAX_FRAME_BYTES,
  type MessageType,
  type OutgoingMessage,
  type Envelope,
} from './protocol.js';
export { MessageVerifier, REJECT_REASONS, TIMESTAMP_WINDOW_MS, type RejectReason, type Verdict } from './verify.js';
export { ReplayCache, type ReplayVerdict } from './replay.js';
export { RateLimiter, type RateVerdict } from './rate-limit.js';
export { reconnectDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { AuditLog, AuditFile, formatAudit, type AuditEntry } from './audit.js';
export { HintServer, HINTS_PATH, HEALTH_PATH } from './server.js';
export { realClock, type Clock } from './clock.js';
