package report

import (
	"bytes"
	"context"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/selection"
)

// Page is what the draw record page (抽取记录表) shows. Only Record is required.
type Page struct {
	// Record is the draw as the Service stored it (Service.Draw, Service.DrawRecord).
	Record *expertdb.DrawRecord
	// Campaign is the state of the notification campaign (Service.Campaign): the notices in
	// order with each response. Without it the page shows the drawn sequence only.
	Campaign *expertdb.CampaignView
	// Audit is the checkpoint and inclusion proof of the draw event (Evidence).
	Audit *AuditEvidence
	// Policy names the rule set the draw was made under (Policy.Name), e.g. 瑞安市科技专家库使用细则.
	Policy string
	// PolicyFile is the county profile a replay needs (its file name), "" for the city defaults.
	PolicyFile string
	// RecordFile is the file name of the draw record JSON, for the replay command ("" = <ID>.json).
	RecordFile string
	// Database and CheckpointFile name the SQLite file and the saved checkpoint in the
	// commands of the replay section ("" = expertdb.sqlite, checkpoint.txt).
	Database, CheckpointFile string
	// PublicKey is the verifier key of the audit checkpoints (note verifier key text), so that
	// a reader can check the signature.
	PublicKey string
}

// AuditEvidence is what proves the draw event is in the audit log (Art. 17): a signed
// checkpoint, the event's canonical record and its RFC 6962 inclusion proof.
type AuditEvidence struct {
	Checkpoint string   // the signed checkpoint note
	Origin     string   // the log's origin (first line of the checkpoint)
	Size       int64    // number of events the checkpoint covers
	Root       string   // base64 root hash the checkpoint signs
	Index      int64    // index of the draw event
	Record     string   // the canonical record of the event (JSON; it never holds unmasked personal data)
	LeafHash   string   // base64 RFC 6962 leaf hash of Record
	Proof      []string // base64 hashes of the audit path, leaf to root
}

// EventReader reads events of an audit log and proves inclusion; *audit.Log implements it.
type EventReader interface {
	Events(ctx context.Context, start, n int64) ([]audit.Event, error)
	ProveInclusion(index, size int64) (audit.InclusionProof, error)
}

var _ EventReader = (*audit.Log)(nil)

// Evidence collects the audit evidence of the event at index: the signed checkpoint (from
// Service.Checkpoint or Log.Checkpoint), the event's canonical record and its inclusion proof
// in the tree the checkpoint signs. It checks the proof against the checkpoint's root before
// returning it (not the signature: the reader does that with the public key).
func Evidence(ctx context.Context, log EventReader, signed []byte, index int64) (*AuditEvidence, error) {
	body, _, ok := bytes.Cut(signed, []byte("\n\n"))
	if !ok {
		return nil, errors.New("report: evidence: the checkpoint is not a signed note")
	}
	cp, err := audit.ParseCheckpoint(append(body, '\n'))
	if err != nil {
		return nil, fmt.Errorf("report: evidence: %w", err)
	}
	if index < 0 || index >= cp.Size {
		return nil, fmt.Errorf("report: evidence: event %d is not covered by the checkpoint of %d events", index, cp.Size)
	}
	evs, err := log.Events(ctx, index, 1)
	if err != nil {
		return nil, fmt.Errorf("report: evidence: read event %d: %w", index, err)
	}
	if len(evs) != 1 {
		return nil, fmt.Errorf("report: evidence: event %d: got %d events", index, len(evs))
	}
	rec, err := evs[0].Encode()
	if err != nil {
		return nil, fmt.Errorf("report: evidence: encode event %d: %w", index, err)
	}
	proof, err := log.ProveInclusion(index, cp.Size)
	if err != nil {
		return nil, fmt.Errorf("report: evidence: prove event %d: %w", index, err)
	}
	if err := audit.CheckInclusion(cp, proof, rec); err != nil {
		return nil, fmt.Errorf("report: evidence: event %d: %w", index, err)
	}
	leaf := tlog.RecordHash(rec)
	ev := &AuditEvidence{Checkpoint: string(signed), Origin: cp.Origin, Size: cp.Size,
		Root: base64.StdEncoding.EncodeToString(cp.Hash[:]), Index: index, Record: string(rec),
		LeafHash: base64.StdEncoding.EncodeToString(leaf[:])}
	for _, h := range proof.Path {
		ev.Proof = append(ev.Proof, base64.StdEncoding.EncodeToString(h[:]))
	}
	return ev, nil
}

//go:embed page.html.tmpl
var files embed.FS

var page = template.Must(template.New("page.html.tmpl").
	Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).
	ParseFS(files, "page.html.tmpl"))

// Render writes the draw record page of p as one self-contained HTML document: inline CSS,
// no scripts, no external assets, laid out for A4 paper. Every value is escaped by
// html/template; names of experts and project members are masked (张*, 欧阳**) and free text
// is scrubbed of anything that looks like a mobile or ID number (Art. 20), so the page can be
// handed to a third party. Officials (the operator, approvers) are named: they answer for
// the draw (Art. 18, 21).
func Render(w io.Writer, p Page) error {
	if p.Record == nil || p.Record.Result == nil {
		return errors.New("report: render: no draw record or no result")
	}
	v := build(p)
	var buf bytes.Buffer
	if err := page.Execute(&buf, v); err != nil {
		return fmt.Errorf("report: render: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// view is the page's data, every value already a display string.
type view struct {
	Title, RequestID, Unit, Activity, DrawnAt, DrawnBy, Policy, Labels string
	Size                                                               int
	Criteria                                                           string
	Quotas                                                             []row
	Groups                                                             []row
	Project                                                            []row
	Avoid                                                              []string
	Relations                                                          int
	Plan                                                               []row
	Preferred                                                          []string
	Invited                                                            [][]row
	Sources                                                            []string
	KeyString, Mode, Algorithm, RequestDigest, PoolDigest, Key         string
	Candidates, Excluded                                               int
	Exclusions                                                         []exclusionRow
	Sequence                                                           []seatRow
	Campaign                                                           bool
	Complete                                                           bool
	Panel                                                              []seatRow
	Audit                                                              *AuditEvidence
	PublicKey                                                          string
	Replay                                                             []string
	Window                                                             string
}

type row struct{ K, V string }

type exclusionRow struct {
	Article, Code, Label string
	Count                int
}

type seatRow struct {
	N                                            int
	ID, Name, Unit, Categories, How, Round       string
	Notified, Deadline, Status, Responded, Notes string
	Final                                        bool
}

var cst = time.FixedZone("CST", 8*3600)

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006-01-02 15:04")
}

func build(p Page) view {
	rec, r := p.Record, p.Record.Result
	req := rec.Request
	experts := map[string]admission.Expert{}
	for _, e := range rec.Pool.Experts {
		experts[e.ID] = e
	}
	for _, inv := range req.Invited {
		experts[inv.Expert.ID] = inv.Expert
	}
	v := view{
		Title: "专家抽取记录表", RequestID: req.ID, Unit: scrub(rec.Unit), Activity: when(req.At), DrawnAt: when(rec.DrawnAt),
		DrawnBy: scrub(strings.TrimSpace(fmt.Sprintf("%s（%s，%s）", rec.DrawnBy.Name, audit.RoleLabel(rec.DrawnBy.Role), rec.DrawnBy.Unit))),
		Policy:  scrub(p.Policy), Labels: scrub(strings.Join(rec.Labels, "、")), Size: req.Size,
		Criteria: scrub(req.Criteria), Relations: len(rec.Pool.Relations),
		KeyString: rec.Entropy.Key(), Mode: r.Mode.String(), Algorithm: algorithm(r.Mode),
		RequestDigest: r.RequestDigest, PoolDigest: r.PoolDigest, Key: r.Key,
		Candidates: r.Candidates, Excluded: len(r.Excluded), Audit: p.Audit, PublicKey: scrub(p.PublicKey),
		Campaign: p.Campaign != nil,
	}
	if v.Policy == "" {
		v.Policy = expertdb.WenzhouMeasures2024
	}
	v.Window = hours(rec.Window)
	if rec.Window <= 0 {
		v.Window = hours(selection.DefaultReplyWindow) + "（默认）"
	}
	for _, q := range req.Quotas {
		max := "不限"
		if q.Max > 0 {
			max = strconv.Itoa(q.Max)
		}
		v.Quotas = append(v.Quotas, row{scrub(q.Name), fmt.Sprintf("%s　至少 %d 名，至多 %s", scrub(q.Filter), q.Min, max)})
	}
	for _, g := range req.Groups {
		v.Groups = append(v.Groups, row{scrub(g.Name), fmt.Sprintf("%s　每组至多 %d 名", scrub(g.Key), g.Max)})
	}
	pr := req.Project
	v.Project = append(v.Project, row{"项目编号", scrub(pr.ID)})
	if pr.Leader.Name != "" || pr.Leader.ID != "" {
		v.Project = append(v.Project, row{"项目负责人", person(pr.Leader.Name, pr.Leader.Affiliation)})
	}
	for i, m := range pr.Members {
		v.Project = append(v.Project, row{fmt.Sprintf("项目成员 %d", i+1), person(m.Name, m.Affiliation)})
	}
	if pr.Region != "" {
		v.Project = append(v.Project, row{"项目所在地区", pr.Region})
	}
	for _, a := range pr.Avoid {
		var parts []string
		if a.ExpertID != "" {
			parts = append(parts, "专家 "+scrub(a.ExpertID))
		}
		if a.Name != "" {
			parts = append(parts, audit.MaskName(a.Name))
		}
		if a.Org != "" {
			parts = append(parts, scrub(a.Org))
		}
		if a.Department != "" {
			parts = append(parts, scrub(a.Department))
		}
		v.Avoid = append(v.Avoid, strings.Join(parts, " "))
	}
	if req.Plan != nil {
		v.Plan = []row{{"选用理由", scrub(req.Plan.Reason)}, {"审批（分管领导）", scrub(req.Plan.ApprovedBy)},
			{"审批日期", when(req.Plan.At)}, {"备案", scrub(req.Plan.FiledWith)}}
	}
	for _, id := range req.Preferred {
		v.Preferred = append(v.Preferred, fmt.Sprintf("%s %s", id, expertLabel(experts[id])))
	}
	for _, inv := range req.Invited {
		rows := []row{{"特邀专家", inv.Expert.ID + " " + expertLabel(inv.Expert)}, {"邀请理由", scrub(inv.Reason)}}
		for _, a := range inv.Approvals {
			rows = append(rows, row{roleLabel(a.Role), scrub(a.By) + "　" + when(a.At)})
		}
		rows = append(rows, row{"备案", scrub(inv.FiledWith) + "　" + when(inv.FiledAt)})
		v.Invited = append(v.Invited, rows)
	}
	for i, src := range rec.Entropy.Sources {
		nums := make([]string, len(src))
		for j, n := range src {
			nums[j] = strconv.FormatUint(n, 10)
		}
		v.Sources = append(v.Sources, fmt.Sprintf("来源 %d：%s", i+1, strings.Join(nums, " ")))
	}
	v.Exclusions = exclusions(r.Excluded)
	v.Sequence, v.Panel, v.Complete = sequence(p, experts)
	file := p.RecordFile
	if file == "" {
		file = req.ID + ".json"
	}
	policy := ""
	if p.PolicyFile != "" {
		policy = " -policy " + p.PolicyFile
	}
	v.Replay = []string{"expertctl replay" + policy + " " + file}
	if p.Audit != nil {
		db, cp := p.Database, p.CheckpointFile
		if db == "" {
			db = "expertdb.sqlite"
		}
		if cp == "" {
			cp = "checkpoint.txt"
		}
		v.Replay = append(v.Replay,
			fmt.Sprintf("expertctl replay%s -db %s -checkpoint %s %s", policy, db, cp, file),
			fmt.Sprintf("expertctl audit prove -db %s -checkpoint %s -index %d", db, cp, p.Audit.Index),
			fmt.Sprintf("expertctl audit verify -db %s -checkpoint %s", db, cp))
	}
	return v
}

// hours renders a reply window: "24 小时", "90 分钟".
func hours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d 小时", d/time.Hour)
	}
	return fmt.Sprintf("%d 分钟", d/time.Minute)
}

// short renders a campaign time without the year (the activity date gives it).
func short(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("01-02 15:04")
}

func algorithm(m selection.Mode) string {
	if m == selection.RFC3797 {
		return "RFC 3797：MD5，2 字节轮次计数，密钥为随机数串"
	}
	return "expertdb-draw-v1：SHA-256，4 字节轮次计数，密钥 = “expertdb-draw-v1/” + 申请摘要 + “/” + 专家池摘要 + “/” + 随机数串"
}

func roleLabel(r selection.Role) string {
	switch r {
	case selection.DivisionHead:
		return "处室负责人"
	case selection.DeputyLeader:
		return "分管领导"
	case selection.MainLeader:
		return "主要领导"
	case selection.BureauMeeting:
		return "局务会"
	}
	return scrub(string(r))
}

func person(name string, a admission.Affiliation) string {
	s := audit.MaskName(name)
	if a.Org != "" {
		s += "（" + scrub(a.Org)
		if a.Department != "" {
			s += " " + scrub(a.Department)
		}
		s += "）"
	}
	return s
}

// expertLabel is the masked name, unit and categories of an expert.
func expertLabel(e admission.Expert) string {
	if e.ID == "" {
		return "（不在专家快照中）"
	}
	return audit.MaskName(e.Name) + " " + scrub(e.Affiliation.Org)
}

func categories(e admission.Expert) string {
	var out []string
	for _, c := range e.Categories {
		out = append(out, c.Label())
	}
	return scrub(strings.Join(out, "、"))
}

func exclusions(xs []selection.Exclusion) []exclusionRow {
	type key struct{ article, code string }
	counts := map[key]int{}
	for _, x := range xs {
		counts[key{x.Article, x.Code}]++
	}
	out := make([]exclusionRow, 0, len(counts))
	for k, n := range counts {
		out = append(out, exclusionRow{Article: scrub(k.article), Code: scrub(k.code), Label: exclusionLabel(k.code), Count: n})
	}
	slices.SortFunc(out, func(a, b exclusionRow) int {
		if c := articleNumber(a.Article) - articleNumber(b.Article); c != 0 {
			return c
		}
		if c := strings.Compare(a.Article, b.Article); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out
}

// articleNumber is the article number of a reference like "Art. 15(3)" (0 when none), so
// that Art. 5 sorts before Art. 13.
func articleNumber(ref string) int {
	n := 0
	for _, r := range strings.TrimPrefix(ref, "Art. ") {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// exclusionLabel is the Chinese name of an exclusion code.
func exclusionLabel(code string) string {
	labels := map[string]string{
		"on-panel": "已择优入选", "not-active": "非在库状态", "annual-cap": "已达年度参与上限", "criteria": "不符合专家条件",
		"expression-error": "条件表达式无法求值", "not-eligible": "不再符合入库条件", "project-leader": "项目负责人",
		"project-member": "项目组成员", "same-department": "同一高校同一院系", "same-institute": "同一科研院所",
		"same-enterprise": "同一企业", "same-unit": "同一单位", "avoidance-list": "项目负责人声明的回避要求",
		"check-failed": "回避审查无法进行",
	}
	if l, ok := labels[code]; ok {
		return l
	}
	if strings.HasPrefix(code, "relation-") {
		return "重大利益关系"
	}
	return "使用细则规定的其他回避情形"
}

// sequence lists the notices in order with their responses (campaign), or the drawn
// sequence (panel, then reserve); and the final panel.
func sequence(p Page, experts map[string]admission.Expert) (seq, panel []seatRow, complete bool) {
	how := func(pk selection.Pick) (string, string) {
		switch {
		case pk.Preferential:
			return "择优选取", "—"
		case pk.Invited:
			return "特邀专家", "—"
		}
		return "随机抽取", "第 " + strconv.Itoa(pk.Round) + " 轮"
	}
	mk := func(n int, pk selection.Pick) seatRow {
		e := experts[pk.ExpertID]
		h, round := how(pk)
		return seatRow{N: n, ID: scrub(pk.ExpertID), Name: audit.MaskName(e.Name), Unit: scrub(e.Affiliation.Org),
			Categories: categories(e), How: h, Round: round}
	}
	r := p.Record.Result
	if p.Campaign == nil {
		for i, pk := range r.Panel {
			row := mk(i+1, pk)
			row.Status, row.Final = "入选", true
			seq = append(seq, row)
			panel = append(panel, row)
		}
		for i, pk := range r.Reserve {
			row := mk(len(r.Panel)+i+1, pk)
			row.Status = "递补候选"
			seq = append(seq, row)
		}
		return seq, panel, len(panel) == p.Record.Request.Size
	}
	final := map[string]bool{}
	for _, st := range p.Campaign.Panel {
		final[st.ExpertID] = true
	}
	for i, st := range p.Campaign.Seats {
		row := mk(i+1, st.Pick)
		row.Notified, row.Deadline, row.Responded = short(st.NotifiedAt), short(st.Deadline), short(st.RespondedAt)
		row.Status = seatStatus(st)
		if st.Reason != "" {
			row.Notes = scrub(st.Reason)
		}
		if st.Pledge != "" {
			row.Notes = strings.TrimPrefix(row.Notes+"；已签承诺书 "+scrub(st.Pledge), "；")
		}
		row.Final = final[st.ExpertID]
		seq = append(seq, row)
		if row.Final {
			panel = append(panel, row)
		}
	}
	return seq, panel, p.Campaign.Complete
}

func seatStatus(st selection.Seat) string {
	switch st.Status {
	case selection.SeatAccepted:
		return "接受"
	case selection.SeatDeclined:
		if st.UnfamiliarField {
			return "拒绝（不熟悉的专业领域，第七条第四项）"
		}
		return "婉拒"
	case selection.SeatNoAnswer:
		return "逾期未回复"
	case selection.SeatWithdrawn:
		return "接受后退出（第八条第二项）"
	case selection.SeatRefused:
		return "已达年度上限（第十四条第一项）"
	case selection.SeatPending:
		return "待回复"
	}
	return scrub(string(st.Status))
}

var (
	mobileRun = regexp.MustCompile(`(?:\+?86[ -]?)?1[3-9]\d{9}`)
	idRun     = regexp.MustCompile(`\d{17}[\dXx]|\d{15}`)
)

// scrub masks anything in free text that looks like a mobile number or an ID number: the page
// must not carry personal data unmasked even when an operator typed it into a reason (Art. 20).
func scrub(s string) string {
	s = idRun.ReplaceAllStringFunc(s, audit.MaskIDNumber)
	return mobileRun.ReplaceAllStringFunc(s, audit.MaskMobile)
}
