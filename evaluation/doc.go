// Package evaluation keeps what the expert database learns about experts after they serve:
// the ratings of Art. 25, the yearly summaries that decide who may be picked preferentially,
// the no-shows of Art. 8(2), and the integrity file (科研诚信档案) of Art. 9 and 26.
//
// # Ratings (Art. 25, 21)
//
// After each review or consultation activity the using unit (使用单位（处室）) rates every
// expert who served: on the three aspects of Art. 25 — 业务水平 expertise, 工作态度 attitude,
// 质量规范 quality ([Aspects]) — and overall as 优秀 [Excellent], 良好 [Good] or 差 [Poor]
// ([Grade]). A [Rating] is checked against the [Participation] record of the activity by
// [Rules.ValidateRating] and [Rules.ValidateRatings]:
//
//   - the rater unit organised the activity (Art. 25: the using unit rates);
//   - the expert served on that panel and attended (a no-show cannot be rated; it is recorded
//     as a no-show instead, Art. 8(2));
//   - the rating is made after the activity (Art. 25: 活动后);
//   - one rating per activity and expert (also enforced atomically by every [Store]);
//   - a 差 (overall or on any aspect) carries a written reason: Art. 21 forbids malicious
//     ratings (不得对专家进行恶意评价), so a poor grade must be justified in [Rating.Comment].
//
// An invalid rating is a [*ValidationError] listing every problem with its field, article,
// stable code and a Chinese message; it is never silently dropped. Error messages never echo
// the free-text comment, which may contain personal data.
//
// # Yearly summaries and preferential picks (Art. 25, 14(1))
//
// [Summarize] counts each expert's ratings in one calendar year; [SummarizeYear] also counts
// the no-shows and excused absences of the year from participation records. Only experts
// whose excellent rate in the previous year exceeds 30% may be picked preferentially
// (择优选取, Art. 14(1)). [PreferentialEligible] applies that default, [Rules.PreferentialEligible]
// a county's own threshold, and [Rules.CheckPreferential] explains a refusal.
//
// Interpretations (a county may change each through [Rules]):
//
//   - "超过30%" is strict: 3 excellent of 10 ratings is not enough, 4 of 10 is. Rates and
//     thresholds are exact fractions ([Ratio]) compared by cross-multiplication in 128-bit
//     integer arithmetic, never as floating-point numbers. [Rules.Inclusive] turns the
//     comparison into "不低于".
//   - No ratings in the previous year means not eligible ([Rules.MinRatings] defaults to 1).
//   - A summary containing ratings with an invalid grade is not eligible until the data is
//     corrected (fail closed); such ratings are counted in [Summary.Invalid], not in Total.
//   - The calendar year of a rating or an activity is the year in China Standard Time
//     (UTC+8, no daylight saving since 1991), whatever the time.Location of the value:
//     see [YearOf]. A rating stored as 2024-12-31T17:00Z counts in 2025, as it does on the
//     wall clock in Wenzhou.
//   - Aspects are required by default ([Rules.RequireAspects]) because Art. 25 names the three
//     aspects the rating covers; the overall grade is the unit's own judgement and is not
//     derived from the aspects.
//
// # No-shows (Art. 8(2))
//
// An expert who accepted an invitation must not be absent without good reason
// (原则上不得无故缺席). A [Participation] records attendance: [Attended], [NoShow] (absent
// without a reason the organiser accepted) or [Excused]. No-shows and excused absences are
// counted in [Summary.NoShows] and [Summary.Excused]; a no-show also becomes an integrity
// record ([Participation.Record], Art. 26), never a serious one.
//
// # Integrity file (Art. 9, 26, 10(3), 11)
//
// The ten kinds of violation of Art. 9 are the [Violation] constants, each with its clause,
// Chinese text and stable code. [Violation.Record] turns a violation into an
// [admission.Record] for the expert's integrity file. Serious kinds yield an [ExitProposal]
// citing Art. 10(3); an expert who exits for that cause may never re-enter (Art. 11).
// By default the serious kinds are the two Art. 10(3) names — 请托 [Solicitation], Art. 9(3),
// and 泄露评审相关信息 [Leak], Art. 9(7) — and [Bribery], Art. 9(5) (索取、收受利益相关方财物):
// Art. 10(3) ends its list with 等 ("and the like"), and soliciting or taking the property of
// an interested party is the same conduct as accepting a 请托, aggravated. A county changes
// the list through [Rules.Serious] (a county may add kinds, not remove the city's: Art. 13).
// A proposal is only a proposal: the bureau decides the exit.
//
// Every violation has a documented consequence ([Rules.Consequence], [Rules.RecordViolation]):
// an integrity record always (Art. 26); an exit proposal for the serious ones (Art. 10(3));
// and a suspension from draws pending the bureau's review for all of them — for the serious
// ones until the exit is decided, for the others until the bureau retains the expert or
// decides an exit. The record is pending until reviewed ([admission.RecordReview]);
// [admission.Drawable] refuses an expert with a pending record, and [admission.Sweep]
// proposes the review. Interpretation: the other seven kinds (among them 9(1) 弄虚作假 and
// 9(8) 抄袭剽窃) are not serious by default because Art. 10(3) names 请托 and 泄露 as its
// examples; the review decides case by case, and under the default reading of Art. 5(1)3 any
// such record bars (re-)admission anyway.
//
// # Storage
//
// Ratings are kept behind the small [Store] interface; [MemoryStore] is the in-memory
// implementation, safe for concurrent use.
//
// The package is pure: no I/O, no clock, no randomness, no global mutable state. It uses only
// the standard library and package admission; golang.org/x/exp is not needed, since the
// aggregation is a single pass over a slice into a map and the standard maps, slices and cmp
// packages cover the rest.
package evaluation
