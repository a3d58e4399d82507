// Package selection draws review panels from the expert database (Art. 12–14, 28 of the
// Wenzhou Measures): verifiable random draws with structure, the annual cap, preferential
// picks, invited experts, and campaigns that notify the panel and refill vacancies.
//
// # The draw
//
// A Request (Art. 13) states the conditions (Criteria), structure (Quotas and Groups),
// number (Size), recusal (Project) and method (random rounds; Preferred picks with a Plan;
// Invited experts). Draw turns a Request, a Pool and public Entropy into a Result:
//
//   - Candidates: active experts only. Each dropped expert gets an Exclusion with the article,
//     a stable code and a Chinese reason: not active (Art. 6, 10), annual cap reached
//     (Art. 14(1), counted from Pool.Usage), criteria false (Art. 13), not eligible at the
//     activity date (Art. 5, admission.Drawable), conflict (Art. 15, package conflict),
//     unavailable or booked at the activity's time (Art. 8(2)), a county exclusion rule
//     (Rules.Exclusions), or already on the panel as a preferential pick. Candidates are sorted by ID (byte order);
//     the pool digest is SHA-256 over "expertdb-pool-v1\n" and each ID followed by "\n".
//   - Entropy: RFC 3797 sources (lottery numbers, a drand round, or 256 bits from a
//     cryptographic generator); Entropy.Key is the RFC 3797 key string.
//   - Sequence: round i hashes counter ‖ key ‖ counter and draws, among the candidates not
//     drawn yet, the one at index digest mod remaining. Mode V1 (default) uses SHA-256, a 4-byte
//     counter and a key bound to the request digest and pool digest; mode RFC3797 uses MD5, a
//     2-byte counter and the RFC key, and reproduces the example of RFC 3797 §6.
//   - Structure: a drawn candidate joins the panel only when the panel can still be completed
//     to Size meeting every quota and group cap; otherwise it is closed (kept as an alternate)
//     and the next round is read. Among the candidates that can join, each is equally likely
//     to be the next member. When no panel meets the structure Draw fails before any pick with
//     an error wrapping ErrInfeasible that names the constraints.
//
// docs/draw-v1.md specifies the algorithm precisely enough to re-implement it, with test
// vectors; a discipline office can replay a draw years later from the audit record alone.
//
// # Structure feasibility and its bound
//
// Deciding whether a partial panel can be completed is exact (Art. 13: the structure the
// request states must be met or refused up front). Two shapes are decided by dedicated
// methods (structure_exact.go): quotas over disjoint sets of candidates, with at most one
// group cap applying, reduce to a max-flow with lower bounds and are decided in polynomial
// time for any pool size; overlapping quotas with no group cap applying (a covering problem,
// NP-hard in general) are decided by a search that branches on the scarcest quota short of
// its minimum, prunes with counting bounds and remembers failed states, so that 16 "at least
// 1" quotas on a panel of 8 decide in well under a millisecond. Everything else goes to the
// general search below. The answer is a fact about the pool, so the method never changes a
// draw; it only decides cases the general search gave up on. Candidates with the same
// signature (the quotas they match and their value for every group cap) are interchangeable,
// so the search works on counts: candidates linked by a shared group value form a component;
// components with the same profile merge into one type with a multiplicity; each type offers
// patterns (how many to take of each signature, deduplicated by effect); a depth-first search
// with capacity bounds chooses how many components of each type take each pattern. A single
// group cap (e.g. one per unit) or none keeps the search small for any pool size. Crossing
// group caps (e.g. one per unit and two per region) make larger components whose patterns are
// enumerated. Every question is bounded by Rules.SearchBound nodes (DefaultSearchBound) and
// 16384 patterns per type; when a bound is hit the draw fails with ErrSearchBound, whose
// Chinese message names the overlapping quotas and crossing group caps to simplify and the
// search_bound setting: it never returns a panel it could not prove completable, and never a
// half panel. Before searching,
// a cheap test tries to swap the new candidate into the last completion found.
//
// # Preferential picks (Art. 14(1), 25) and invited experts (Art. 12, 28)
//
// Preferred experts take the first seats, at most Rules.PreferentialShare of the panel
// (picks × 3 ≤ Size by default), only with a Plan (reason, approval by the deputy leader,
// filing with the discipline office, approved no later than the activity date). Each must be
// active, eligible, within the cap, meet the criteria, have no conflict and have a previous
// year's excellent rate above the threshold (evaluation.Rules.PreferentialEligible). A pick
// that fails is an error naming the expert and the reason, never silently replaced.
// Interpretation: the request's criteria are the plan's conditions, so preferential picks
// must meet them too.
//
// An Invitation brings an expert from outside the database (Art. 12, 28): a reason, the
// approval chain division head → deputy leader and main leader (either order) → bureau
// meeting, the meeting no later than the activity date, and the filing with the discipline
// office after the meeting. Invitees are conflict-checked, take a seat, count towards quotas
// and group caps, are marked Invited, and are not preferential picks (they do not count
// towards the one-third share). Interpretation: an invitee's known usage counts towards the
// annual cap as for any expert.
//
// # Campaigns (Art. 14(2))
//
// A Campaign notifies the panel with a deadline and a one-time reply code (read from an
// io.Reader the caller supplies, compared in constant time through its SHA-256), records
// acceptances with the pledge (Art. 8(4)), declines (recording the right of Art. 7(4) to
// refuse an unfamiliar field), missed deadlines and withdrawals after acceptance (a no-show,
// Art. 8(2)), and fills every vacancy from the continuing sequence under the same structure.
// Its state is a fold over its events: Replay rebuilds it and checks each refill against the
// sequence. A Ledger reserves one participation per accepted expert and calendar year
// atomically; a refused reservation turns the acceptance into a vacancy. Notices name only
// the addressee (masked), the activity date, the deadline and the code (Art. 17).
//
// # Draw controls
//
// Public-procurement and bid-evaluation expert systems, which clerks already know, have
// controls the Measures do not spell out. Each is configured per county in Rules and is
// documented with its source:
//
//   - Availability (Art. 8(2): an expert who accepts must attend). An expert whose declared
//     unavailable periods (admission.Expert.Unavailable: leave, travel) or whose accepted
//     seats on other activities (Pool.Bookings) overlap the activity is excluded with code
//     "unavailable" or "booked". The activity occupies Request.Span: [At, Until), or the whole
//     China Standard Time calendar day of At when Until is zero. Every span is half-open
//     [From, To) — an activity ending at 12:00 and another starting at 12:00 do not clash —
//     and a zero bound is open (Span.Overlaps), so a booking that starts before and ends
//     after the activity is a clash like any partial overlap. A booking whose ActivityID is
//     the request's own ID is not a clash (the expert's seat on this very activity). The
//     check is on by default, because the Measures support it and without data it changes
//     nothing; Rules.IgnoreUnavailable and Rules.IgnoreBookings switch it off. The exclusion
//     names the period but neither the expert's declared reason (personal, Art. 7(2)) nor
//     the other activity (its panel is confidential, Art. 8(6), 9(7)).
//   - Draw-time window (Art. 14(2) confidentiality of the draw and notification; Art. 8(6),
//     9(7)). Rules.DrawWindow lets a request be drawn only between MaxLead and MinLead
//     before the activity starts (Request.At), both ends included, so that the list of
//     names exists for as short a time as possible. Off by default, since the Measures set
//     no window. The draw time is data (Request.DrawnAt); with a window configured a zero
//     DrawnAt is refused (ErrInvalidRequest, "drawn-at") and a draw outside the window is
//     refused with ErrDrawWindow ("draw-too-early", "draw-too-late"), the message stating
//     the window and both times. Draw and NewCampaign check it (Prepared.CheckWindow);
//     Simulate does not, so fairness can be studied ahead of time, and the refills of a
//     campaign are not new draws.
//   - County exclusion rules (使用细则, Art. 13). Rules.Exclusions is a list of rule.Rule
//     evaluated on every candidate, preferential pick and invited expert after the built-in
//     checks; the first rule that does not hold excludes the expert with the rule's article
//     (default "Art. 13"), its name as the code and its message. A rule that fails to
//     evaluate excludes ("expression-error", fail closed). Rules see Env, including project
//     (the applicant unit and the project's units) and reviewedUnitWithin, fed by
//     Pool.History. CoolingOffRule(n) is the example: an expert who reviewed a project of
//     the same applicant unit (names compared after conflict.NormalizeName) within n
//     calendar months of the activity, before or after, is excluded (Art. 15(5), other
//     circumstances affecting a fair evaluation). Off by default.
//
// Interpretations chosen for the controls: spans are half-open and compared as instants;
// a date-only request blocks its China calendar day; "within n months" compares China
// calendar dates, with the day clamped to the end of a shorter month (WithinMonths), and
// counts reviews before and after the activity (an accepted later review of the same unit
// is as much a repeat as an earlier one); a past review without a date counts; reviews of
// the request's own ID do not. With every control off, or with control data that does not
// touch the activity, a draw is identical to a draw without them, digests included.
//
// # Expressions: who wrote them, what they may read, what they may spend
//
// The criteria, quota filters and group keys are the using unit's; Request.Conditions and
// Rules.Exclusions are the county's. Each is compiled on its own (never joined as text), and
// an expert is a candidate only when the criteria and every condition hold, so no text of a
// request can cancel a county rule. PrepareWith with PrepareOptions.Masked compiles the
// using unit's expressions against the masked view (MaskedFields: no name, no birth date;
// age instead) for a user without the right to see personal data, who is then given
// CountExclusions of the result rather than the list. Every evaluation is metered
// (package internal/rules) and the whole draw shares one meter of Rules.ExprBudget steps;
// an expression that exhausts either refuses the draw (code "expression-budget", wrapping
// rule.ErrBudget) before anything is drawn.
//
// # Pools kept between draws
//
// Pool.Indexed returns a pool that keeps, for many draws, what a draw derives from the pool
// alone (ID order, usage, bookings, history, birth dates, normalised unit names) and, as the
// draws evaluate them, each expert's admission findings (per admission rules and activity
// date) and the results of the request expressions that read nothing but the expert (a
// criteria, quota filter or group key naming no age, usage, project or reviewedUnitWithin),
// each with its cost to the draw's meter. A draw from it is byte-identical to a draw from the
// plain pool: a kept result is charged to the meter only where the meter holds enough for the
// evaluation to be certain to have run under its own limits, and is evaluated again
// otherwise. The cache belongs to the experts: a copy with new usage, bookings or history
// maps keeps it. Pool.IndexedFrom makes the next pool of a store after a few changes inherit
// the kept results of the experts that did not change, so that only the changed and new ones
// are computed again. expertdb's PoolSnapshot hands out indexed pools.
//
// # Fairness
//
// Simulate estimates every candidate's chance under a request's structure, with minimum,
// maximum, mean, standard deviation, quantiles and the Gini coefficient.
//
// Interpretations chosen (see also DESIGN.md): the cap year is the calendar year of the
// activity date in China Standard Time (CapYear); an empty group key ("" or nil) means the
// expert belongs to no group; a withdrawal releases the ledger reservation; each excluded
// expert records the first reason in the order on-panel, not-active, annual-cap, criteria,
// not-eligible, conflict, unavailable, booked, county exclusion rules.
//
// The package is pure: no I/O, no clock, no global mutable state; time and randomness come in
// as arguments. Two memos change no result: the shared default rules keep the request
// expressions they compiled (by text), and an indexed pool keeps its derived data (above).
package selection
