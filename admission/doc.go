// Package admission decides who may enter the expert database and keeps them in it: the
// expert profile, its validation, the basic and professional conditions of Art. 5, the
// entry channels of Art. 6, the duties of Art. 8 (current profiles, training of Art. 14(3))
// and the exits of Art. 10 and 11 of the Wenzhou Science and Technology Expert Database
// Management Measures (温州市科技专家库管理办法, 温科发〔2024〕2号).
//
// The package is pure: no I/O, no clock, no global mutable state. Dates come in as arguments
// (asOf), and every function returns new values instead of changing its input.
//
// # Profile and validation
//
// An Expert is a profile: identity, current and past units (Affiliation), title level,
// claimed categories, credentials, integrity records (Record), trainings, exits and entries.
// Validate checks it field by field with go-playground/validator and four custom tags:
// idnumber (GB 11643-1999 resident ID number: 18 characters, MOD 11-2 check character, a
// real birth date, which must agree with BirthDate), mobile (mainland 1[3-9] and nine more
// digits), uscc (GB 32100-2015 unified social credit code: alphabet without I, O, S, V, Z
// and a MOD 31 check character) and expertid (the expert ID: 1–64 bytes of
// [A-Za-z0-9._:-], a letter or digit first, no run of more than 10 digits; Art. 17, because
// the ID is in every audit record and draw digest). The result is a *ValidationError listing
// every bad field with its article, code and a Chinese message naming it (专家编号, 身份证号码,
// 手机号码, 工作单位的统一社会信用代码 …); it never contains the submitted values.
// ValidIDNumber, ValidMobile, ValidUSCC and ValidExpertID are the bare checks, for other
// packages.
//
// # Age
//
// Age counts full years (周岁) on a reference date, comparing calendar dates: the year, month
// and day of each time.Time in its own location. Born 1960-06-15, an expert is 65 until
// 2026-06-14 and 66 from 2026-06-15; a 29 February birthday falls on 1 March in common years.
// "不超过65周岁" admits age ≤ 65.
//
// # Admission conditions (Art. 5) and the re-entry ban (Art. 11)
//
// Check(expert, asOf, rules) returns a Decision: Eligible, the Categories the expert
// qualifies for, and one Finding (article, stable code, Chinese message) per failed
// condition. Every condition is a rule expression (internal/rules, github.com/expr-lang/expr),
// compiled once, so a county (Art. 13) can replace any of them. DefaultRules:
//
//	Basic (all must hold)
//	  political-quality  Art. 5(1)1  hasCredential("political-quality")
//	  birth-date         Art. 5(1)2  !expert.BirthDate.IsZero()
//	  age                Art. 5(1)2  age <= max(65, expert.RetirementAge)
//	  integrity-record   Art. 5(1)3  expert.AdverseRecords == 0
//	  re-entry-barred    Art. 11     len(expert.ExitReasons) == 0
//	Professional (per category: every Required rule and at least one AnyOf rule)
//	  technical   Art. 5(2)1  any of: expert.Title >= AssociateSenior, or a credential
//	                          senior-qualification, national-project-lead, provincial-project-lead,
//	                          national-award, provincial-award, intl-org-senior-post,
//	                          intl-standard-drafter, chief-technologist
//	  management  Art. 5(2)2  any of: platform-director, leading-enterprise-executive,
//	                          institution-executive, county-level-official
//	  strategy    Art. 5(2)3  any of: gov-advisory-member, renowned-scholar, think-tank-executive
//	  economic    Art. 5(2)4  required: fund-management (熟悉科技经费管理制度); any of:
//	                          finance-senior-title, finance-senior-qualification,
//	                          research-fund-manager, finance-dept-head, financial-executive
//
// Each qualification Art. 5 lists is a credential kind with an exported constant (CredNationalProjectLead
// = "national-project-lead" …), a Chinese label and its article: see CredentialKinds and
// CredentialLabel.
//
// # Expression environment
//
// Every admission expression sees Env:
//
//	expert                    ExpertView: the profile without ID number or mobile (see ExpertView)
//	age                       int, full years on asOf
//	asOf                      time.Time, the reference date
//	hasCredential(kind)       a credential of that kind dated on or before asOf (or undated)
//	hasRecentTraining(k, n)   a training of kind k ("" = any) within the last n days up to asOf
//	daysSince(t)              calendar days from t to asOf
//	TitleNone … Senior        title levels (0 … 4), e.g. expert.Title >= AssociateSenior
//
// Examples a county might write:
//
//	age <= 70                                            (a county admitting older experts)
//	"economic" in expert.Categories && expert.Affiliation.Kind == "financial"
//	hasRecentTraining("integrity", 365)                  (Rules.Drawable: trained within a year)
//	daysSince(expert.UpdatedAt) <= 730
//
// Check, Drawable and Sweep evaluate expert after expert in environments they reuse (a pool
// per compiled Rules, safe for concurrent use), and Drawable, which returns the findings of
// Check only for an ineligible expert, stops at the first failed basic rule or the first
// qualifying category of an eligible one: results are those of evaluating every rule on
// NewEnv, at a fraction of the cost when a whole pool is screened for a draw; their pooled
// environments fill only the view fields the compiled rules read. Callers building many
// views can do the same with Expert.ViewInto, or fill only the fields their expressions read
// with Expert.ViewIntoFields (ViewFieldsOf; Rules.ViewFields gives the admission rules' own).
// A draw that already built an expert's view passes it to DrawableView, or, for a whole pool
// on one activity date, to a Screen (NewScreen), which keeps one environment and the date's
// calendar day for every expert (Screen.DrawableViewAged also takes the age the draw computed).
// The rules are compiled declaring the environment's helpers (hasCredential,
// hasRecentTraining, daysSince) safe, so the default rules run as pure programs, without a
// recover (see internal/rules).
//
// # Interpretations
//
// Where the Measures leave room, the package chooses the following; a county may change each
// by replacing the rule.
//
//   - Age: full years on the reference date, calendar comparison; ≤ 65 admitted; the limit is
//     the statutory retirement age instead when that is higher (RetirementAge; 0 = not stated).
//     A missing birth date fails the birth-date rule (and the age rule). Before birth Age is 0.
//   - Integrity (Art. 5(1)3 "不存在学术失范、学术道德问题，无违法违规等不良记录"): any record
//     of the integrity file bars admission, not only one marked serious, unless the bureau
//     reviewed it and retained the expert (Record.Review, ReviewRetained). The narrow reading
//     (only Serious records bar) is the option IntegritySeriousOnly. "Serious" matters for
//     exits (Art. 10(3)).
//   - Suspension (Art. 9, 26): an Active expert with a record pending review is not drawn
//     (Drawable, CodeSuspended) whatever the rules; Sweep proposes an exit for a serious
//     pending record (Art. 10(3)) and a review for the others.
//   - Political quality (Art. 5(1)1) is a declaration the applicant attests, the credential
//     "political-quality". The time-and-energy commitment of Art. 5(1)2 has the credential kind
//     "time-commitment" but is not required by default.
//   - Qualifications are credentials the applicant attests with proofs (Art. 6(1)), reviewed by
//     the bureau; a credential dated after asOf is not yet held. Only the title is read from
//     the profile: associate-senior or above qualifies a technical expert by title alone.
//   - Economic experts need fund-management familiarity AND at least one listed item; the
//     accounting/auditing/economics senior title and the senior qualification certificate are
//     separate credentials from the general title, since Expert.Title does not say the field.
//   - Categories: an expert qualifies for the categories they claim and meet; unclaimed
//     categories are not examined, a claim of an unknown category is a finding, and no claim
//     at all is a finding. Eligible = every basic condition holds and at least one claimed
//     category qualifies. Admit keeps only the qualifying categories.
//   - Check ignores Status: it answers "may this person be admitted on asOf?". Drawable adds
//     that the expert must be Active and meet Rules.Drawable.
//   - Re-entry (Art. 11 "具有第十条所列情形而予以出库的专家，不得再次入库"): an exit on any
//     ground of Art. 10 bars re-entry for ever, including an exit on request (10(1)) and for
//     age (10(2)), as the text says. The narrow reading (only 10(3)–(5) bar) is the option
//     ReentryForCause.
//   - One person, one record (一人一档): a person is identified by the normalised resident ID
//     number (NormalizeIDNumber: GB 11643-1999, upper-case X, full-width folded). History and
//     the bars of Art. 5(1)3 and 11 follow the person, not the expert ID (WithHistory), and a
//     second record of the same person is refused (OnePersonOneRecord).
//   - Evaluation errors of a rule count as failures (fail closed).
//
// # Entry channels (Art. 6)
//
// An Application carries a Channel and that channel's evidence: a personal application
// (PersonalEvidence: information form stamped by the applicant's current unit, proofs, signed
// research-integrity pledge), a unit recommendation (Recommendation), a division invitation
// approved by the division leader (DivisionInvitation) or an exchange with the provincial or
// another city's database (ExchangeSource). ValidateApplication checks the evidence; Admit
// validates the profile, the evidence and eligibility and returns the Active expert with an
// Entry recording channel, date, reviewer and source. Refusals are *RefusalError values
// listing every reason with article, code and Chinese message.
//
// # Reviewed decisions (Art. 6, 10, 11, 12, 26, 28)
//
// The pure building blocks of the Service's reviewed operations: DecideAdmission (a
// registered reviewer approves or refuses with reasons; history comes from the database,
// never from the client; one person, one record; the applicant's Notice, Art. 6(1) 及时告知),
// DecideExitRequest (an exit on request is an application the city bureau approves or
// refuses with reasons, Art. 11), DecideExit (exits under Art. 10(2)–(5) with grounds,
// evidence and the deciding officer), ReviewRecords (the bureau retains an expert after a
// record or decides an exit, lifting the suspension of Art. 9, 26), CheckInvitee (an invited
// expert meets the Art. 5 basic conditions and no Art. 11 bar, on the person's whole
// history, Art. 12, 28) and Proposal.ExitCase (a Sweep proposal people approved).
// SweepDatabase sweeps a whole database at once, indexing the records by normalised ID
// number so that each person's history is found in one look-up (linear, not quadratic).
//
// # Exits (Art. 10, 11), current profiles (Art. 8(1)) and training (Art. 14(3))
//
// ExitExpert records an exit with its Art. 10 reason; an exit on request needs the approving
// officer (Art. 11). Sweep proposes exits for active experts who are over age (Art. 10(2)) or
// have a serious integrity record pending review (Art. 10(3)), a review (and suspension from
// draws) for other pending records (Art. 9, 26), a review for those no longer eligible for
// another reason, and a profile update for profiles not updated within Rules.StaleAfterDays
// (default 365 days, Art. 8(1)). Trainings (online or on site; review rules and practice,
// policy and law, integrity education) are kept on the profile; Rules.Drawable, empty by
// default, lets a county require recent training before an expert is drawn.
package admission
