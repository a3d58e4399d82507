// Package expertdb implements the Wenzhou Science and Technology Expert Database Management
// Measures (温州市科技专家库管理办法, 温科发〔2024〕2号, in force 2024-03-27) for Go systems
// that manage the expert database and draw review panels from it.
//
// # Articles and packages
//
//	Art. 5, 6, 8, 10, 11, 14(3)  admission   who may enter, channels, exits, training
//	Art. 15                      conflict    recusal
//	Art. 9, 25, 26               evaluation  ratings, yearly summaries, integrity file
//	Art. 12–14, 28               selection   verifiable draw, preferential picks, campaigns
//	Art. 16–22                   audit       tamper-evident log, permissions, de-identification
//	Art. 13                      expertdb    county policy (Policy) and the Service façade
//
// The four domain packages are pure: time, randomness and data come in as arguments, and
// they never import audit or this package. This package wires storage, the audit log and
// permissions around them.
//
// # Policy (Art. 13)
//
// A Policy is a county's whole rule set: admission conditions, recusal rules, rating
// thresholds, draw parameters (annual cap, preferential share, availability, draw window,
// exclusion rules), permissions, audit alerts and request rules. DefaultPolicy is the 2024
// Wenzhou Measures; LoadPolicy reads a county profile in YAML over it, strictly, reporting every
// error with its YAML line and column. Describe renders the effective rules in Chinese for the
// filing with the city bureau, marking what the county changed.
//
// # Service (Art. 14, 17, 18)
//
// A Service is the one entry point where every operation — admit, exit, view, export, draw,
// campaign steps, unseal, rate, permission changes — is authorised (deny by default; a
// refusal is itself an audit event), run through the pure function, persisted, and recorded
// in the audit log. A failure names its step (OpError). Stores are small interfaces
// (ExpertStore, EventStore, evaluation.Store, selection.Ledger, audit.Store) with in-memory
// implementations, so NewService works with no set-up; examples/sqlstore implements them on
// SQLite and PostgreSQL.
//
// Guarantees at the boundary (DESIGN "Rules of the boundary"; see Service for details):
//
//   - One unit of work: a state change and its audit event commit together or neither does
//     (Atomic, or the Service's journal for in-memory stores); the event is checked for
//     personal data before anything is written; an undo never uses the caller's context. A
//     fault-injection sweep over every operation (service_fault_test.go) checks it.
//   - Views by role: an actor without personal-data rights gets de-identified candidates in
//     a draw record (a county user's own draw, a maintainer after the activity), which still
//     replay; expertctl writes the same view.
//   - Uniform answers on sealed panels, every refused probe recorded, repeated probes
//     alerted; a durable outbox for notices; a per-channel reply lockout that cannot race and
//     is lifted only with a second person's approval.
//   - The audit log is verified at NewService (every record, its stored hashes and the last
//     persisted signed checkpoint; truncation included) before permissions are replayed
//     from it; a mismatch refuses to start.
//
// Choices the Service makes, each a reading of the Measures:
//
//   - A draw is recorded in the audit log before its result is returned, whatever the
//     outcome (a failed draw alone, a successful one with its record in one unit of work),
//     and a request is drawn at most once: redraws (Art. 14(2)) come only from the
//     continuing sequence of the campaign, never from a new roll (ErrAlreadyDrawn).
//   - The draw record keeps the candidates the draw chose from (not the whole database), so a
//     campaign can be rebuilt and a draw replayed years later from stored data alone.
//   - The panel is sealed until the activity starts (Policy.SealPanels, on by default; Art.
//     8(6), 9(7), 22(3)): only the operator who drew and the discipline office see names;
//     Unseal opens it earlier with another person's approval.
//   - Accepted seats are indexed (stream "seats") so that later draws exclude experts booked
//     at the same time (Art. 8(2)) and county rules can read who reviewed which applicant unit.
//     A refill never notifies an expert who since the draw has been booked elsewhere at the
//     same time or declared themselves unavailable: that notice is declined on the expert's
//     behalf, with the reason recorded, and refilled further.
//   - Business divisions and county users may record an expert's reply taken by phone for
//     their own requests (Art. 14(2): 一般通过电话或平台发送短信等方式通知); the reply still needs
//     the expert's one-time code. Every wrong code is recorded, and MaxWrongCodes of them
//     lock that channel of the notice (ErrReplyLocked) so the 8-digit code cannot be guessed;
//     the expert's own channel stays open, so a clerk cannot veto an expert by locking them
//     out, and UnlockReplies needs a leader's approval (Art. 18, 21).
//   - Before the activity starts, operations naming an expert of a sealed panel (Respond
//     through the clerk's channel, Withdraw, Resend, UnlockReplies) are open only to those
//     who see the panel: the drawing operator and the discipline office (Art. 9(7), 22(3)).
//   - A notice that was not delivered is sent again only with a fresh reply code: codes are
//     never stored, only their hashes (Deliver, Resend).
//   - The policy's alert rules run over every event appended (Art. 17, 21, 22): a re-roll
//     attempt, a burst of profile views, denials or exports appends an "alert" event for the
//     discipline office. Alerts never fail the operation that fired them.
//   - Notices go through a Notifier after their campaign step is stored; the notify event
//     records the delivery, keeps the mobile masked and never the reply code.
package expertdb
