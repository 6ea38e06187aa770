// One table of every error cibsync reports. Each code is stable: scripts and monitoring match on it,
// and docs/errors.md documents every row (a test keeps the two in step).

export interface ErrorSpec {
  /** Process exit status of the `cibsync` command when this error ends it. */
  exit: number;
  /** HTTP status of the problem+json answer that carries this error (services/wire/problem.ts). */
  http: number;
  /** One line for docs/errors.md. */
  summary: string;
}

export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  inputRefused: 3,
  candidateRefused: 4,
  pacemaker: 5,
  conflict: 6,
  notFound: 7,
  network: 8,
  checkFailed: 9,
  notReady: 10,
} as const;

export const ERRORS = {
  CIBSYNC_INTERNAL: {
    exit: EXIT.internal,
    http: 500,
    summary: 'An unexpected failure inside cibsync (a bug): the message and the log say where.',
  },
  CIBSYNC_USAGE: {
    exit: EXIT.usage,
    http: 422,
    summary: 'The command line is wrong: unknown subcommand or option, missing argument.',
  },
  CIBSYNC_CONFIG_INVALID: {
    exit: EXIT.usage,
    http: 422,
    summary:
      'The configuration file or a setting is invalid (unknown key, wrong kind, out of range, value not allowed, required setting missing, unreadable file); the message names the path of the key.',
  },
  CIBSYNC_XML_TOO_LARGE: {
    exit: EXIT.inputRefused,
    http: 422,
    summary: 'The document is larger than the configured size limit.',
  },
  CIBSYNC_XML_DOCTYPE: {
    exit: EXIT.inputRefused,
    http: 422,
    summary: 'The document has a DOCTYPE or an entity declaration; cibsync never accepts either.',
  },
  CIBSYNC_XML_ENTITY: {
    exit: EXIT.inputRefused,
    http: 422,
    summary: 'The document references an entity other than the five XML predefined ones or a character reference.',
  },
  CIBSYNC_XML_MALFORMED: {
    exit: EXIT.inputRefused,
    http: 422,
    summary: 'The document is not well-formed XML (truncated, mismatched tags, several roots, text outside the root).',
  },
  CIBSYNC_XML_TOO_DEEP: {
    exit: EXIT.inputRefused,
    http: 422,
    summary: 'The document nests elements deeper than cibsync reads (a CIB is a few levels deep; the limit is 256).',
  },
  CIBSYNC_PUBLICATION_INVALID: {
    exit: EXIT.inputRefused,
    http: 422,
    summary: 'Well-formed XML, but not a cibsync publication of a supported format.',
  },
  CIBSYNC_DIGEST_MISMATCH: {
    exit: EXIT.inputRefused,
    http: 422,
    summary: "The publication's content does not match its sha256 digest (damaged or altered in transit).",
  },
  CIBSYNC_PUBLICATION_STALE: {
    exit: EXIT.inputRefused,
    http: 422,
    summary: 'The publication is older (admin_epoch, epoch) than the last one applied from the same source site.',
  },
  CIBSYNC_PUBLICATION_UNSIGNED: {
    exit: EXIT.inputRefused,
    http: 422,
    summary: 'The publication carries no signature, and trust.allowUnsigned is not set.',
  },
  CIBSYNC_SIGNATURE_INVALID: {
    exit: EXIT.inputRefused,
    http: 422,
    summary:
      "The publication's signature does not verify against its signer certificate (altered, or signed by another key), or the signer certificate is unreadable.",
  },
  CIBSYNC_SIGNER_CERT_INVALID: {
    exit: EXIT.inputRefused,
    http: 422,
    summary:
      "The publication's signer certificate is not issued by the configured CA, is a CA, or is expired or not yet valid.",
  },
  CIBSYNC_PUBLISHER_UNTRUSTED: {
    exit: EXIT.inputRefused,
    http: 422,
    summary:
      'The publication is signed by a certificate that trust.publishers does not trust for the site it claims to come from.',
  },
  CIBSYNC_TICKET_NOT_HELD: {
    exit: EXIT.conflict,
    http: 503,
    summary: 'This site does not hold the ticket, so it has nothing to publish.',
  },
  CIBSYNC_SCOPE_NOT_SERVED: {
    exit: EXIT.conflict,
    http: 503,
    summary:
      'The publisher was asked for the scope of a ticket that its settings do not list (scopes.tickets): it serves no such publication.',
  },
  CIBSYNC_LOCAL_HOLDS_TICKET: {
    exit: EXIT.conflict,
    http: 409,
    summary:
      "This site holds its configured ticket (or the publication's): it is the active site and must not take another site's configuration.",
  },
  CIBSYNC_TRANSFORM_FAILED: {
    exit: EXIT.candidateRefused,
    http: 422,
    summary:
      "A site transform failed (XSLT error, xsl:message terminate, engine missing); the engine's message is kept.",
  },
  CIBSYNC_TRANSFORM_TEST_FAILED: {
    exit: EXIT.checkFailed,
    http: 422,
    summary: 'cibsync transform test: a fixture failed, or the engines disagreed on one.',
  },
  CIBSYNC_LINT_FINDINGS: {
    exit: EXIT.checkFailed,
    http: 422,
    summary: 'cibsync transform lint: the output still holds source-site addresses or paths.',
  },
  CIBSYNC_TRANSFORM_OUTPUT_INVALID: {
    exit: EXIT.candidateRefused,
    http: 422,
    summary: 'A site transform produced something that is not a <configuration> element.',
  },
  CIBSYNC_SPLICE_ID_CONFLICT: {
    exit: EXIT.candidateRefused,
    http: 422,
    summary: 'An id from the publication collides with the id of a site-local object kept at this site.',
  },
  CIBSYNC_SCOPE_ID_CONFLICT: {
    exit: EXIT.candidateRefused,
    http: 422,
    summary:
      'A scope put into a configuration uses an id that the configuration already uses outside that scope (another scope or a site-local part).',
  },
  CIBSYNC_SCOPE_NOT_SUBSCRIBED: {
    exit: EXIT.inputRefused,
    http: 422,
    summary:
      "The publication carries a scope this site does not take by its settings (scopes.tickets, scopes.global): another site's ticket, or the global scope from a ticket that does not carry it here.",
  },
  CIBSYNC_SCOPE_OUTSIDE: {
    exit: EXIT.candidateRefused,
    http: 422,
    summary:
      'A scoped publication carries what is not in its scope here (a resource bound to another ticket or to none, a site-local object, a section the scope does not hold); each is named.',
  },
  CIBSYNC_SPLICE_FENCING_MIXED: {
    exit: EXIT.candidateRefused,
    http: 422,
    summary:
      'A clone or bundle in the publication mixes fencing devices (which stay at their site) with resources that replicate; it is named, and refused rather than lost.',
  },
  CIBSYNC_CANDIDATE_SCHEMA_INVALID: {
    exit: EXIT.candidateRefused,
    http: 422,
    summary:
      "The candidate configuration does not validate against Pacemaker's schema; crm_verify's messages are kept.",
  },
  CIBSYNC_CANDIDATE_WORSE: {
    exit: EXIT.candidateRefused,
    http: 422,
    summary:
      'The candidate\'s crm_verify verdict is worse than the baseline\'s (the local CIB\'s together with what the source itself had, the default `verifyBaseline: "source"`; the local CIB\'s alone with `"local"`).',
  },
  CIBSYNC_CANDIDATE_EMPTY: {
    exit: EXIT.candidateRefused,
    http: 422,
    summary: 'The candidate has no resources while the local configuration has some (refused unless --allow-empty).',
  },
  CIBSYNC_ON_HOLD: {
    exit: EXIT.conflict,
    http: 409,
    summary:
      'Replication is on hold (`cibsync hold`, or a rollback): nothing is applied until `cibsync resume`; the hold names who placed it, when and why.',
  },
  CIBSYNC_CIB_CHANGED: {
    exit: EXIT.conflict,
    http: 409,
    summary: 'The local CIB changed between planning and applying (a concurrent local edit); nothing was written.',
  },
  CIBSYNC_PLAN_NOT_FOUND: { exit: EXIT.notFound, http: 404, summary: 'No plan with that id (manual approval mode).' },
  CIBSYNC_PLAN_NOT_PENDING: {
    exit: EXIT.conflict,
    http: 409,
    summary: 'The plan was already applied, rejected or superseded by a newer publication; it cannot be decided again.',
  },
  CIBSYNC_TAKEOVER_PLAN_STALE: {
    exit: EXIT.conflict,
    http: 409,
    summary:
      'A takeover grant was refused because its plan is out of date: none computed yet, the CIB changed since (admin_epoch.epoch), or the plan shown is not the current one; read it again and confirm.',
  },
  CIBSYNC_BOOTH_CONFIG: {
    exit: EXIT.conflict,
    http: 409,
    summary:
      "Whether booth manages the ticket cannot be told safely (a booth configuration unreadable, the ticket declared by two, or booth's marks on the ticket with no configuration declaring it): nothing was granted.",
  },
  CIBSYNC_BOOTH_GRANT_FAILED: {
    exit: EXIT.conflict,
    http: 409,
    summary:
      "booth grant failed (booth's own message is kept: a peer refused, a before-acquire-handler said no, boothd not running).",
  },
  CIBSYNC_PLAN_CHANGED: {
    exit: EXIT.conflict,
    http: 409,
    summary: 'The plan was edited after the page or command approving it showed it; read it again before approving.',
  },
  CIBSYNC_CROSS_ORIGIN: {
    exit: EXIT.network,
    http: 403,
    summary:
      "A browser request to decide a plan came from another site's page (its Origin is not the subscriber's own); refused.",
  },
  CIBSYNC_LOCK_TIMEOUT: {
    exit: EXIT.conflict,
    http: 409,
    summary: 'Another writer held the CIB write lock for too long.',
  },
  CIBSYNC_NO_BACKUP: { exit: EXIT.notFound, http: 422, summary: 'The requested configuration backup does not exist.' },
  CIBSYNC_TOOL_MISSING: {
    exit: EXIT.pacemaker,
    http: 422,
    summary: 'A required program (cibadmin, crm_verify, xsltproc …) is not installed or not on PATH.',
  },
  CIBSYNC_TOOL_OUTPUT_TOO_LARGE: {
    exit: EXIT.pacemaker,
    http: 422,
    summary:
      'A program cibsync ran (cibadmin, crm_verify, xsltproc …) printed more than cibsync captures (256 MiB on stdout or stderr); it was stopped.',
  },
  CIBSYNC_CERT_EXISTS: {
    exit: EXIT.conflict,
    http: 422,
    summary: 'The certificate or key file to be written already exists; cibsync never overwrites a CA or a key.',
  },
  CIBSYNC_TLS_FILES_INVALID: {
    exit: EXIT.usage,
    http: 422,
    summary: 'A certificate, key or CA file is unreadable, not PEM, or the key does not match the certificate.',
  },
  CIBSYNC_TLS_CLIENT_REFUSED: {
    exit: EXIT.network,
    http: 403,
    summary:
      "The client certificate is missing, expired or not issued by the configured CA (OpenSSL's reason is kept).",
  },
  CIBSYNC_TLS_NOT_ALLOWED: {
    exit: EXIT.network,
    http: 403,
    summary: "A valid client certificate whose subject and fingerprint are not on the daemon's allowlist.",
  },
  CIBSYNC_FETCH_FAILED: {
    exit: EXIT.network,
    http: 502,
    summary:
      'A request to a publisher or subscriber failed: connection refused or reset, TLS failure, truncated body, unexpected status.',
  },
  CIBSYNC_FETCH_TIMEOUT: {
    exit: EXIT.network,
    http: 502,
    summary:
      'A publisher or subscriber did not answer in time: connect, headers, a body chunk, or the whole response (the overall deadline); the message names which.',
  },
  CIBSYNC_FETCH_TOO_LARGE: {
    exit: EXIT.inputRefused,
    http: 502,
    summary: "A publisher's response is larger than maxPublicationBytes; it was cut off unread.",
  },
  CIBSYNC_NO_PUBLISHER: {
    exit: EXIT.network,
    http: 502,
    summary:
      "None of the configured publishers served a publication (each one's reason is kept, e.g. CIBSYNC_TICKET_NOT_HELD).",
  },
  CIBSYNC_RUNTIME_NOT_PUBLISHED: {
    exit: EXIT.network,
    http: 503,
    summary:
      'The publisher serves no runtime attributes: its runtimeAttributes.names is empty, or it has not read them yet.',
  },
  CIBSYNC_SHUTTING_DOWN: {
    exit: EXIT.network,
    http: 503,
    summary: 'The daemon is stopping (SIGTERM) and takes no new work.',
  },
  CIBSYNC_ADMIN_SOCKET_UNREACHABLE: {
    exit: EXIT.network,
    http: 502,
    summary:
      "Nothing answers on the daemon's admin socket (the subscriber's, or the publisher's for cibsync sites; no such file, or no daemon behind it; or not root): the message names the path and how to find the node where the daemon runs.",
  },
  CIBSYNC_ADMIN_SOCKET_IN_USE: {
    exit: EXIT.conflict,
    http: 409,
    summary:
      'A daemon could not take its admin socket: another daemon answers on that path (never taken from it), or something that is not a socket is there; the message names the path.',
  },
  CIBSYNC_PCMK_INSUFFICIENT_PRIVILEGES: {
    exit: EXIT.pacemaker,
    http: 422,
    summary: 'Pacemaker exit 4: insufficient privileges (e.g. crm_ticket without --force).',
  },
  CIBSYNC_PCMK_PROTOCOL: {
    exit: EXIT.pacemaker,
    http: 422,
    summary: 'Pacemaker exit 76: protocol violated (e.g. crm_verify given something that is not a whole CIB).',
  },
  CIBSYNC_PCMK_INVALID_CONFIG: {
    exit: EXIT.pacemaker,
    http: 422,
    summary: 'Pacemaker exit 78: invalid configuration (schema or semantic errors).',
  },
  CIBSYNC_PCMK_NOT_CONNECTED: {
    exit: EXIT.pacemaker,
    http: 422,
    summary: 'Pacemaker exit 102: not connected (no live cluster, and CIB_file unset).',
  },
  CIBSYNC_PCMK_OLD_DATA: {
    exit: EXIT.pacemaker,
    http: 422,
    summary: 'Pacemaker exit 103: update was older than the existing configuration.',
  },
  CIBSYNC_PCMK_NO_SUCH_OBJECT: {
    exit: EXIT.pacemaker,
    http: 422,
    summary: 'Pacemaker exit 105: no such object (missing CIB file, node, attribute or XPath match).',
  },
  CIBSYNC_PCMK_EXISTS: {
    exit: EXIT.pacemaker,
    http: 422,
    summary: 'Pacemaker exit 108: the requested item already exists.',
  },
  CIBSYNC_PCMK_TIMEOUT: {
    exit: EXIT.pacemaker,
    http: 422,
    summary: 'Pacemaker exit 124, or cibsync timed the tool out.',
  },
  CIBSYNC_PCMK_ERROR: {
    exit: EXIT.pacemaker,
    http: 422,
    summary: "Any other non-zero Pacemaker exit status; the tool's own message is kept.",
  },
  CIBSYNC_APPLY_CONFLICT: {
    exit: EXIT.conflict,
    http: 422,
    summary:
      'The patch was written, but the configuration read back is not the candidate (another writer came right after); nothing was overwritten, the next round plans again.',
  },
  CIBSYNC_STATE_ACCESS: {
    exit: EXIT.usage,
    http: 422,
    summary:
      'A file or folder in the state directory cannot be read or written (permissions, read-only, full disk); the message names the path.',
  },
  CIBSYNC_TICKET_QUERY_FAILED: {
    exit: EXIT.conflict,
    http: 422,
    summary:
      'The state of the configured ticket could not be read; nothing is applied while this site cannot tell whether it holds it.',
  },
  CIBSYNC_CIB_VERSION_INVALID: {
    exit: EXIT.pacemaker,
    http: 422,
    summary:
      "The CIB's admin_epoch, epoch or num_updates is not a non-negative integer: its version cannot be compared.",
  },
  CIBSYNC_READY_NOT_APPLIED: {
    exit: EXIT.notReady,
    http: 409,
    summary:
      'Readiness (`cibsync takeover ready`): the last publication of a scope of the ticket is not applied here (nothing applied yet, or a newer one was served and not applied).',
  },
  CIBSYNC_READY_ON_HOLD: {
    exit: EXIT.notReady,
    http: 409,
    summary:
      "Readiness: replication is on hold (`cibsync hold`, a rollback), so the local configuration is not the source's.",
  },
  CIBSYNC_READY_STALE: {
    exit: EXIT.notReady,
    http: 409,
    summary:
      'Readiness: no publisher that serves has confirmed within `subscriber.readiness.maxAgeMs` that this site holds its current publication (the message says when one last did).',
  },
  CIBSYNC_READY_IMPORT_FAILED: {
    exit: EXIT.notReady,
    http: 409,
    summary:
      "Readiness: an import failed since the last publication was applied; the failure's own code and time are named.",
  },
  CIBSYNC_READY_PLAN_PENDING: {
    exit: EXIT.notReady,
    http: 409,
    summary:
      "Readiness: a plan waits for approval (manual approval): the source's current configuration is not applied here.",
  },
  CIBSYNC_READY_OTHER_TICKET: {
    exit: EXIT.notReady,
    http: 409,
    summary:
      'Readiness was asked about a ticket this subscriber does not replicate (its `ticket` setting names another).',
  },
  CIBSYNC_READY_UNREACHABLE: {
    exit: EXIT.notReady,
    http: 409,
    summary:
      '`cibsync takeover ready`: the subscriber did not answer and this site does not hold the ticket, so nothing vouches for its replica (fail closed).',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class CibsyncError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'CibsyncError';
    this.code = code;
    this.exitCode = ERRORS[code].exit;
    this.details = details;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.details };
  }
}

export function isCibsyncError(err: unknown, code?: ErrorCode): err is CibsyncError {
  return err instanceof CibsyncError && (code === undefined || err.code === code);
}

/** Wraps anything thrown into a CibsyncError, keeping one that already is. */
export function asCibsyncError(err: unknown): CibsyncError {
  if (err instanceof CibsyncError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CibsyncError('CIBSYNC_INTERNAL', message, err instanceof Error && err.stack ? { stack: err.stack } : {});
}
