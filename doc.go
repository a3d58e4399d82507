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
// Choices the Service makes, each a reading of the Measures:
//
//   - A draw is recorded in the audit log before its result is returned, whatever the
//     outcome, and a request is drawn at most once: redraws (Art. 14(2)) come only from the
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
//     lock the notice (ErrReplyLocked) so the 8-digit code cannot be guessed.
//   - The policy's alert rules run over every event appended (Art. 17, 21, 22): a re-roll
//     attempt, a burst of profile views, denials or exports appends an "alert" event for the
//     discipline office. Alerts never fail the operation that fired them.
//   - Notices go through a Notifier; the audit event keeps the mobile masked and never the
//     reply code.
package expertdb
