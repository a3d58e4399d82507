package expertdb_test

import (
	"context"
	"encoding/json"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// The public API contract of DESIGN.md: other systems rely on these names and signatures.
// This file fails to compile when one of them is renamed or changes shape.
var (
	_ admission.Category    = admission.Technical
	_                       = []admission.Category{admission.Management, admission.Strategy, admission.Economic}
	_                       = []admission.TitleLevel{admission.TitleNone, admission.Junior, admission.Intermediate, admission.AssociateSenior, admission.Senior}
	_                       = []admission.OrgKind{admission.University, admission.Institute, admission.Enterprise, admission.Government, admission.Hospital, admission.Financial, admission.OtherOrg}
	_                       = []admission.Status{admission.Pending, admission.Active, admission.Exited}
	_                       = []admission.ExitReason{admission.ExitOnRequest, admission.ExitNoLongerQualified, admission.ExitMisconduct, admission.ExitLegal, admission.ExitUnsuitable}
	_ admission.Affiliation = admission.Affiliation{Org: "", OrgCode: "", Kind: "", Department: "", Position: "", From: time.Time{}, To: time.Time{}}
	_ admission.Credential  = admission.Credential{Kind: "", Detail: "", Date: time.Time{}}
	_ admission.Record      = admission.Record{Kind: "", Detail: "", Date: time.Time{}, Serious: false}
	_ admission.Exit        = admission.Exit{Reason: "", Date: time.Time{}, Note: ""}
	_ admission.Expert      = admission.Expert{ID: "", Name: "", IDNumber: "", Mobile: "", BirthDate: time.Time{}, RetirementAge: 0,
		Affiliation: admission.Affiliation{}, Past: []admission.Affiliation{}, Title: 0, Categories: []admission.Category{},
		Fields: []string{}, Region: "", Credentials: []admission.Credential{}, Records: []admission.Record{}, Status: "",
		Exits: []admission.Exit{}, UpdatedAt: time.Time{}, Tags: []string{}}
	_ func(time.Time, time.Time) int                                         = admission.Age
	_ func(admission.Expert) error                                           = admission.Validate
	_ func() *admission.Rules                                                = admission.DefaultRules
	_ func(admission.Expert, time.Time, *admission.Rules) admission.Decision = admission.Check
	_ admission.Decision                                                     = admission.Decision{Eligible: false, Categories: nil, Findings: []admission.Finding{{Article: "", Code: "", Message: ""}}}

	_ conflict.Person                                                                           = conflict.Person{ID: "", Name: "", IDNumber: "", Affiliation: admission.Affiliation{}}
	_ conflict.Avoidance                                                                        = conflict.Avoidance{ExpertID: "", Name: "", Org: "", Department: "", Reason: ""}
	_ conflict.Project                                                                          = conflict.Project{ID: "", Leader: conflict.Person{}, Members: []conflict.Person{}, Avoid: []conflict.Avoidance{}, Region: ""}
	_ conflict.Relation                                                                         = conflict.Relation{A: "", B: "", Kind: "", Since: time.Time{}, Until: time.Time{}}
	_ conflict.Conflict                                                                         = conflict.Conflict{ExpertID: "", Clause: 0, Code: "", Reason: "", Definite: false}
	_ func() *conflict.Rules                                                                    = conflict.DefaultRules
	_ func(conflict.Project, []conflict.Relation, time.Time, *conflict.Rules) *conflict.Checker = conflict.NewChecker
	_ func(*conflict.Checker, admission.Expert) []conflict.Conflict                             = (*conflict.Checker).Check

	_                                                              = []evaluation.Grade{evaluation.Poor, evaluation.Good, evaluation.Excellent}
	_ evaluation.Rating                                            = evaluation.Rating{ExpertID: "", ActivityID: "", RaterUnit: "", Grade: 0, At: time.Time{}, Comment: ""}
	_ evaluation.Summary                                           = evaluation.Summary{ExpertID: "", Year: 0, Total: 0, Excellent: 0, Good: 0, Poor: 0}
	_ func([]evaluation.Rating, int) map[string]evaluation.Summary = evaluation.Summarize
	_ func(evaluation.Summary) bool                                = evaluation.PreferentialEligible

	_                                              = []selection.Mode{selection.V1, selection.RFC3797}
	_ selection.Entropy                            = selection.Entropy{Sources: [][]uint64{}}
	_ func(selection.Entropy) string               = selection.Entropy.Key
	_ func(int, int, string, selection.Mode) []int = selection.Sequence
	_ selection.Quota                              = selection.Quota{Name: "", Filter: "", Min: 0, Max: 0}
	_ selection.GroupCap                           = selection.GroupCap{Name: "", Key: "", Max: 0}
	_ selection.Plan                               = selection.Plan{Reason: "", ApprovedBy: "", FiledWith: "", At: time.Time{}}
	_ selection.Request                            = selection.Request{ID: "", Project: conflict.Project{}, Size: 0, At: time.Time{}, Criteria: "",
		Quotas: []selection.Quota{}, Groups: []selection.GroupCap{}, Preferred: []string{}, Plan: &selection.Plan{}}
	_ selection.Pool                                                                                          = selection.Pool{Experts: []admission.Expert{}, Usage: map[string]int{}, Last: map[string]evaluation.Summary{}, Relations: []conflict.Relation{}}
	_ func() *selection.Rules                                                                                 = selection.DefaultRules
	_ func(selection.Request, selection.Pool, selection.Entropy, *selection.Rules) (*selection.Result, error) = selection.Draw
	_ selection.Result                                                                                        = selection.Result{Panel: []selection.Pick{}, Reserve: []selection.Pick{}, Excluded: []selection.Exclusion{}, PoolDigest: "", Key: ""}
	_ selection.Pick                                                                                          = selection.Pick{ExpertID: "", Preferential: false, Round: 0}
	_ selection.Exclusion                                                                                     = selection.Exclusion{ExpertID: "", Article: "", Code: "", Reason: ""}
	_ error                                                                                                   = selection.ErrInfeasible

	_ audit.Actor                                                         = audit.Actor{ID: "", Name: "", Role: "", Unit: "", OnBehalfOf: ""}
	_ audit.Action                                                        = audit.ActionDraw
	_                                                                     = []audit.Action{audit.ActionView, audit.ActionNotify, audit.ActionRespond, audit.ActionReview, audit.ActionRecusal, audit.ActionRating}
	_ audit.Event                                                         = audit.Event{At: time.Time{}, Actor: audit.Actor{}, Action: "", Subjects: []string{}, Data: json.RawMessage{}}
	_ audit.Store                                                         = audit.NewMemoryStore()
	_ func(context.Context, audit.Store, note.Signer) (*audit.Log, error) = audit.NewLog
	_ func(*audit.Log, context.Context, audit.Event) (int64, error)       = (*audit.Log).Append
	_ func(*audit.Log, context.Context) ([]byte, error)                   = (*audit.Log).Checkpoint
	_ func(context.Context, audit.Store, []byte, note.Verifier) error     = audit.Verify
	_ func(string) string                                                 = audit.MaskMobile
	_ func(string) string                                                 = audit.MaskIDNumber
	_ func(string) string                                                 = audit.MaskName

	_ func() *expertdb.Policy                = expertdb.DefaultPolicy
	_ func([]byte) (*expertdb.Policy, error) = expertdb.LoadPolicy
)
