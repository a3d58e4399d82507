package report_test

import (
	"bytes"
	"context"
	"html"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/internal/synth"
	"github.com/wzsti/expertdb/report"
	"github.com/wzsti/expertdb/selection"
)

var cst = time.FixedZone("CST", 8*3600)

var (
	admin = audit.Actor{ID: "u-admin", Name: "周敏", Role: audit.RoleCityAdmin, Unit: "市科技局"}
	clerk = audit.Actor{ID: "u-gx", Name: "李四", Role: audit.RoleDivision, Unit: "高新技术处"}
)

// drawn is a draw made through the Service with a preferential pick, a decline and a missed
// deadline, and the audit evidence of its draw event.
type drawn struct {
	rec      *expertdb.DrawRecord
	view     *expertdb.CampaignView
	evidence *report.AuditEvidence
	pool     *synth.Pool
	pubKey   string
}

var (
	fixtureOnce sync.Once
	fixture     drawn
	fixtureErr  error
)

func theDraw(t testing.TB) drawn {
	t.Helper()
	fixtureOnce.Do(func() { fixture, fixtureErr = makeDraw() })
	require.NoError(t, fixtureErr)
	return fixture
}

func makeDraw() (drawn, error) {
	ctx := context.Background()
	pool := synth.Generate(synth.Options{Seed: 5, Size: 300})
	skey, vkey, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{1}, 64)), "expertdb.report-test")
	if err != nil {
		return drawn{}, err
	}
	signer, _ := note.NewSigner(skey)
	now := pool.AsOf
	notifier := &expertdb.RecordingNotifier{}
	ratings := evaluation.NewMemoryStore()
	if err := ratings.Add(ctx, pool.History(2025).Ratings...); err != nil {
		return drawn{}, err
	}
	svc, err := expertdb.NewService(ctx, expertdb.Options{
		Users: []audit.User{{ID: admin.ID, Name: admin.Name, Role: admin.Role, Unit: admin.Unit},
			{ID: clerk.ID, Name: clerk.Name, Role: clerk.Role, Unit: clerk.Unit}},
		Signer: signer, Notifier: notifier, Ratings: ratings, Clock: func() time.Time { return now },
		Random: bytes.NewReader(bytes.Repeat([]byte{5, 9, 2, 7}, 1<<12)),
	})
	if err != nil {
		return drawn{}, err
	}
	for _, app := range pool.Applications {
		if _, err := svc.Admit(ctx, admin, app); err != nil {
			return drawn{}, err
		}
	}
	// The preferential pick: the first expert eligible under Art. 25 with no conflict.
	project := pool.Project("R-REPORT-1")
	sums := evaluation.Summarize(pool.History(2025).Ratings, 2025)
	pref := ""
	for _, app := range pool.Applications {
		e := app.Expert
		if evaluation.PreferentialEligible(sums[e.ID]) && e.Affiliation.Org != project.Leader.Affiliation.Org &&
			e.Affiliation.Org != project.Members[0].Affiliation.Org && e.Affiliation.Org != project.Members[1].Affiliation.Org &&
			e.Affiliation.Org != project.Avoid[0].Org {
			pref = e.ID
			break
		}
	}
	req := expertdb.DrawRequest{
		Request: selection.Request{ID: "R-REPORT-1", Size: 6, At: time.Date(2026, 3, 20, 9, 0, 0, 0, cst), Project: project,
			Quotas:    []selection.Quota{{Name: "经济专家", Filter: `"economic" in expert.Categories`, Min: 1}},
			Groups:    []selection.GroupCap{{Name: "同一单位", Key: "expert.Affiliation.Org", Max: 1}},
			Preferred: []string{pref},
			Plan: &selection.Plan{Reason: "需一名评价优秀的专家", ApprovedBy: "郑国强", FiledWith: "局机关纪委",
				At: time.Date(2026, 3, 9, 0, 0, 0, 0, cst)}},
		Unit: clerk.Unit, Relations: pool.Relations([]string{project.Members[0].ID}, 3),
		Entropy: &selection.Entropy{Sources: [][]uint64{{2026031}, {3, 7, 11, 19, 24, 28, 33}}},
	}
	now = time.Date(2026, 3, 10, 10, 0, 0, 0, cst)
	rec, err := svc.Draw(ctx, clerk, req)
	if err != nil {
		return drawn{}, err
	}
	view, err := svc.StartCampaign(ctx, clerk, req.ID)
	if err != nil {
		return drawn{}, err
	}
	code := func(id string) string {
		sent := notifier.Sent()
		for i := len(sent) - 1; i >= 0; i-- {
			if sent[i].ExpertID == id {
				for _, f := range strings.FieldsFunc(sent[i].Text, func(r rune) bool { return r < '0' || r > '9' }) {
					if len(f) == selection.ReplyCodeDigits {
						return f
					}
				}
			}
		}
		return ""
	}
	decliner, silent := view.Seats[1].ExpertID, view.Seats[2].ExpertID
	now = now.Add(time.Hour)
	if view, err = svc.Respond(ctx, clerk, req.ID, expertdb.Response{ExpertID: decliner, Code: code(decliner),
		Reason: "出差，请联系 13812345678"}); err != nil {
		return drawn{}, err
	}
	for _, st := range view.Seats {
		if st.Status == selection.SeatPending && st.ExpertID != silent {
			if view, err = svc.Respond(ctx, clerk, req.ID, expertdb.Response{ExpertID: st.ExpertID, Code: code(st.ExpertID),
				Accept: true, Pledge: "P-" + st.ExpertID}); err != nil {
				return drawn{}, err
			}
		}
	}
	now = now.Add(48 * time.Hour)
	if view, err = svc.Expire(ctx, clerk, req.ID); err != nil {
		return drawn{}, err
	}
	for _, st := range view.Seats {
		if st.Status == selection.SeatPending {
			if view, err = svc.Respond(ctx, clerk, req.ID, expertdb.Response{ExpertID: st.ExpertID, Code: code(st.ExpertID),
				Accept: true, Pledge: "P-" + st.ExpertID}); err != nil {
				return drawn{}, err
			}
		}
	}
	signed, err := svc.Checkpoint(ctx)
	if err != nil {
		return drawn{}, err
	}
	ev, err := report.Evidence(ctx, svc.Log(), signed, rec.AuditIndex)
	if err != nil {
		return drawn{}, err
	}
	return drawn{rec: rec, view: view, evidence: ev, pool: pool, pubKey: vkey}, nil
}

func render(t testing.TB, p report.Page) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.Render(&buf, p))
	return buf.String()
}

// TestRenderShowsTheDraw: the page carries every fact a third party needs to check the draw.
func TestRenderShowsTheDraw(t *testing.T) {
	d := theDraw(t)
	page := render(t, report.Page{Record: d.rec, Campaign: d.view, Audit: d.evidence, Policy: "温州市科技专家库管理办法",
		PolicyFile: "ruian.yaml", RecordFile: "R-REPORT-1.json", PublicKey: d.pubKey, Database: "wz.sqlite", CheckpointFile: "cp.txt"})
	r := d.rec.Result
	require.True(t, d.view.Complete)
	text := html.UnescapeString(page) // what a reader sees: hashes hold '+', escaped as &#43;
	for _, want := range []string{
		"专家抽取记录表", "R-REPORT-1", "高新技术处", "2026-03-20 09:00", "6 名",
		"经济专家", `"economic" in expert.Categories`, "同一单位", "expert.Affiliation.Org",
		"择优选取", "需一名评价优秀的专家", "郑国强", "局机关纪委",
		"2026031./3.7.11.19.24.28.33./", "来源 2：3 7 11 19 24 28 33",
		r.RequestDigest, r.PoolDigest, r.Key, "模式 v1", "expertdb-draw-v1",
		"project-leader", "Art. 15(1)", "same-department",
		"婉拒", "逾期未回复", "接受", "已签承诺书 P-",
		d.evidence.Origin, d.evidence.Root, d.evidence.LeafHash, d.pubKey[:20],
		"expertctl replay -policy ruian.yaml R-REPORT-1.json",
		"expertctl replay -policy ruian.yaml -db wz.sqlite -checkpoint cp.txt R-REPORT-1.json",
		"expertctl audit verify -db wz.sqlite -checkpoint cp.txt",
	} {
		assert.Contains(t, text, want)
	}
	for _, h := range d.evidence.Proof {
		assert.Contains(t, text, h)
	}
	for _, st := range d.view.Seats {
		assert.Contains(t, text, st.ExpertID)
	}
	// Every exclusion code appears with its count.
	counts := map[string]int{}
	for _, x := range r.Excluded {
		counts[x.Code]++
	}
	for code, n := range counts {
		assert.Regexp(t, regexp.MustCompile(regexp.QuoteMeta(code)+`</td><td>[^<]*</td><td class="num">`+strconv.Itoa(n)+`<`), page)
	}
	// Without campaign and evidence the page shows the drawn sequence and no audit section.
	bare := render(t, report.Page{Record: d.rec})
	assert.Contains(t, bare, "递补候选")
	assert.NotContains(t, bare, "审计证据")
	assert.Contains(t, bare, "expertctl replay R-REPORT-1.json")
}

// TestRenderHasNoPersonalData: no mobile or ID number of any expert or project member, and no
// full name of anyone seated, appears on the page; typed-in mobiles are masked.
func TestRenderHasNoPersonalData(t *testing.T) {
	d := theDraw(t)
	page := render(t, report.Page{Record: d.rec, Campaign: d.view, Audit: d.evidence})
	for _, e := range d.rec.Pool.Experts {
		require.NotContains(t, page, e.Mobile, e.ID)
		require.NotContains(t, page, e.IDNumber, e.ID)
	}
	for _, st := range d.view.Seats {
		for _, app := range d.pool.Applications {
			if app.Expert.ID == st.ExpertID {
				assert.NotContains(t, page, ">"+app.Expert.Name+"<", st.ExpertID)
				assert.Contains(t, page, audit.MaskName(app.Expert.Name))
			}
		}
	}
	if n := d.rec.Request.Project.Leader.IDNumber; n != "" {
		assert.NotContains(t, page, n)
	}
	assert.NotContains(t, page, "13812345678")
	assert.Contains(t, page, "138****5678")
	assert.NotRegexp(t, regexp.MustCompile(`(^|[^0-9a-zA-Z/+])1[3-9][0-9]{9}([^0-9a-zA-Z/+=]|$)`), page)
}

// TestRenderEscapes: hostile text in the request is escaped, never markup.
func TestRenderEscapes(t *testing.T) {
	rec := pureRecord(t)
	rec.Unit = `<b onclick="x()">处</b>`
	rec.Request.Criteria = `expert.Name != "<script>alert(1)</script>"`
	rec.Request.Plan = &selection.Plan{Reason: `</td></tr></table><img src=x onerror=alert(1)>`, ApprovedBy: "郑国强",
		FiledWith: "局机关纪委", At: time.Date(2026, 3, 1, 0, 0, 0, 0, cst)}
	page := render(t, report.Page{Record: rec, Policy: `<i>细则</i>`})
	assert.NotContains(t, page, "<script>")
	assert.NotContains(t, page, "<img")
	assert.NotContains(t, page, "<b onclick")
	assert.NotContains(t, page, "<i>细则")
	assert.Contains(t, page, "&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.Contains(t, page, "&lt;img src=x onerror=alert(1)&gt;")
}

// TestRenderIsSelfContained: no scripts, links, images, fonts or URLs to fetch.
func TestRenderIsSelfContained(t *testing.T) {
	d := theDraw(t)
	page := render(t, report.Page{Record: d.rec, Campaign: d.view, Audit: d.evidence})
	for _, bad := range []string{"<script", "<link", "<img", "src=", "url(", "@import", "http://", "https://"} {
		assert.NotContains(t, page, bad)
	}
	assert.Contains(t, page, "@page { size: A4")
	assert.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"))
}

func TestRenderRequiresARecord(t *testing.T) {
	var buf bytes.Buffer
	assert.Error(t, report.Render(&buf, report.Page{}))
	assert.Error(t, report.Render(&buf, report.Page{Record: &expertdb.DrawRecord{}}))
	assert.Zero(t, buf.Len())
}

// TestEvidence: the evidence checks against its checkpoint; bad input is refused.
func TestEvidence(t *testing.T) {
	ctx := context.Background()
	skey, vkey, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{2}, 64)), "ev.test")
	require.NoError(t, err)
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	l, err := audit.NewLog(ctx, audit.NewMemoryStore(), signer)
	require.NoError(t, err)
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		_, err := l.Append(ctx, audit.Event{At: at.Add(time.Duration(i) * time.Minute), Actor: clerk, Action: audit.ActionView,
			Subjects: []string{"R-" + strconv.Itoa(i)}})
		require.NoError(t, err)
	}
	signed, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	cp, err := audit.OpenCheckpoint(signed, verifier)
	require.NoError(t, err)
	ev, err := report.Evidence(ctx, l, signed, 3)
	require.NoError(t, err)
	assert.Equal(t, int64(3), ev.Index)
	assert.Equal(t, int64(5), ev.Size)
	assert.Equal(t, "ev.test", ev.Origin)
	assert.Contains(t, ev.Record, `"subjects":["R-3"]`)
	proof, err := l.ProveInclusion(3, 5)
	require.NoError(t, err)
	require.NoError(t, audit.CheckInclusion(cp, proof, []byte(ev.Record)))
	assert.Len(t, ev.Proof, len(proof.Path))

	_, err = report.Evidence(ctx, l, signed, 5)
	assert.ErrorContains(t, err, "not covered")
	_, err = report.Evidence(ctx, l, []byte("no note"), 1)
	assert.Error(t, err)
	// A checkpoint of another log: the proof does not check against its root.
	other := strings.Replace(string(signed), "\n5\n", "\n4\n", 1)
	_, err = report.Evidence(ctx, l, []byte(other), 1)
	assert.Error(t, err)
}

// pureRecord is a small draw record made without a Service.
func pureRecord(t require.TestingT) *expertdb.DrawRecord {
	pool := synth.Generate(synth.Options{Seed: 9, Size: 30})
	var experts []admission.Expert
	for _, app := range pool.Applications {
		e := app.Expert
		e.Status = admission.Active
		experts = append(experts, e)
	}
	req := selection.Request{ID: "R-PURE", Size: 3, At: time.Date(2026, 3, 20, 9, 0, 0, 0, cst)}
	res, err := selection.Draw(req, selection.Pool{Experts: experts}, selection.Entropy{Sources: [][]uint64{{1, 2, 3}}}, nil)
	require.NoError(t, err)
	return &expertdb.DrawRecord{Version: "expertdb-draw-record-v1", Request: req, Unit: "高新技术处",
		Entropy: selection.Entropy{Sources: [][]uint64{{1, 2, 3}}}, Pool: selection.Pool{Experts: experts}, Result: res,
		DrawnAt: time.Date(2026, 3, 10, 10, 0, 0, 0, cst), DrawnBy: clerk}
}

// TestTypedPersonalDataIsMasked: whatever mobile or ID number an operator types into a reason,
// the plan or the unit, the page shows it masked.
func TestTypedPersonalDataIsMasked(t *testing.T) {
	base := pureRecord(t)
	rapid.Check(t, func(t *rapid.T) {
		mobile := rapid.StringMatching(`1[3-9][0-9]{9}`).Draw(t, "mobile")
		first := rapid.StringMatching(`33030[1-9](19[5-9][0-9]|200[0-5])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}`).Draw(t, "id17")
		c, ok := admission.IDNumberCheckChar(first)
		require.True(t, ok)
		id := first + string(c)
		filler := rapid.StringMatching(`[\p{Han}a-z ，。：]{0,8}`).Draw(t, "filler")
		rec := *base
		rec.Unit = filler + mobile
		rec.Request.Plan = &selection.Plan{Reason: filler + id + filler, ApprovedBy: mobile, FiledWith: "局机关纪委",
			At: time.Date(2026, 3, 1, 0, 0, 0, 0, cst)}
		var buf bytes.Buffer
		require.NoError(t, report.Render(&buf, report.Page{Record: &rec, Policy: filler + mobile}))
		page := buf.String()
		require.NotContains(t, page, mobile)
		require.NotContains(t, page, id)
		require.Contains(t, page, audit.MaskMobile(mobile))
	})
}

// TestRenderInvited: an invited expert (Art. 12, 28) shows with the whole approval chain and
// the filing, masked like everyone else.
func TestRenderInvited(t *testing.T) {
	rec := pureRecord(t)
	guest := synth.Generate(synth.Options{Seed: 77, Size: 1}).Applications[0].Expert
	guest.ID = "X-GUEST"
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, cst) }
	rec.Request.Invited = []selection.Invitation{{Expert: guest, Reason: "库内无海洋装备防腐专家",
		Approvals: []selection.Approval{{Role: selection.DivisionHead, By: "王处长", At: day(2)},
			{Role: selection.DeputyLeader, By: "郑国强", At: day(3)}, {Role: selection.MainLeader, By: "林晓东", At: day(3)},
			{Role: selection.BureauMeeting, By: "局务会纪要〔2026〕3号", At: day(5)}},
		FiledWith: "局机关纪委", FiledAt: day(6)}}
	rec.Result.Panel = append(rec.Result.Panel, selection.Pick{ExpertID: guest.ID, Invited: true, Round: -1})
	page := render(t, report.Page{Record: rec})
	for _, want := range []string{"特邀专家", "X-GUEST " + audit.MaskName(guest.Name), "库内无海洋装备防腐专家", "处室负责人", "王处长",
		"分管领导", "主要领导", "局务会", "局务会纪要〔2026〕3号", "2026-03-06 10:00"} {
		assert.Contains(t, page, want)
	}
	assert.NotContains(t, page, guest.Mobile)
	assert.NotContains(t, page, guest.IDNumber)
	assert.NotContains(t, page, ">"+guest.Name+"<")
}
