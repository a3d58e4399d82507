// Package audit is the expert database's audit trail (全程留痕, Art. 17), its real-name tiered
// permissions (Art. 18, 20, 21) and its de-identification (脱敏, Art. 20): a log nobody can
// rewrite undetected.
//
// # Events
//
// Every operation is an Event: when (At, set by the caller; the package never reads the
// clock), who (a real-name Actor with role, unit and the user on whose authority they act,
// Art. 18, 21), what (an Action from a closed list covering everything Art. 17 names — draw,
// view, notify, review, recusal, rating — and admission, exit, export, permission change,
// access denied and the rest of the life cycle), on what (Subjects: expert, request, user IDs)
// and its Data (any JSON value). Event.Encode gives the canonical record: the same event
// always gives the same bytes, and Decode accepts nothing else, so a record has exactly one
// reading.
//
// The log is append-only: anything written into it stays. An event carrying what looks like
// an unmasked mobile or resident ID number is therefore refused (ErrPersonalData); mask it
// first (MaskMobile, MaskIDNumber, Redact). No error or String of this package contains an
// unmasked mobile or ID number.
//
// # The log
//
// Log is an RFC 6962 Merkle tree (golang.org/x/mod/sumdb/tlog) over the records kept in a
// Store. A Store is three methods (Len, Append, Read) over raw records; the Log computes and
// keeps the hashes itself. Optional capabilities, detected with a type assertion:
//
//   - ConditionalStore (AppendAt, failing with ErrConflict when the log has moved): required
//     when several processes share a store. Log.Append then never forks the log: on
//     conflict it reads the other writer's records, updates its tree and retries.
//   - HashStore (ReadHashes, WriteHashes): keeps the tree's hashes; NewLog compares every
//     one with the hashes of the records, so an edit that left them is caught.
//   - QueryStore (Find): answers queries from the store's own indexes.
//   - CheckpointStore (SaveCheckpoint, LatestCheckpoint): keeps the signed checkpoints the
//     Log persists with its appends, so that NewLog refuses a store whose records were edited
//     or truncated since.
//
// MemoryStore implements Store, ConditionalStore, HashStore and CheckpointStore.
//
// NewLog verifies before it trusts: every record is decoded and hashed, compared with every
// stored hash and with the last persisted checkpoint (which must be signed by the log's own
// key); any mismatch, a truncation or missing checkpoints refuse the open. Log.Stage writes
// events inside a caller's unit of work (a transaction carried in its context) without moving
// the log until Pending.Commit; Pending.Abort leaves the log as it was.
//
// Log.Checkpoint returns a signed note (golang.org/x/mod/sumdb/note, Ed25519) whose body is
// a C2SP tlog-checkpoint: origin (the signer's key name), size and base64 root hash. An
// auditor who keeps checkpoints can ask for an inclusion proof of any event
// (Log.ProveInclusion, CheckInclusion) and a consistency proof between two checkpoints
// (Log.ProveConsistency, CheckConsistency): the second shows that nothing covered by the
// first was altered, removed, reordered or inserted.
//
// The checkpoint key must outlive the process: CreateKeyFiles makes it once, at installation
// (the signer file readable by the Service's process only, the verifier file for whoever
// checks), and LoadSigner and LoadVerifier read it at every start. CreateKeyFiles never
// overwrites a key, and LoadSigner refuses a signer file that others may read.
//
// Verify recomputes everything from the raw records and a checkpoint, trusting only the
// verifier key: a flipped bit (ErrBadRecord or ErrMismatch), a removed, reordered or inserted
// record (ErrMismatch), a truncated store (ErrTruncated), a forged or wrongly signed
// checkpoint (ErrCheckpoint). It covers the records the checkpoint signs; records appended
// later are covered by later checkpoints.
//
// Trust model: the Log signs whatever its store holds when it computes a checkpoint. What
// protects the history is that checkpoints leave the system (to the discipline office, to
// experts with their query results): a rewritten history cannot be consistent with a
// checkpoint handed out before.
//
// # Queries (可申诉、可查询、可追溯, Art. 17)
//
// Log.Query selects events by subject (everything that happened to one expert or one draw
// request), actor, action and time range. Each Match carries its record and inclusion
// proof, and the Result the signed checkpoint they refer to, so whoever receives it can
// check it alone (Result.Verify). The lookup uses a QueryStore when the store is one, and
// otherwise an in-memory index built on first use and kept up to date.
//
// # Permissions (Art. 18, 20, 21)
//
// Permissions holds the registered real-name users (User: one role, a unit, individually
// granted actions, and who granted and approved them) and decides with rule expressions
// (internal/rules, environment PermissionEnv: actor, action, resource): deny rules first,
// then allow rules, and nothing holding means no (deny by default). Roles: city
// administrator, leader, business division, county, discipline office (read-only),
// maintainer (no personal data), and the expert (own record). An actor whose name, role or
// unit differ from their registration is refused. Every refusal is an access-denied event
// (Decision.Event, Permissions.Enforce). Permission changes (Permissions.Change) need a
// requester allowed to make them and a different approver, take effect only once their
// event is in the log, and can be replayed from it (Permissions.Replay).
//
// # De-identification (Art. 20)
//
// MaskMobile (138****5678), MaskIDNumber (330302********1234), MaskName (张*, 欧阳**),
// MaskEmail (z*******@example.com) and Redact, the de-identified copy of an
// admission.Expert for export.
//
// # Alerts
//
// An Alerter evaluates AlertRules over the event stream: events matching an expression,
// grouped by a key expression, counted (events or distinct subjects) over a sliding window,
// firing above a threshold. The defaults watch for one user viewing more than 50 expert
// profiles in 24 hours, the same draw request drawn twice (a re-roll), bulk exports and
// repeated denials.
//
// # Interpretations
//
// Where the Measures leave room, this package chose (each can be changed by configuration
// unless noted):
//
//   - Roles: a "leader" role (分管领导、主要领导) is added to the six the issue lists, since
//     Art. 14(1) and 28 have leaders approve.
//   - Art. 20 "不得将敏感数据未经脱敏处理后直接提供": export of a resource marked Personal is
//     refused to everyone, the city administrator included; export the Redact view.
//   - Art. 20 "不得私自修改未经报批的用户权限" and Art. 21 "谁授权、谁负责": a permission change
//     needs a requester (city administrator) and a different approver (city administrator or
//     leader); nobody may change or approve their own permissions. The change event names the
//     requester as actor and the approver in OnBehalfOf. (Fixed in code: the second person.)
//   - Art. 18 real-name use: the actor must match a registration, not merely claim a role.
//     (Fixed in code.)
//   - The discipline office (纪委) may view everything, including personal data, and do nothing
//     else, even with individual grants.
//   - Redact keeps only the year of birth and drops free-text details (credential, record,
//     exit and training notes); it keeps what draws and recusal checks need.
//   - Personal data in events (fixed in code, see scanPII in mask.go): a mobile is 11
//     digits starting 13–19, optionally after the prefix 86 or 0086; an ID number is 17
//     digits then a digit or X (either case) whose digits 7–14 read as a date in
//     1900–2099 (no checksum test, so mistyped numbers are caught too). Digits are any
//     Unicode decimal digits (full-width included), and a number may be split into groups
//     by up to three spaces, hyphens, dashes or invisible characters ("139-1234-5678",
//     "+86 139 1234 5678", "330302 19900101 123x"). Digests (hex tokens of 32+ characters
//     with a letter) are exempt; '.', '/', ':' split numbers (draw keys, times); JSON
//     numbers are not scanned (draw entropy is numeric).
//   - Canonical JSON sorts object members by UTF-8 bytes and keeps numbers as written (1 and
//     1.0 differ); it is not RFC 8785. (Fixed in code: changing it would change every record.)
//   - "Re-roll": a second draw event whose first subject is the same request ID. Redraws under
//     Art. 14(2) continue the recorded sequence and are notify events, not new draws.
package audit
