package expertdb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

var cst = time.FixedZone("CST", 8*3600)

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

var (
	admin      = audit.Actor{ID: "u-admin", Name: "周敏", Role: audit.RoleCityAdmin, Unit: "市科技局"}
	leader     = audit.Actor{ID: "u-leader", Name: "郑国强", Role: audit.RoleLeader, Unit: "市科技局"}
	clerk      = audit.Actor{ID: "u-clerk", Name: "李四", Role: audit.RoleDivision, Unit: "高新技术处"}
	otherClerk = audit.Actor{ID: "u-clerk2", Name: "王五", Role: audit.RoleDivision, Unit: "农村科技处"}
	colleague  = audit.Actor{ID: "u-clerk3", Name: "孔九", Role: audit.RoleDivision, Unit: "高新技术处"}
	county     = audit.Actor{ID: "u-county", Name: "陈六", Role: audit.RoleCounty, Unit: "瑞安市科技局"}
	inspector  = audit.Actor{ID: "u-disc", Name: "赵七", Role: audit.RoleDiscipline, Unit: "局机关纪委"}
	maintainer = audit.Actor{ID: "u-ops", Name: "钱八", Role: audit.RoleMaintainer, Unit: "温州市科技信息研究院"}
)

func users() []audit.User {
	var out []audit.User
	for _, a := range []audit.Actor{admin, leader, clerk, otherClerk, colleague, county, inspector, maintainer} {
		out = append(out, audit.User{ID: a.ID, Name: a.Name, Role: a.Role, Unit: a.Unit})
	}
	return out
}

func idNumber(region string, birth time.Time, seq int) string {
	first := fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), seq)
	c, ok := admission.IDNumberCheckChar(first)
	if !ok {
		panic(first)
	}
	return first + string(c)
}

var surnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"}
var givens = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"}
var units = []struct {
	org, dept string
	kind      admission.OrgKind
}{
	{"温州大学", "机电工程学院", admission.University},
	{"温州医科大学", "药学院", admission.University},
	{"温州大学", "化学与材料工程学院", admission.University},
	{"中国科学院大学温州研究院", "", admission.Institute},
	{"正泰集团股份有限公司", "研究院", admission.Enterprise},
	{"温州市人民医院", "", admission.Hospital},
	{"浙江瓯江实验室", "", admission.Institute},
	{"温州银行股份有限公司", "", admission.Financial},
}

// applicant i: a deterministic eligible technical (and every fourth also economic) expert.
func applicant(i int) admission.Application {
	birth := time.Date(1965+i%25, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
	u := units[i%len(units)]
	e := admission.Expert{
		ID: fmt.Sprintf("E%04d", i), Name: surnames[i%len(surnames)] + givens[(i/3)%len(givens)],
		IDNumber: idNumber("330302", birth, i%1000), Mobile: fmt.Sprintf("138%08d", 10000000+i),
		BirthDate:   birth,
		Affiliation: admission.Affiliation{Org: u.org, Kind: u.kind, Department: u.dept},
		Title:       admission.AssociateSenior + admission.TitleLevel(i%2),
		Categories:  []admission.Category{admission.Technical},
		Region:      "330302",
		Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality, Date: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	if i%4 == 0 {
		e.Categories = append(e.Categories, admission.Economic)
		e.Credentials = append(e.Credentials,
			admission.Credential{Kind: admission.CredFundManagement, Date: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
			admission.Credential{Kind: admission.CredFinanceSeniorTitle, Date: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	}
	return admission.Application{Channel: admission.ChannelApplication, Expert: e,
		Personal: &admission.PersonalEvidence{FormStampedBy: u.org, Proofs: []string{"file-" + e.ID},
			PledgeSignedAt: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}}
}

func testSigner(t testing.TB) (note.Signer, note.Verifier) {
	skey, vkey, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{3}, 64)), "expertdb.test")
	require.NoError(t, err)
	s, err := note.NewSigner(skey)
	require.NoError(t, err)
	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	return s, v
}

type fixture struct {
	svc      *expertdb.Service
	clock    *fakeClock
	notifier *expertdb.RecordingNotifier
	audit    *audit.MemoryStore
	verifier note.Verifier
	ledger   *selection.MemoryLedger
	experts  *expertdb.MemoryExpertStore
	rated    *evaluation.MemoryStore
}

func (f *fixture) ratings() *evaluation.MemoryStore { return f.rated }

func newFixture(t *testing.T) *fixture { return newFixtureWith(t, nil) }

// newFixtureWith is newFixture with the Service's options changed by opt.
func newFixtureWith(t *testing.T, opt func(*expertdb.Options)) *fixture {
	t.Helper()
	signer, verifier := testSigner(t)
	f := &fixture{clock: &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, cst)}, notifier: &expertdb.RecordingNotifier{},
		audit: audit.NewMemoryStore(), verifier: verifier, ledger: selection.NewMemoryLedger(),
		experts: expertdb.NewMemoryExpertStore(), rated: evaluation.NewMemoryStore()}
	o := expertdb.Options{
		Users: users(), Audit: f.audit, Ratings: f.rated, Signer: signer, Notifier: f.notifier, Clock: f.clock.Now,
		Ledger: f.ledger, Experts: f.experts, Random: bytes.NewReader(bytes.Repeat([]byte{42}, 1<<16)),
	}
	if opt != nil {
		opt(&o)
	}
	svc, err := expertdb.NewService(context.Background(), o)
	require.NoError(t, err)
	f.svc = svc
	return f
}

func (f *fixture) admitN(t *testing.T, n int) {
	for i := range n {
		_, err := f.svc.Admit(context.Background(), admin, applicant(i))
		require.NoError(t, err, "applicant %d", i)
	}
}

// codeFor finds the reply code sent to expert id (the last notice to them).
func (f *fixture) codeFor(t *testing.T, id string) string {
	sent := f.notifier.Sent()
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].ExpertID == id {
			require.Contains(t, sent[i].Text, sent[i].Code, "the notice text carries the code")
			return sent[i].Code
		}
	}
	t.Fatalf("no notice to %s", id)
	return ""
}

func storyRequest() expertdb.DrawRequest {
	return expertdb.DrawRequest{
		Request: selection.Request{
			ID: "R-2026-001", Size: 5, At: time.Date(2026, 3, 20, 9, 0, 0, 0, cst),
			Project: conflict.Project{ID: "P-1", Leader: conflict.Person{ID: "L1", Name: "孙立新",
				Affiliation: admission.Affiliation{Org: "温州大学", Kind: admission.University, Department: "机电工程学院"}}},
			Quotas: []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 1}},
			Groups: []selection.GroupCap{{Name: "one-per-unit", Key: "expert.Affiliation.Org", Max: 2}},
		},
		Unit:    clerk.Unit,
		Entropy: &selection.Entropy{Sources: [][]uint64{{20260301}, {3, 17, 22, 28, 31, 9}}},
	}
}

// TestServiceStory: admit → draw → decline → redraw → accept → rate, and the audit log
// verifies and contains every step.
func TestServiceStory(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 40)

	// A refused applicant: too old, refusal recorded.
	old := applicant(99)
	old.Expert.BirthDate = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	old.Expert.IDNumber = idNumber("330302", old.Expert.BirthDate, 99)
	_, err := f.svc.Admit(ctx, admin, old)
	var re *admission.RefusalError
	require.ErrorAs(t, err, &re)

	rec := drawReal(t, f.svc, f.clock, clerk, storyRequest())
	require.Len(t, rec.Result.Panel, 5)
	for _, x := range rec.Result.Excluded {
		if x.Code == "same-department" || x.Code == "project-leader" {
			assert.Equal(t, "Art. 15(3)", x.Article[:len("Art. 15(3)")])
		}
	}
	// No re-roll.
	_, err = f.svc.Draw(ctx, clerk, storyRequest())
	require.ErrorIs(t, err, expertdb.ErrRequestState)
	_, err = f.svc.DrawCommitted(ctx, colleague, rec.Request.ID, expertdb.PublicValue{Source: rec.Commit.Source, Values: []uint64{3, 1, 4}})
	require.ErrorIs(t, err, expertdb.ErrAlreadyDrawn)

	view, err := f.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	require.Len(t, view.Seats, 5)
	require.Len(t, f.notifier.Sent(), 5)

	first := view.Seats[0].ExpertID
	view, err = f.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: first, Code: f.codeFor(t, first),
		Reason: "出差", UnfamiliarField: false})
	require.NoError(t, err, "an operator records a phone decline")
	require.Len(t, view.Seats, 6, "the decline was refilled from the sequence")

	for _, st := range view.Seats {
		if st.Status != selection.SeatPending {
			continue
		}
		view, err = f.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: st.ExpertID,
			Code: f.codeFor(t, st.ExpertID), Accept: true, Pledge: "pledge-" + st.ExpertID})
		require.NoError(t, err)
	}
	require.True(t, view.Complete)
	require.Len(t, view.Panel, 5)

	// After the activity the division rates one of them.
	f.clock.t = time.Date(2026, 3, 21, 10, 0, 0, 0, cst)
	p := view.Panel[0]
	err = f.svc.Rate(ctx, clerk, rec.Request.ID, evaluation.Rating{ExpertID: p.ExpertID,
		Grade: evaluation.Excellent, Aspects: evaluation.Aspects{Expertise: evaluation.Excellent, Attitude: evaluation.Excellent, Quality: evaluation.Good}})
	require.NoError(t, err)

	// The log verifies and holds every step.
	cp, err := f.svc.Checkpoint(ctx)
	require.NoError(t, err)
	require.NoError(t, audit.Verify(ctx, f.audit, cp, f.verifier))
	res, err := f.svc.Log().Query(ctx, audit.Query{Subject: rec.Request.ID})
	require.NoError(t, err)
	require.NoError(t, res.Verify(f.verifier))
	actions := map[audit.Action]int{}
	for _, m := range res.Matches {
		actions[m.Event.Action]++
	}
	assert.Equal(t, 3, actions[audit.ActionDraw], "the commitment, the draw and the refused re-draw")
	assert.Equal(t, 1+5+1, actions[audit.ActionNotify], "the campaign start, five notices and one refill notice")
	assert.GreaterOrEqual(t, actions[audit.ActionRespond], 6)
	assert.Equal(t, 1, actions[audit.ActionRating])
	all, err := f.svc.Log().Query(ctx, audit.Query{Action: audit.ActionAdmission})
	require.NoError(t, err)
	assert.Len(t, all.Matches, 41, "40 admissions and one refusal")
	// No unmasked mobile anywhere in the log.
	recs, err := f.audit.Read(ctx, 0, f.svc.Log().Size())
	require.NoError(t, err)
	for _, r := range recs {
		assert.NotContains(t, string(r), "13810000", "mobile numbers are masked in the log")
	}
}

// TestCampaignSurvivesRestart: a second Service over the same stores picks up a campaign
// where the first left it.
func TestCampaignSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 30)
	rec, err := f.svc.Draw(ctx, clerk, storyRequest())
	require.NoError(t, err)
	_, err = f.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	v1, err := f.svc.Campaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	require.NotEmpty(t, v1.Seats)
}

// TestDenyByDefault: a table over roles × operations.
func TestDenyByDefault(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 30)
	rec, err := f.svc.Draw(ctx, clerk, storyRequest())
	require.NoError(t, err)
	stranger := audit.Actor{ID: "u-x", Name: "冒名", Role: audit.RoleCityAdmin, Unit: "市科技局"}

	ops := map[string]func(a audit.Actor) error{
		"admit": func(a audit.Actor) error { _, err := f.svc.Admit(ctx, a, applicant(200)); return err },
		"draw": func(a audit.Actor) error {
			r := storyRequest()
			r.ID = "R-" + a.ID
			r.Unit = a.Unit
			_, err := f.svc.Draw(ctx, a, r)
			return err
		},
		"view-campaign": func(a audit.Actor) error { _, err := f.svc.Campaign(ctx, a, rec.Request.ID); return err },
		"export":        func(a audit.Actor) error { _, err := f.svc.Export(ctx, a, []string{"E0001"}); return err },
		"exit": func(a audit.Actor) error {
			_, err := f.svc.Exit(ctx, a, "E0002", admission.Exit{Reason: admission.ExitUnsuitable, Note: "长期不更新信息", Evidence: []string{"核查记录"}})
			return err
		},
		"submit-application": func(a audit.Actor) error { _, err := f.svc.SubmitApplication(ctx, a, applicant(201)); return err },
		"review-application": func(a audit.Actor) error {
			_, err := f.svc.ReviewApplication(ctx, a, "E0201", admission.Review{Approve: false, Reasons: "材料不全"})
			return err
		},
		"request-exit": func(a audit.Actor) error {
			return f.svc.RequestExit(ctx, a, admission.ExitRequest{ExpertID: "E0004", Reason: "退休"})
		},
		"review-exit-request": func(a audit.Actor) error {
			_, err := f.svc.ReviewExitRequest(ctx, a, "E0005", admission.Review{Approve: true})
			return err
		},
		"update-profile": func(a audit.Actor) error {
			e, err := f.experts.Get(ctx, "E0006")
			require.NoError(t, err)
			e.Mobile = "13900000006"
			_, err = f.svc.UpdateProfile(ctx, a, e)
			return err
		},
		"record-training": func(a audit.Actor) error {
			_, err := f.svc.RecordTraining(ctx, a, "E0006", admission.Training{Kind: admission.TrainingIntegrity, Date: time.Date(2026, 2, 1, 0, 0, 0, 0, cst)})
			return err
		},
		"record-violation": func(a audit.Actor) error {
			_, err := f.svc.RecordViolation(ctx, a, "E0007", evaluation.ImproperOpinion, time.Time{}, "意见不当")
			return err
		},
		"review-integrity": func(a audit.Actor) error {
			_, err := f.svc.ReviewIntegrityRecords(ctx, a, "E0008", admission.ReviewRetained, "保留")
			return err
		},
		"appeal": func(a audit.Actor) error {
			return f.svc.File(ctx, a, expertdb.Filing{Kind: expertdb.FilingAppeal, ExpertID: "E0009", Text: "申诉"})
		},
		"sweep":       func(a audit.Actor) error { _, err := f.svc.Sweep(ctx, a); return err },
		"statistics":  func(a audit.Actor) error { _, err := f.svc.StatisticsInput(ctx, a, 2026); return err },
		"expire":      func(a audit.Actor) error { _, err := f.svc.Expire(ctx, a, rec.Request.ID); return err },
		"draw-record": func(a audit.Actor) error { _, err := f.svc.DrawRecord(ctx, a, rec.Request.ID); return err },
		"rate": func(a audit.Actor) error {
			return f.svc.Rate(ctx, a, rec.Request.ID, evaluation.Rating{ExpertID: "E0003", Grade: evaluation.Good})
		},
		"submit": func(a audit.Actor) error {
			r := storyRequest()
			r.Entropy = nil
			r.ID = "S-" + a.ID
			r.Unit = a.Unit
			_, err := f.svc.Submit(ctx, a, r)
			return err
		},
		"approve": func(a audit.Actor) error {
			_, err := f.svc.Approve(ctx, a, "Q-1", expertdb.ApproveRequest)
			return err
		},
		"commit": func(a audit.Actor) error {
			_, err := f.svc.Commit(ctx, a, "Q-1", testSource(f.clock.t, "Q-1"))
			return err
		},
		"served-on": func(a audit.Actor) error {
			_, err := f.svc.ServedOn(ctx, a, "E0003")
			return err
		},
		"void": func(a audit.Actor) error {
			_, err := f.svc.Void(ctx, a, inspector, "Q-1", "测试")
			return err
		},
	}
	allowed := map[string]map[string]bool{
		"admit":         {admin.ID: true},
		"draw":          {admin.ID: true, clerk.ID: true, otherClerk.ID: true, county.ID: true},
		"view-campaign": {admin.ID: true, clerk.ID: true, inspector.ID: true, maintainer.ID: true, leader.ID: true},
		"export":        {admin.ID: true, clerk.ID: true, otherClerk.ID: true, county.ID: true},
		"exit":          {admin.ID: true},
		"expire":        {admin.ID: true, clerk.ID: true},
		"draw-record":   {admin.ID: true, clerk.ID: true, inspector.ID: true, maintainer.ID: true, leader.ID: true},
		"rate":          {clerk.ID: true},
		"submit":        {admin.ID: true, clerk.ID: true, otherClerk.ID: true, county.ID: true},
		"approve":       {admin.ID: true, leader.ID: true},
		"commit":        {clerk.ID: true},
		"void":          {},
		"served-on":     {admin.ID: true, inspector.ID: true, maintainer.ID: true, leader.ID: true},
		// Issue 17: applications and exit requests (the reviewer of an application is
		// allowed here only when it is not the submitter; admin submitted E0201 above).
		"submit-application":  {admin.ID: true},
		"review-application":  {},
		"request-exit":        {admin.ID: true},
		"review-exit-request": {admin.ID: true},
		"update-profile":      {admin.ID: true},
		"record-training":     {admin.ID: true, clerk.ID: true, otherClerk.ID: true},
		"record-violation":    {admin.ID: true, clerk.ID: true, otherClerk.ID: true},
		"review-integrity":    {admin.ID: true},
		"appeal":              {admin.ID: true},
		"sweep":               {admin.ID: true},
		"statistics": {admin.ID: true, leader.ID: true, clerk.ID: true, otherClerk.ID: true, county.ID: true,
			inspector.ID: true, maintainer.ID: true},
	}
	q := storyRequest()
	q.ID, q.Entropy, q.Project.ID = "Q-1", nil, "P-Q"
	_, err = f.svc.Submit(ctx, colleague, q)
	require.NoError(t, err)
	for _, name := range []string{"view-campaign", "draw-record", "expire", "rate", "export", "draw", "admit", "exit",
		"submit", "approve", "commit", "void", "served-on",
		"submit-application", "review-application", "request-exit", "review-exit-request",
		"update-profile", "record-training", "record-violation", "review-integrity", "appeal", "sweep", "statistics"} {
		for _, a := range []audit.Actor{stranger, maintainer, inspector, county, otherClerk, leader, clerk, admin} {
			t.Run(name+"/"+a.ID, func(t *testing.T) {
				err := ops[name](a)
				if allowed[name][a.ID] {
					if errors.Is(err, audit.ErrDenied) {
						t.Fatalf("%s should be allowed to %s: %v", a.ID, name, err)
					}
					return
				}
				require.ErrorIs(t, err, audit.ErrDenied, "%s must be denied %s", a.ID, name)
				var oe *expertdb.OpError
				require.ErrorAs(t, err, &oe)
				assert.Equal(t, expertdb.StepAuthorize, oe.Step)
			})
		}
	}
	denied, err := f.svc.Log().Query(ctx, audit.Query{Action: audit.ActionAccessDenied})
	require.NoError(t, err)
	assert.NotEmpty(t, denied.Matches, "every denial is recorded")
}

// TestSealedPanel: until the review starts only the operator who drew and the discipline
// office see the names; a colleague in the same division sees placeholders before the start
// time and the names after it; an early unsealing needs an approver and is recorded.
func TestSealedPanel(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 30)
	rec, err := f.svc.Draw(ctx, clerk, storyRequest())
	require.NoError(t, err)
	_, err = f.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	names := pickIDsOf(rec.Result.Panel)

	for _, a := range []audit.Actor{clerk, inspector} {
		v, err := f.svc.Campaign(ctx, a, rec.Request.ID)
		require.NoError(t, err)
		assert.False(t, v.Sealed, a.ID)
		assert.Equal(t, names, seatIDs(v.Seats), a.ID)
	}
	v, err := f.svc.Campaign(ctx, colleague, rec.Request.ID)
	require.NoError(t, err)
	assert.True(t, v.Sealed)
	for _, st := range v.Seats {
		assert.Equal(t, expertdb.Sealed, st.ExpertID)
	}
	d, err := f.svc.DrawRecord(ctx, colleague, rec.Request.ID)
	require.NoError(t, err)
	assert.Empty(t, d.Pool.Experts)
	for _, p := range d.Result.Panel {
		assert.Equal(t, expertdb.Sealed, p.ExpertID)
	}

	// At the start time the panel opens by itself.
	f.clock.t = rec.Request.At
	v, err = f.svc.Campaign(ctx, colleague, rec.Request.ID)
	require.NoError(t, err)
	assert.False(t, v.Sealed)
	assert.Equal(t, names, seatIDs(v.Seats))

	// Earlier, only with another person's approval.
	f.clock.t = rec.Request.At.Add(-48 * time.Hour)
	err = f.svc.Unseal(ctx, colleague, colleague, rec.Request.ID, "评审提前")
	require.ErrorIs(t, err, audit.ErrDenied)
	err = f.svc.Unseal(ctx, colleague, clerk, rec.Request.ID, "评审提前")
	require.ErrorIs(t, err, audit.ErrDenied, "a division clerk may not approve")
	require.NoError(t, f.svc.Unseal(ctx, colleague, leader, rec.Request.ID, "评审会提前至本周"))
	v, err = f.svc.Campaign(ctx, colleague, rec.Request.ID)
	require.NoError(t, err)
	assert.False(t, v.Sealed)
	res, err := f.svc.Log().Query(ctx, audit.Query{Subject: rec.Request.ID, Action: audit.ActionApprove})
	require.NoError(t, err)
	require.Len(t, res.Matches, 1)
	assert.Equal(t, leader.ID, res.Matches[0].Event.Actor.OnBehalfOf)
}

func pickIDsOf(ps []selection.Pick) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ExpertID
	}
	return out
}

func seatIDs(ss []selection.Seat) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.ExpertID
	}
	return out
}

// TestBookingsExcludeFromOverlappingDraw: an expert who accepted a seat on one activity is
// excluded, with a reason, from a draw for another activity on the same day (Art. 8(2)),
// but not from one on another day; a withdrawal frees the date again.
func TestBookingsExcludeFromOverlappingDraw(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 40)
	first := storyRequest()
	rec := drawReal(t, f.svc, f.clock, clerk, first) // a practice draw books no seat
	view, err := f.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	booked := view.Seats[0].ExpertID
	_, err = f.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: booked, Code: f.codeFor(t, booked), Accept: true, Pledge: "p"})
	require.NoError(t, err)

	exclusionOf := func(r *expertdb.DrawRecord, id string) string {
		for _, x := range r.Result.Excluded {
			if x.ExpertID == id {
				return x.Code
			}
		}
		return ""
	}
	sameDay := storyRequest()
	sameDay.ID = "R-2026-002"
	sameDay.At = first.At.Add(5 * time.Hour)
	r2, err := f.svc.Draw(ctx, clerk, sameDay)
	require.NoError(t, err)
	assert.Equal(t, "booked", exclusionOf(r2, booked))

	nextDay := storyRequest()
	nextDay.ID = "R-2026-003"
	nextDay.At = first.At.Add(24 * time.Hour)
	r3, err := f.svc.Draw(ctx, clerk, nextDay)
	require.NoError(t, err)
	assert.NotEqual(t, "booked", exclusionOf(r3, booked))

	_, err = f.svc.Withdraw(ctx, clerk, rec.Request.ID, booked, "突发疾病")
	require.NoError(t, err)
	again := storyRequest()
	again.ID = "R-2026-004"
	again.At = first.At.Add(3 * time.Hour)
	r4, err := f.svc.Draw(ctx, clerk, again)
	require.NoError(t, err)
	assert.NotEqual(t, "booked", exclusionOf(r4, booked), "the withdrawal released the date")
}

// TestAlertsRaised: a second draw of the same request (a re-roll attempt, refused) and a
// burst of refused operations fire the policy's alert rules; the alerts are in the log.
func TestAlertsRaised(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 20)
	_, err := f.svc.Draw(ctx, clerk, storyRequest())
	require.NoError(t, err)
	_, err = f.svc.Draw(ctx, clerk, storyRequest())
	require.ErrorIs(t, err, expertdb.ErrAlreadyDrawn)
	for range 11 {
		_, err := f.svc.Export(ctx, maintainer, []string{"E0001"})
		require.ErrorIs(t, err, audit.ErrDenied)
	}
	res, err := f.svc.Log().Query(ctx, audit.Query{Action: audit.ActionAlert})
	require.NoError(t, err)
	rules := map[string]bool{}
	for _, m := range res.Matches {
		var a audit.Alert
		require.NoError(t, json.Unmarshal(m.Event.Data, &a))
		rules[a.Rule] = true
	}
	assert.True(t, rules["redraw"], "the re-roll attempt raised an alert: %v", rules)
	assert.True(t, rules["repeated-denials"], "the burst of denials raised an alert: %v", rules)
}

// TestViewExpertMasksByRole: who sees personal data (Art. 19, 20): divisions and the
// discipline office see the full profile, county users and maintainers the de-identified one;
// every viewing is recorded.
func TestViewExpertMasksByRole(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 2)
	full := applicant(1).Expert
	cases := []struct {
		actor  audit.Actor
		masked bool
	}{
		{admin, false}, {clerk, false}, {inspector, false}, {county, true}, {maintainer, true},
	}
	for _, c := range cases {
		t.Run(c.actor.ID, func(t *testing.T) {
			e, err := f.svc.ViewExpert(ctx, c.actor, full.ID)
			require.NoError(t, err)
			if c.masked {
				assert.Equal(t, audit.MaskMobile(full.Mobile), e.Mobile)
				assert.Equal(t, audit.MaskIDNumber(full.IDNumber), e.IDNumber)
				assert.Equal(t, audit.MaskName(full.Name), e.Name)
			} else {
				assert.Equal(t, full.Mobile, e.Mobile)
				assert.Equal(t, full.IDNumber, e.IDNumber)
			}
		})
	}
	res, err := f.svc.Log().Query(ctx, audit.Query{Subject: full.ID, Action: audit.ActionView})
	require.NoError(t, err)
	assert.Len(t, res.Matches, len(cases))
}

// TestWrongReplyCodesLockTheNotice: wrong codes are recorded; after MaxWrongCodes the notice
// is locked even for the right code.
func TestWrongReplyCodesLockTheNotice(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 20)
	rec, err := f.svc.Draw(ctx, clerk, storyRequest())
	require.NoError(t, err)
	view, err := f.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	id := view.Seats[0].ExpertID
	for i := range expertdb.MaxWrongCodes {
		_, err := f.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: id, Code: fmt.Sprintf("%08d", i), Accept: true, Pledge: "p"})
		require.ErrorIs(t, err, selection.ErrReplyCode)
	}
	_, err = f.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: id, Code: f.codeFor(t, id), Accept: true, Pledge: "p"})
	require.ErrorIs(t, err, expertdb.ErrReplyLocked)
	other := view.Seats[1].ExpertID
	_, err = f.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: other, Code: f.codeFor(t, other), Accept: true, Pledge: "p"})
	require.NoError(t, err, "other notices are not affected")
}

// TestRefillSkipsExpertsBookedSinceTheDraw: the expert a refill would notify has, since the
// draw, accepted a seat on another activity the same day. The refill does not notify them:
// their notice is declined on their behalf with the reason, and the next candidate is
// notified instead (Art. 8(2)).
func TestRefillSkipsExpertsBookedSinceTheDraw(t *testing.T) {
	ctx := context.Background()
	scenario := func(f *fixture) (*expertdb.DrawRecord, *expertdb.CampaignView) {
		f.admitN(t, 40)
		rec, err := f.svc.Draw(ctx, clerk, storyRequest())
		require.NoError(t, err)
		view, err := f.svc.StartCampaign(ctx, clerk, rec.Request.ID)
		require.NoError(t, err)
		return rec, view
	}
	decline := func(f *fixture, rec *expertdb.DrawRecord, view *expertdb.CampaignView) *expertdb.CampaignView {
		id := view.Seats[0].ExpertID
		v, err := f.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: id, Code: f.codeFor(t, id), Reason: "出差"})
		require.NoError(t, err)
		return v
	}

	// Who would the refill notify? The same scenario on its own stores tells.
	probe := newFixture(t)
	rec, view := scenario(probe)
	after := decline(probe, rec, view)
	x := after.Seats[len(after.Seats)-1].ExpertID

	t.Run("declared unavailable since the draw", func(t *testing.T) {
		f := newFixture(t)
		rec, view := scenario(f)
		e, err := f.experts.Get(ctx, x)
		require.NoError(t, err)
		e.Unavailable = []admission.Period{{From: rec.Request.At.Add(-24 * time.Hour), To: rec.Request.At.Add(72 * time.Hour), Reason: "出国访问"}}
		require.NoError(t, f.experts.Put(ctx, e))
		sentBefore := len(f.notifier.Sent())
		view = decline(f, rec, view)
		for _, n := range f.notifier.Sent()[sentBefore:] {
			assert.NotEqual(t, x, n.ExpertID)
		}
		require.Contains(t, seatIDs(view.Seats), x, "the refill reached the unavailable expert")
		for _, st := range view.Seats {
			if st.ExpertID == x {
				assert.Equal(t, selection.SeatDeclined, st.Status)
				assert.Contains(t, st.Reason, "已申报")
			}
		}
	})

	f := newFixture(t)
	rec, view = scenario(f)
	other := storyRequest()
	other.ID, other.Size, other.Quotas, other.Groups = "R-2026-009", 1, nil, nil
	other.Criteria = fmt.Sprintf("expert.ID == %q", x)
	other.Project.ID = "P-9"
	drawReal(t, f.svc, f.clock, clerk, other) // a practice draw books no seat
	_, err := f.svc.StartCampaign(ctx, clerk, other.ID)
	require.NoError(t, err)
	_, err = f.svc.Respond(ctx, clerk, other.ID, expertdb.Response{ExpertID: x, Code: f.codeFor(t, x), Accept: true, Pledge: "p"})
	require.NoError(t, err)

	sentBefore := len(f.notifier.Sent())
	view = decline(f, rec, view)
	for _, n := range f.notifier.Sent()[sentBefore:] {
		assert.NotEqual(t, x, n.ExpertID, "the expert booked elsewhere was notified by the refill")
	}
	require.Len(t, f.notifier.Sent()[sentBefore:], 1, "one replacement notified")
	var seat *selection.Seat
	for i := range view.Seats {
		if view.Seats[i].ExpertID == x {
			seat = &view.Seats[i]
		}
	}
	require.NotNil(t, seat, "the booked expert's turn is on record")
	assert.Equal(t, selection.SeatDeclined, seat.Status)
	assert.Contains(t, seat.Reason, "第八条第二项")
	again, err := f.svc.Campaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	assert.Equal(t, seatIDs(view.Seats), seatIDs(again.Seats), "the campaign replays from its events")
}

// TestDrawOnlyForOwnUnit: nobody draws for another unit, not even a city administrator, and
// the refusal is recorded as an access-denied event.
func TestDrawOnlyForOwnUnit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 20)
	for _, a := range []audit.Actor{admin, otherClerk} {
		_, err := f.svc.Draw(ctx, a, storyRequest()) // for clerk's unit
		require.ErrorIs(t, err, audit.ErrDenied, a.ID)
	}
	res, err := f.svc.Log().Query(ctx, audit.Query{Subject: storyRequest().ID, Action: audit.ActionAccessDenied})
	require.NoError(t, err)
	assert.Len(t, res.Matches, 2)
}
