// Command quickstart tells the whole story of the Wenzhou Science and Technology Expert
// Database Management Measures (温州市科技专家库管理办法, 温科发〔2024〕2号) on a synthetic database
// of about 2,000 fictional experts, with no set-up: the data lives in an embedded SQLite file
// in a temporary directory that is removed at the end.
//
//	go run ./examples/quickstart              # the story, a few screens
//	go run ./examples/quickstart -html draw.html   # also write the printable draw record (抽取记录表)
//
// The story: applicants are admitted (Art. 5, 6) and one is refused with its article; last
// year's ratings are imported (Art. 25); a division requests a panel with structure (≥ 2
// economic experts, ≤ 1 per unit) and one preferential pick with its approved plan (Art. 13,
// 14(1)); conflicted experts are excluded with their reasons (Art. 15); the panel is drawn
// from public lottery numbers; in the campaign one expert declines and one does not answer,
// and the redraws fill their seats (Art. 14(2)); the final panel is shown de-identified (Art.
// 20); the experts are rated (Art. 25); and the audit log is checkpointed, an inclusion proof
// of the draw is checked and the whole log is verified (Art. 17).
//
// The output is deterministic: a fixed clock, fixed entropy and a fixed signing key.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
	"golang.org/x/text/width"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/examples/sqlstore"
	"github.com/wzsti/expertdb/examples/sqlstore/sqlite"
	"github.com/wzsti/expertdb/internal/synth"
	"github.com/wzsti/expertdb/report"
	"github.com/wzsti/expertdb/selection"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

var cst = time.FixedZone("CST", 8*3600)

// The real-name users of the story (Art. 18). They are registered when the Service starts.
var (
	admin     = audit.Actor{ID: "u-admin", Name: "周敏", Role: audit.RoleCityAdmin, Unit: "市科技局"}
	clerk     = audit.Actor{ID: "u-gx", Name: "李四", Role: audit.RoleDivision, Unit: "高新技术处"}
	county    = audit.Actor{ID: "u-ra", Name: "陈六", Role: audit.RoleCounty, Unit: "瑞安市科技局"}
	inspector = audit.Actor{ID: "u-jw", Name: "赵七", Role: audit.RoleDiscipline, Unit: "局机关纪委"}
	deputy    = audit.Actor{ID: "u-fg", Name: "郑国强", Role: audit.RoleLeader, Unit: "市科技局"}
)

// story holds what the steps share.
type story struct {
	ctx      context.Context
	out      io.Writer
	timing   io.Writer
	now      time.Time
	svc      *expertdb.Service
	db       *sqlstore.DB
	notifier *expertdb.RecordingNotifier
	verifier note.Verifier
	pool     *synth.Pool
	experts  map[string]admission.Expert
	rec      *expertdb.DrawRecord
	view     *expertdb.CampaignView
	html     string
	record   string
	size     int
	keys     [2]string // the signing and verifier keys, written next to a kept database
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	size := fs.Int("n", synth.DefaultSize, "number of synthetic applicants")
	html := fs.String("html", "", "write the printable draw record (抽取记录表) to this HTML file")
	dbPath := fs.String("db", "", "keep the SQLite database in this new file, with its audit keys in <db>.key and <db>.pub (default: a temporary file, removed at the end)")
	record := fs.String("record", "", "write the draw record (JSON, for expertctl replay) to this file")
	timing := fs.Bool("timing", false, "print how long each step took (to stderr)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./examples/quickstart [-n 2000] [-html draw.html] [-db new.sqlite] [-record draw.json] [-timing]")
		fmt.Fprintln(stderr, "\nTells the story of the Wenzhou expert database Measures on a synthetic pool, with no set-up.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *size < 100 {
		fs.Usage()
		return 2
	}
	if *dbPath != "" {
		if _, err := os.Stat(*dbPath); err == nil {
			fmt.Fprintf(stderr, "quickstart: %s exists: the story starts from an empty database, give a new file\n", *dbPath)
			return 2
		}
	}
	s := &story{ctx: context.Background(), out: stdout, timing: io.Discard, html: *html, record: *record, size: *size}
	if *timing {
		s.timing = stderr
	}
	if err := s.run(*dbPath); err != nil {
		fmt.Fprintln(stderr, "quickstart:", err)
		return 1
	}
	return 0
}

func (s *story) printf(format string, a ...any) { fmt.Fprintf(s.out, format, a...) }

func (s *story) section(title string) { s.printf("\n%s\n%s\n", title, strings.Repeat("─", 60)) }

func (s *story) step(name string, start time.Time) {
	fmt.Fprintf(s.timing, "timing: %-28s %v\n", name, time.Since(start).Round(time.Millisecond))
}

func (s *story) run(dbPath string) error {
	keep := dbPath != ""
	if !keep {
		dir, err := os.MkdirTemp("", "expertdb-quickstart-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "expertdb.sqlite")
	}
	db, err := sqlite.Open(s.ctx, dbPath, sqlstore.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	s.db = db
	// A fixed signing key, clock and entropy make the output reproducible. In production the
	// key comes from a secret store, the clock is time.Now and the entropy crypto/rand.
	skey, vkey, err := note.GenerateKey(newStream("quickstart signing key"), "expertdb.quickstart")
	if err != nil {
		return err
	}
	signer, _ := note.NewSigner(skey)
	s.verifier, _ = note.NewVerifier(vkey)
	s.keys = [2]string{skey, vkey}
	if keep {
		// expertctl finds the keys next to the database (it signs checkpoints with them).
		if err := os.WriteFile(dbPath+".key", []byte(skey+"\n"), 0o600); err != nil {
			return err
		}
		if err := os.WriteFile(dbPath+".pub", []byte(vkey+"\n"), 0o644); err != nil {
			return err
		}
	}
	s.now = time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
	s.notifier = &expertdb.RecordingNotifier{}
	var users []audit.User
	for _, a := range []audit.Actor{admin, clerk, county, inspector, deputy} {
		users = append(users, audit.User{ID: a.ID, Name: a.Name, Role: a.Role, Unit: a.Unit})
	}
	s.svc, err = expertdb.NewService(s.ctx, expertdb.Options{
		Users: users, Experts: db.Experts(), Ratings: db.Ratings(), Ledger: db.Ledger(), Events: db.Events(),
		Audit: db.Audit(), Signer: signer, Notifier: s.notifier, Clock: func() time.Time { return s.now },
		Random: newStream("quickstart reply codes"),
	})
	if err != nil {
		return err
	}
	s.printf("温州市科技专家库 · 快速体验（expertdb quickstart）\n")
	s.printf("依据《温州市科技专家库管理办法》（温科发〔2024〕2号）；数据为虚构的合成数据，存于临时 SQLite 文件。\n")
	for _, f := range []func() error{s.admit, s.history, s.draw, s.campaign, s.panel, s.rate, s.verify} {
		if err := f(); err != nil {
			return err
		}
	}
	s.printf("\n下一步：\n")
	s.printf("  go run ./examples/quickstart -db wz.sqlite -record draw.json -html draw.html   # 保留数据库，输出抽取记录与抽取记录表\n")
	s.printf("  go run ./examples/expertctl replay -db wz.sqlite draw.json                     # 重放抽取并与审计日志核对\n")
	return nil
}

// admit: applications through the four channels of Art. 6, reviewed against Art. 5.
func (s *story) admit() error {
	start := time.Now()
	s.section("一、专家入库（第五条、第六条）")
	s.pool = synth.Generate(synth.Options{Seed: 2026, Size: s.size})
	apps := slices.Clone(s.pool.Applications)
	// One more applicant, who is 67: over the age limit of Art. 5(1)2.
	late := synth.Generate(synth.Options{Seed: 2026, Size: len(apps) + 1}).Applications[len(apps)]
	late.Expert.BirthDate = time.Date(1958, 11, 3, 0, 0, 0, 0, time.UTC)
	late.Expert.IDNumber = withBirth(late.Expert.IDNumber, late.Expert.BirthDate)
	apps = append(apps, late)

	channels := map[admission.Channel]int{}
	for _, a := range apps {
		channels[a.Channel]++
	}
	s.printf("收到入库申请 %d 份：", len(apps))
	for i, ch := range []admission.Channel{admission.ChannelApplication, admission.ChannelRecommendation, admission.ChannelInvitation, admission.ChannelExchange} {
		if i > 0 {
			s.printf("，")
		}
		s.printf("%s %d", ch.Label(), channels[ch])
	}
	s.printf("\n")
	s.experts = map[string]admission.Expert{}
	categories := map[admission.Category]int{}
	var refused []string
	for _, a := range apps {
		e, err := s.svc.Admit(s.ctx, admin, a)
		var re *admission.RefusalError
		switch {
		case errors.As(err, &re):
			line := fmt.Sprintf("  %s %s（%s）", a.Expert.ID, audit.MaskName(a.Expert.Name), a.Expert.Affiliation.Org)
			for _, f := range re.Findings {
				line += fmt.Sprintf("\n    %s %s：%s", f.Article, f.Code, f.Message)
			}
			refused = append(refused, line)
			continue
		case err != nil:
			return fmt.Errorf("admit %s: %w", a.Expert.ID, err)
		}
		s.experts[e.ID] = e
		for _, c := range e.Categories {
			categories[c]++
		}
	}
	s.printf("审核通过 %d 名：", len(s.experts))
	for i, c := range admission.Categories() {
		if i > 0 {
			s.printf("，")
		}
		s.printf("%s %d", c.Label(), categories[c])
	}
	s.printf("（可兼属多类）\n未予入库 %d 名：\n%s\n", len(refused), strings.Join(refused, "\n"))
	s.step("admission", start)
	return nil
}

// withBirth rewrites the birth date inside an ID number and recomputes its check character.
func withBirth(id string, birth time.Time) string {
	first := id[:6] + birth.Format("20060102") + id[14:17]
	c, _ := admission.IDNumberCheckChar(first)
	return first + string(c)
}

// history imports last year's ratings (migration from the previous system) and this year's
// participations so far (Art. 14(1) annual cap).
func (s *story) history() error {
	start := time.Now()
	s.section("二、往年评价与本年度参与次数（第二十五条、第十四条）")
	h := s.pool.History(2025)
	if err := s.db.Ratings().Add(s.ctx, h.Ratings...); err != nil {
		return err
	}
	eligible := 0
	for _, sm := range evaluation.Summarize(h.Ratings, 2025) {
		if evaluation.PreferentialEligible(sm) {
			eligible++
		}
	}
	s.printf("导入 2025 年度履职评价 %d 条（%d 次活动）；上一年度优秀率超过 30%%、可作为择优选取对象的专家 %d 名。\n",
		len(h.Ratings), len(h.Participations)/6, eligible)
	// Three busy experts have already served ten times this year.
	busy := s.busyExperts()
	for _, id := range busy {
		for k := range 10 {
			if err := s.db.Ledger().Reserve(s.ctx, id, 2026, fmt.Sprintf("A-2026-%s-%02d", id, k+1), 10); err != nil {
				return err
			}
		}
	}
	s.printf("2026 年已参加 10 次评审活动、达到年度上限的专家 %d 名：%s\n", len(busy), strings.Join(busy, "、"))
	s.step("history", start)
	return nil
}

// busyExperts picks three experts of the project's field who would otherwise be candidates.
func (s *story) busyExperts() []string {
	var out []string
	for _, id := range sortedIDs(s.experts) {
		e := s.experts[id]
		if slices.Contains(e.Fields, synth.FieldElectrical) && e.Title >= admission.AssociateSenior && len(out) < 3 &&
			e.Affiliation.Kind == admission.Enterprise {
			out = append(out, id)
		}
	}
	return out
}

func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

const requestID = "R-2026-0315"

// draw: the request (Art. 13), the preferential pick with its plan (Art. 14(1), 25), the
// exclusions (Art. 14(1), 15) and the draw from public numbers.
func (s *story) draw() error {
	start := time.Now()
	s.section("三、抽取申请（第十三条）与择优选取方案（第十四条第一项）")
	project := s.pool.Project(requestID)
	people := []string{project.Leader.ID}
	for _, m := range project.Members {
		people = append(people, m.ID)
	}
	relations := s.pool.Relations(people, 6)
	at := time.Date(2026, 3, 20, 9, 0, 0, 0, cst)
	req := expertdb.DrawRequest{
		Request: selection.Request{
			ID: requestID, Size: 7, At: at, Project: project,
			Criteria: "expert.Title >= AssociateSenior || \"economic\" in expert.Categories",
			Quotas:   []selection.Quota{{Name: "经济专家", Filter: `"economic" in expert.Categories`, Min: 2}},
			Groups:   []selection.GroupCap{{Name: "同一单位", Key: "expert.Affiliation.Org", Max: 1}},
		},
		Unit: clerk.Unit, Relations: relations,
	}
	pref, summary, err := s.preferred(req.Request, relations)
	if err != nil {
		return err
	}
	req.Preferred = []string{pref}
	req.Plan = &selection.Plan{Reason: "项目涉及智能电气关键技术，需一名长期参与同类评审且评价优秀的专家"}
	// The request is submitted, then approved by registered people (Art. 13, 14(1)).
	s.now = time.Date(2026, 3, 9, 14, 0, 0, 0, cst)
	if _, err := s.svc.Submit(s.ctx, clerk, req); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	s.now = time.Date(2026, 3, 9, 15, 0, 0, 0, cst)
	for _, a := range []struct {
		who  audit.Actor
		step expertdb.ApprovalStep
	}{{deputy, expertdb.ApproveRequest}, {deputy, expertdb.ApprovePlan}, {inspector, expertdb.FilePlan}} {
		if _, err := s.svc.Approve(s.ctx, a.who, req.ID, a.step); err != nil {
			return fmt.Errorf("approve %s: %w", a.step, err)
		}
	}
	st, err := s.svc.Request(s.ctx, clerk, req.ID)
	if err != nil {
		return err
	}
	req.Plan = &selection.Plan{Reason: req.Plan.Reason, ApprovedBy: st.Approvals[1].By.Name, FiledWith: st.Approvals[2].By.Unit,
		At: st.Approvals[1].At}

	leader := project.Leader
	s.printf("申请编号 %s　使用单位 %s　活动日期 %s　抽取人数 %d\n", req.ID, req.Unit, at.Format("2006-01-02"), req.Size)
	s.printf("评审项目 %s：负责人 %s（%s %s），成员 %d 名，回避单位 %s\n", project.ID, audit.MaskName(leader.Name),
		leader.Affiliation.Org, leader.Affiliation.Department, len(project.Members), project.Avoid[0].Org)
	s.printf("专家条件：%s\n", req.Criteria)
	s.printf("专家结构：%s ≥ %d 名；%s ≤ %d 名\n", req.Quotas[0].Name, req.Quotas[0].Min, req.Groups[0].Name, req.Groups[0].Max)
	pe := s.experts[pref]
	s.printf("择优选取 1 名（不超过三分之一）：%s %s（%s），2025 年优秀 %d/%d 次\n", pref, audit.MaskName(pe.Name),
		pe.Affiliation.Org, summary.Excellent, summary.Total)
	s.printf("选取方案：%s；分管领导 %s 审批（%s），送%s备案\n", req.Plan.Reason, req.Plan.ApprovedBy,
		req.Plan.At.Format("2006-01-02"), req.Plan.FiledWith)

	s.section("四、抽取（第十四条）与回避（第十五条）")
	// Commit before chance exists: the pool is frozen and the entropy source named, a
	// lottery draw published after the commit (docs/draw-v1.md §13).
	s.now = time.Date(2026, 3, 9, 16, 0, 0, 0, cst)
	src := expertdb.EntropySource{Kind: "lottery", Name: expertdb.SourceShuangseqiu, Round: "2026031",
		At: time.Date(2026, 3, 9, 21, 30, 0, 0, cst), Count: 7}
	if _, err := s.svc.Commit(s.ctx, clerk, req.ID, src); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.printf("承诺（抽取前）：冻结候选库，随机数来源为 %s 第 %s 期（%s 开奖）\n", src.Name, src.Round, src.At.Format("01-02 15:04"))
	s.now = time.Date(2026, 3, 10, 10, 0, 0, 0, cst)
	s.printf("公开随机数（承诺之后开奖）：第 2026031 期开奖号码 红球 03 07 11 19 24 28 蓝球 13，由局机关纪委录入（承诺人不单独录入）\n")
	value := expertdb.PublicValue{Source: src, Values: selection.LotterySource(3, 7, 11, 19, 24, 28, 13)}
	if _, err := s.svc.PublishValue(s.ctx, inspector, req.ID, value); err != nil {
		return fmt.Errorf("publish value: %w", err)
	}
	rec, err := s.svc.DrawCommitted(s.ctx, clerk, req.ID, value)
	if err != nil {
		return fmt.Errorf("draw: %w", err)
	}
	s.rec = rec
	r := rec.Result
	s.printf("在库专家 %d 名，候选 %d 名，排除 %d 名（含已择优入选 1 名）：\n", len(s.experts), r.Candidates, len(r.Excluded))
	type group struct{ article, code string }
	counts := map[group]int{}
	example := map[group]selection.Exclusion{}
	for _, x := range r.Excluded {
		g := group{x.Article, x.Code}
		if counts[g] == 0 {
			example[g] = x
		}
		counts[g]++
	}
	groups := make([]group, 0, len(counts))
	for g := range counts {
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b group) int {
		if c := articleOrder(a.article, b.article); c != 0 {
			return c
		}
		return strings.Compare(a.code, b.code)
	})
	for _, g := range groups {
		s.printf("  %s %s %4d 名\n", pad(g.article, 12), pad(g.code, 24), counts[g])
	}
	s.printf("回避示例（每类一例）：\n")
	for _, g := range groups {
		if !strings.HasPrefix(g.article, "Art. 15") {
			continue
		}
		x := example[g]
		s.printf("  %s %s　%s\n", x.ExpertID, audit.MaskName(s.experts[x.ExpertID].Name), x.Reason)
	}
	s.printf("抽取算法 expertdb-draw-v1（模式 %s：SHA-256，密钥绑定申请摘要与专家池摘要）\n", r.Mode)
	s.printf("  随机数串（RFC 3797）%s\n", rec.Entropy.Key())
	s.printf("  申请摘要 %s\n  专家池摘要 %s\n", r.RequestDigest, r.PoolDigest)
	s.printf("入选（按抽取顺序）：\n")
	for i, p := range r.Panel {
		s.printf("  %d. %s\n", i+1, s.pickLine(p))
	}
	s.printf("递补顺序：")
	for i, p := range r.Reserve {
		if i > 0 {
			s.printf("、")
		}
		s.printf("%s", p.ExpertID)
	}
	s.printf("\n")
	s.step("draw", start)
	return nil
}

// pickLine describes a pick: ID, masked name, unit, categories, how chosen.
func (s *story) pickLine(p selection.Pick) string {
	e := s.experts[p.ExpertID]
	how := fmt.Sprintf("随机抽取 第 %d 轮", p.Round)
	if p.Preferential {
		how = "择优选取"
	}
	var cats []string
	for _, c := range e.Categories {
		cats = append(cats, c.Label())
	}
	return fmt.Sprintf("%s %s %s %s %s", p.ExpertID, pad(audit.MaskName(e.Name), 6), pad(e.Affiliation.Org, 28),
		pad(strings.Join(cats, "、"), 20), how)
}

// preferred finds the expert the division prefers: the highest excellent rate last year
// among the experts who meet the criteria, have no conflict and are economic experts.
func (s *story) preferred(req selection.Request, relations []conflict.Relation) (string, evaluation.Summary, error) {
	ratings, err := s.db.Ratings().ByYear(s.ctx, 2025)
	if err != nil {
		return "", evaluation.Summary{}, err
	}
	sums := evaluation.Summarize(ratings, 2025)
	checker := conflict.NewChecker(req.Project, relations, req.At, conflict.DefaultRules())
	best, bestSum := "", evaluation.Summary{}
	for _, id := range sortedIDs(s.experts) {
		e, sm := s.experts[id], sums[id]
		if !evaluation.PreferentialEligible(sm) || sm.Total < 4 || len(checker.Check(e)) > 0 ||
			!slices.Contains(e.Fields, synth.FieldElectrical) || e.Title < admission.AssociateSenior {
			continue
		}
		if best == "" || sm.Excellent*bestSum.Total > bestSum.Excellent*sm.Total {
			best, bestSum = id, sm
		}
	}
	if best == "" {
		return "", evaluation.Summary{}, errors.New("no expert qualifies for the preferential pick")
	}
	return best, bestSum, nil
}

// campaign: notices, a decline, a missed deadline and the redraws (Art. 14(2)).
func (s *story) campaign() error {
	start := time.Now()
	s.section("五、通知与递补（第十四条第二项）")
	s.now = time.Date(2026, 3, 10, 10, 30, 0, 0, cst)
	view, err := s.svc.StartCampaign(s.ctx, clerk, requestID)
	if err != nil {
		return err
	}
	s.printf("%s 短信通知 %d 名专家，回复期限 %s（通知内容只含脱敏姓名、活动日期、期限和一次性回复码）\n",
		s.now.Format("01-02 15:04"), len(view.Seats), view.Seats[0].Deadline.In(cst).Format("01-02 15:04"))
	s.printf("  例：%s\n", strings.ReplaceAll(s.notifier.Sent()[0].Text, s.code(view.Seats[0].ExpertID), "********"))
	decliner, silent := view.Seats[1].ExpertID, view.Seats[3].ExpertID

	s.now = time.Date(2026, 3, 10, 11, 5, 0, 0, cst)
	before := len(view.Seats)
	view, err = s.svc.Respond(s.ctx, clerk, requestID, expertdb.Response{ExpertID: decliner, Code: s.code(decliner),
		Reason: "活动当天另有教学任务"})
	if err != nil {
		return err
	}
	s.printf("%s %s %s 电话告知不能参加（活动当天另有教学任务）→ 按原条件递补 %s\n", s.now.Format("01-02 15:04"),
		decliner, audit.MaskName(s.experts[decliner].Name), seatIDs(view.Seats[before:]))
	s.now = time.Date(2026, 3, 10, 14, 0, 0, 0, cst)
	accepted := 0
	for _, st := range view.Seats {
		if st.Status != selection.SeatPending || st.ExpertID == silent {
			continue
		}
		if view, err = s.svc.Respond(s.ctx, clerk, requestID, expertdb.Response{ExpertID: st.ExpertID,
			Code: s.code(st.ExpertID), Accept: true, Pledge: requestID + "/" + st.ExpertID}); err != nil {
			return err
		}
		accepted++
	}
	s.printf("%s %d 名专家回复接受并签署承诺书（第八条第四项）\n", s.now.Format("01-02 15:04"), accepted)

	s.now = view.Seats[3].Deadline.Add(30 * time.Minute)
	before = len(view.Seats)
	if view, err = s.svc.Expire(s.ctx, clerk, requestID); err != nil {
		return err
	}
	s.printf("%s 超过回复期限：%s %s 未回复 → 按原条件递补 %s\n", s.now.In(cst).Format("01-02 15:04"), silent,
		audit.MaskName(s.experts[silent].Name), seatIDs(view.Seats[before:]))
	s.now = s.now.Add(2 * time.Hour)
	for _, st := range view.Seats {
		if st.Status == selection.SeatPending {
			if view, err = s.svc.Respond(s.ctx, clerk, requestID, expertdb.Response{ExpertID: st.ExpertID,
				Code: s.code(st.ExpertID), Accept: true, Pledge: requestID + "/" + st.ExpertID}); err != nil {
				return err
			}
			s.printf("%s %s 接受\n", s.now.In(cst).Format("01-02 15:04"), st.ExpertID)
		}
	}
	s.view = view
	s.printf("通知顺序与结果：\n")
	for i, st := range view.Seats {
		round := "择优"
		if st.Round >= 0 {
			round = fmt.Sprintf("第 %d 轮", st.Round)
		}
		s.printf("  %2d. %s %s %s\n", i+1, st.ExpertID, pad(round, 8), seatLabel(st))
	}
	if !view.Complete {
		return errors.New("the campaign did not complete")
	}
	s.printf("专家组人数和结构已满足（%d 名）。\n", len(view.Panel))
	s.step("campaign", start)
	return nil
}

func seatIDs(seats []selection.Seat) string {
	var ids []string
	for _, st := range seats {
		ids = append(ids, st.ExpertID)
	}
	return strings.Join(ids, "、")
}

func seatLabel(st selection.Seat) string {
	switch st.Status {
	case selection.SeatAccepted:
		if st.Preferential {
			return "接受（择优选取）"
		}
		return "接受"
	case selection.SeatDeclined:
		return "婉拒：" + st.Reason
	case selection.SeatNoAnswer:
		return "逾期未回复"
	case selection.SeatWithdrawn:
		return "接受后退出"
	case selection.SeatRefused:
		return "已达年度上限"
	default:
		return "待回复"
	}
}

// code reads the one-time reply code from the last notice to id, as the expert would.
func (s *story) code(id string) string {
	sent := s.notifier.Sent()
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].ExpertID != id {
			continue
		}
		for _, f := range strings.FieldsFunc(sent[i].Text, func(r rune) bool { return r < '0' || r > '9' }) {
			if len(f) == selection.ReplyCodeDigits {
				return f
			}
		}
	}
	return ""
}

// panel: the final panel, de-identified (Art. 20), and what a county user sees.
func (s *story) panel() error {
	s.section("六、专家组名单（脱敏，第二十条）")
	s.printf("  %s %s %s %s %s\n", pad("编号", 7), pad("姓名", 6), pad("手机", 12), pad("单位", 28), "类别")
	for _, st := range s.view.Panel {
		e := s.experts[st.ExpertID]
		var cats []string
		for _, c := range e.Categories {
			cats = append(cats, c.Label())
		}
		s.printf("  %s %s %s %s %s\n", pad(e.ID, 7), pad(audit.MaskName(e.Name), 6), pad(audit.MaskMobile(e.Mobile), 12),
			pad(e.Affiliation.Org, 28), strings.Join(cats, "、"))
	}
	first := s.view.Panel[0].ExpertID
	v, err := s.svc.ViewExpert(s.ctx, county, first)
	if err != nil {
		return err
	}
	s.printf("县级用户（%s）查看 %s：姓名 %s，身份证号 %s，手机 %s，出生日期 %s（脱敏视图，查看已留痕）\n", county.Unit, first,
		v.Name, v.IDNumber, v.Mobile, v.BirthDate.Format("2006-01-02"))
	return nil
}

// rate: after the activity the division rates each member (Art. 25).
func (s *story) rate() error {
	s.section("七、履职评价（第二十五条）")
	s.now = time.Date(2026, 3, 21, 10, 0, 0, 0, cst)
	grades := map[evaluation.Grade]int{}
	for i, st := range s.view.Panel {
		g := evaluation.Good
		if i%3 == 0 {
			g = evaluation.Excellent
		}
		rt := evaluation.Rating{ExpertID: st.ExpertID, Grade: g,
			Aspects: evaluation.Aspects{Expertise: g, Attitude: evaluation.Excellent, Quality: g}}
		if err := s.svc.Rate(s.ctx, clerk, requestID, rt); err != nil {
			return err
		}
		grades[g]++
	}
	s.printf("活动结束后，%s 从业务水平、工作态度、质量规范三方面评价 %d 名专家：优秀 %d 名，良好 %d 名，差 %d 名。\n",
		clerk.Unit, len(s.view.Panel), grades[evaluation.Excellent], grades[evaluation.Good], grades[evaluation.Poor])
	return nil
}

// verify: checkpoint, inclusion proof of the draw, full verification, replay (Art. 17).
func (s *story) verify() error {
	start := time.Now()
	s.section("八、全程留痕与验证（第十七条）")
	l := s.svc.Log()
	counts := map[audit.Action]int{}
	evs, err := l.Events(s.ctx, 0, l.Size())
	if err != nil {
		return err
	}
	for _, e := range evs {
		counts[e.Action]++
	}
	s.printf("审计日志共 %d 条事件：", l.Size())
	var parts []string
	for _, a := range audit.Actions() {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", a.Label(), counts[a]))
		}
	}
	s.printf("%s\n", strings.Join(parts, "，"))
	signed, err := s.svc.Checkpoint(s.ctx)
	if err != nil {
		return err
	}
	cp, err := audit.OpenCheckpoint(signed, s.verifier)
	if err != nil {
		return err
	}
	s.printf("签名检查点（交纪委留存）：\n%s", indent(string(signed), "    "))
	proof, err := l.ProveInclusion(s.rec.AuditIndex, cp.Size)
	if err != nil {
		return err
	}
	rec, err := evs[s.rec.AuditIndex].Encode()
	if err != nil {
		return err
	}
	leaf := tlog.RecordHash(rec)
	ok := audit.CheckInclusion(cp, proof, rec) == nil
	s.printf("抽取事件 #%d 的包含证明：叶哈希 %s，审计路径 %d 个哈希，校验%s\n", s.rec.AuditIndex,
		base64.StdEncoding.EncodeToString(leaf[:]), len(proof.Path), passFail(ok))
	verr := audit.Verify(s.ctx, s.db.Audit(), signed, s.verifier)
	s.printf("全量校验（逐条重算 Merkle 树并核对签名）：%s\n", passFail(verr == nil))
	rep, err := expertdb.ReplayDrawAudited(s.ctx, s.rec, s.svc.Policy(), l)
	if err != nil {
		return err
	}
	s.printf("重放抽取（按记录的申请、专家快照和随机数重新计算）：%s\n", map[bool]string{true: "与记录及审计事件一致", false: "不一致"}[rep.Match])
	tampered := *s.rec
	tampered.Entropy = selection.Entropy{Sources: [][]uint64{{2026031}, {3, 7, 11, 19, 24, 28, 14}}}
	if rep, err = expertdb.ReplayDraw(&tampered, s.svc.Policy()); err != nil {
		return err
	}
	s.printf("改动一个随机数后重放：%s（%d 处差异，首处 %s）\n", map[bool]string{true: "一致", false: "不一致"}[rep.Match],
		len(rep.Differences), rep.Differences[0].Field)
	if s.html != "" {
		if err := s.writeHTML(signed); err != nil {
			return err
		}
		s.printf("抽取记录表已写入 %s\n", s.html)
	}
	if s.record != "" {
		raw, err := json.MarshalIndent(s.rec, "", " ")
		if err != nil {
			return err
		}
		// The record holds the candidates' profiles: personal data, for the discipline office.
		if err := os.WriteFile(s.record, append(raw, '\n'), 0o600); err != nil {
			return err
		}
		s.printf("抽取记录（JSON，含专家快照）已写入 %s\n", s.record)
	}
	s.step("verification", start)
	if !ok || verr != nil {
		return errors.Join(errors.New("verification failed"), verr)
	}
	return nil
}

func (s *story) writeHTML(signed []byte) error {
	ev, err := report.Evidence(s.ctx, s.svc.Log(), signed, s.rec.AuditIndex)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	record := requestID + ".json"
	if s.record != "" {
		record = filepath.Base(s.record)
	}
	if err := report.Render(&buf, report.Page{Record: s.rec, Campaign: s.view, Audit: ev, Policy: s.svc.Policy().Name,
		RecordFile: record, PublicKey: s.keys[1]}); err != nil {
		return err
	}
	return os.WriteFile(s.html, buf.Bytes(), 0o644)
}

func passFail(ok bool) string {
	if ok {
		return "通过"
	}
	return "未通过"
}

func indent(s, prefix string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if strings.TrimSpace(l) != "" {
			b.WriteString(prefix)
		}
		b.WriteString(l)
	}
	return b.String()
}

// pad pads s with spaces to n terminal columns (CJK characters take two).
func pad(s string, n int) string {
	w := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			w += 2
		default:
			w++
		}
	}
	if w >= n {
		return s
	}
	return s + strings.Repeat(" ", n-w)
}

// articleOrder orders article references ("Art. 5(1)2", "Art. 14(1)", "Art. 15(3)") by
// article number, then as text.
func articleOrder(a, b string) int {
	num := func(s string) int {
		n := 0
		for _, r := range strings.TrimPrefix(s, "Art. ") {
			if r < '0' || r > '9' {
				break
			}
			n = n*10 + int(r-'0')
		}
		return n
	}
	if c := num(a) - num(b); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// stream is a deterministic byte stream (SHA-256 in counter mode over a label): the fixed
// "randomness" that makes the story reproducible. Never use it for real keys or draws.
type stream struct {
	label string
	n     uint64
	buf   []byte
}

func newStream(label string) *stream { return &stream{label: label} }

func (s *stream) Read(p []byte) (int, error) {
	for len(s.buf) < len(p) {
		var c [8]byte
		binary.BigEndian.PutUint64(c[:], s.n)
		s.n++
		h := sha256.Sum256(append([]byte(s.label), c[:]...))
		s.buf = append(s.buf, h[:]...)
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}
