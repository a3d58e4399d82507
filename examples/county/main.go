// Command county shows what a county's usage rules (使用细则, Art. 13 of the Wenzhou Measures)
// change in practice. It loads the profile of 瑞安市 (ruian.yaml, region 330381), draws the
// panel of one key project from a small synthetic pool twice — under the city defaults and
// under Ruian's rules, with the same public entropy — and prints who is excluded, why, and
// who sits on each panel.
//
// Ruian's profile changes six things the draws show:
//
//   - the annual cap is 8 participations instead of 10 (Art. 14(1));
//   - its own government staff recuse from Ruian projects (an Art. 15(5) expression);
//   - a former unit counts for 24 months instead of 12, and 瑞安人医 is 瑞安市人民医院
//     (Art. 15(3));
//   - at least half of a key project's panel comes from outside the county (a request rule,
//     Art. 13, applied by Policy.Apply for requests labelled "key-project");
//   - a cooling-off period: an expert who reviewed a project of the same applicant unit
//     within 6 months of the activity is excluded (a county exclusion rule, Art. 15(5); the
//     pool's History records past reviews);
//   - a draw window: the draw happens between 3 days and 2 hours before the activity starts
//     (Art. 14(2), confidentiality of the draw); a draw outside it is refused with
//     selection.ErrDrawWindow, and every request states its draw time (Request.DrawnAt).
//
// Everything is deterministic: the pool, the dates, the draw times and the entropy are fixed.
//
//	go run ./examples/county
package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/selection"
)

//go:embed ruian.yaml
var ruianYAML []byte

// County is Ruian's GB/T 2260 code.
const County = "330381"

// activity is the date of the review.
var activity = time.Date(2026, 5, 20, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// drawnAt is when the key project is drawn: the day before the review, inside Ruian's window.
var drawnAt = activity.Add(-24 * time.Hour)

// entropy is the public randomness of both draws: two announced lottery results.
var entropy = selection.Entropy{Sources: [][]uint64{{20260518}, {3, 11, 17, 24, 29, 33}}}

// Outcome is one draw of the key project under one policy.
type Outcome struct {
	Policy  *expertdb.Policy
	Request selection.Request // the request after the policy's request rules
	Result  *selection.Result
	Outside int // panel members from outside the county
}

// Excluded returns the exclusion code of each excluded expert.
func (o *Outcome) Excluded() map[string]string {
	m := map[string]string{}
	for _, x := range o.Result.Excluded {
		m[x.ExpertID] = x.Code
	}
	return m
}

// LoadRuian loads the embedded profile.
func LoadRuian() (*expertdb.Policy, error) { return expertdb.LoadPolicy(ruianYAML) }

// Project is the key project under review: an enterprise-led project of Ruian with a member
// from 瑞安市人民医院.
func Project() conflict.Project {
	return conflict.Project{
		ID: "RA-2026-ZD-017", Region: County,
		Leader: conflict.Person{ID: "P-L", Name: "项目负责人",
			Affiliation: admission.Affiliation{Org: "瑞安华星汽配有限公司", Kind: admission.Enterprise}},
		Members: []conflict.Person{{ID: "P-M1", Name: "项目成员",
			Affiliation: admission.Affiliation{Org: "瑞安市人民医院", Kind: admission.Hospital, Department: "检验科"}}},
	}
}

// Request is the draw request of the key project: 7 experts, one per unit, drawn the day
// before the review (DrawnAt).
func Request() selection.Request {
	return selection.Request{
		ID: "RA-REQ-2026-041", Project: Project(), Size: 7, At: activity, DrawnAt: drawnAt,
		Groups: []selection.GroupCap{{Name: "per-unit", Key: "expert.Affiliation.Org", Max: 1}},
	}
}

// expert returns an active, eligible technical expert.
func expert(id, name, region, org string, kind admission.OrgKind) admission.Expert {
	return admission.Expert{
		ID: id, Name: name, BirthDate: time.Date(1974, 4, 12, 0, 0, 0, 0, time.UTC),
		Affiliation: admission.Affiliation{Org: org, Kind: kind, Department: "研发部"},
		Title:       admission.Senior, Categories: []admission.Category{admission.Technical},
		Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality}},
		Fields:      []string{"智能制造"}, Region: region, Status: admission.Active,
	}
}

// Pool is the synthetic pool: 14 experts from Ruian, 10 from elsewhere, with the special
// cases the profile treats differently.
func Pool() selection.Pool {
	p := selection.Pool{Usage: map[string]int{}}
	add := func(e admission.Expert) { p.Experts = append(p.Experts, e) }
	// Ruian (330381).
	add(expert("RA01", "陈建国", County, "温州大学瑞安研究院", admission.Institute))
	add(expert("RA02", "林晓东", County, "瑞安市科学技术局", admission.Government)) // county government staff
	add(expert("RA03", "黄志强", County, "瑞安市发展和改革局", admission.Government))
	add(expert("RA04", "周海燕", County, "瑞安人医", admission.Hospital)) // alias of the member's unit
	add(expert("RA05", "吴文斌", County, "浙江瑞明机械有限公司", admission.Enterprise))
	add(expert("RA06", "郑丽华", County, "瑞安市职业中专", admission.OtherOrg))
	add(expert("RA07", "王海涛", County, "浙江瑞立集团", admission.Enterprise))
	add(expert("RA08", "蔡明", County, "瑞安市塘下镇企业服务中心", admission.OtherOrg))
	add(expert("RA09", "金晓峰", County, "瑞安市飞云街道工业协会", admission.OtherOrg))
	add(expert("RA10", "潘国伟", County, "浙江新瑞昌控股", admission.Enterprise))
	add(expert("RA11", "叶青", County, "瑞安市莘塍精密铸造厂", admission.Enterprise))
	add(expert("RA12", "薛红", County, "瑞安市安阳街道科协", admission.OtherOrg))
	add(expert("RA13", "池永辉", County, "瑞安市汽摩配行业协会", admission.OtherOrg))
	former := expert("RA14", "管伟", County, "瑞安华安检测有限公司", admission.Enterprise)
	former.Past = []admission.Affiliation{{Org: "瑞安华星汽配有限公司", Kind: admission.Enterprise,
		To: activity.AddDate(0, -18, 0)}} // left the leader's company 18 months ago
	add(former)
	p.Usage["RA05"] = 8 // at Ruian's cap, under the city's
	p.Usage["RA07"] = 9
	// Elsewhere in Wenzhou and the province.
	add(expert("WZ01", "张伟", "330302", "温州大学", admission.University))
	add(expert("WZ02", "李娜", "330302", "温州医科大学", admission.University))
	add(expert("WZ03", "刘洋", "330304", "温州职业技术学院", admission.University))
	add(expert("WZ04", "欧阳明", "330382", "乐清正泰研究院", admission.Institute))
	add(expert("WZ05", "赵敏", "330303", "温州市大数据发展管理局", admission.Government)) // city government: not Ruian's
	add(expert("WZ06", "孙磊", "330302", "温州市科技信息研究院", admission.Institute))
	add(expert("WZ07", "钱程", "330324", "永嘉县泵阀研究所", admission.Institute))
	add(expert("ZJ01", "何静", "330106", "浙江大学", admission.University))
	add(expert("ZJ02", "徐立", "330106", "浙江工业大学", admission.University))
	add(expert("ZJ03", "马骏", "330102", "浙江省科技评估中心", admission.Institute))
	// Past reviews (Pool.History) for Ruian's cooling-off rule: WZ03 reviewed a project of the
	// same applicant unit four months before this review, ZJ02 eight months before.
	p.History = map[string][]selection.Participation{
		"WZ03": {{ActivityID: "RA-REQ-2026-007", ApplicantUnit: "瑞安华星汽配有限公司", At: activity.AddDate(0, -4, 0)}},
		"ZJ02": {{ActivityID: "RA-REQ-2025-093", ApplicantUnit: "瑞安华星汽配有限公司", At: activity.AddDate(0, -8, 0)}},
	}
	return p
}

// Draw applies p's request rules to the key project's request and draws it with p's rules.
func Draw(p *expertdb.Policy) (*Outcome, error) { return DrawAt(p, drawnAt) }

// DrawAt is Draw with the request drawn at the given time (zero: the draw time not stated).
func DrawAt(p *expertdb.Policy, at time.Time) (*Outcome, error) {
	r := Request()
	r.DrawnAt = at
	req, err := p.Apply(r, "key-project")
	if err != nil {
		return nil, err
	}
	pool := Pool()
	res, err := selection.Draw(req, pool, entropy, p.Selection)
	if err != nil {
		return nil, err
	}
	o := &Outcome{Policy: p, Request: req, Result: res}
	for _, pick := range res.Panel {
		if regionOf(pool, pick.ExpertID) != County {
			o.Outside++
		}
	}
	return o, nil
}

// Recusal returns the codes of the conflicts that exclude e from the project under p.
func Recusal(p *expertdb.Policy, e admission.Expert) ([]string, error) {
	c, err := conflict.New(Project(), nil, activity, p.Conflict)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, x := range c.Check(e) {
		codes = append(codes, x.Code)
	}
	return codes, nil
}

func regionOf(pool selection.Pool, id string) string {
	for _, e := range pool.Experts {
		if e.ID == id {
			return e.Region
		}
	}
	return ""
}

func nameOf(pool selection.Pool, id string) string {
	for _, e := range pool.Experts {
		if e.ID == id {
			return audit.MaskName(e.Name)
		}
	}
	return ""
}

// Run writes the whole comparison to w.
func Run(w io.Writer) error {
	city := expertdb.DefaultPolicy()
	ruian, err := LoadRuian()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s（%s，%s）对市级规则的调整：\n", ruian.Name, ruian.Region, ruian.Filing)
	for _, c := range ruian.Changes() {
		fmt.Fprintf(w, "  %s\n", c)
	}
	pool := Pool()

	fmt.Fprintf(w, "\n回避检查（项目 %s，负责人单位 %s，成员单位 %s）：\n", Project().ID,
		Project().Leader.Affiliation.Org, Project().Members[0].Affiliation.Org)
	for _, id := range []string{"RA02", "RA04", "RA14", "WZ05"} {
		e := pool.Experts[slices.IndexFunc(pool.Experts, func(e admission.Expert) bool { return e.ID == id })]
		cc, err := Recusal(city, e)
		if err != nil {
			return err
		}
		rc, err := Recusal(ruian, e)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %s %s（%s）  市级：%s  瑞安：%s\n", id, audit.MaskName(e.Name), e.Affiliation.Org, codes(cc), codes(rc))
	}

	outcomes := map[string]*Outcome{}
	for _, x := range []struct {
		label string
		p     *expertdb.Policy
	}{{"市级规则", city}, {"瑞安细则", ruian}} {
		o, err := Draw(x.p)
		if err != nil {
			return fmt.Errorf("%s: %w", x.label, err)
		}
		outcomes[x.label] = o
		fmt.Fprintf(w, "\n【%s】抽取申请 %s，专家 %d 名，候选 %d 名\n", x.label, o.Request.ID, o.Request.Size, o.Result.Candidates)
		for _, q := range o.Request.Quotas {
			fmt.Fprintf(w, "  结构配额 %s：%s，至少 %d 名\n", q.Name, q.Filter, q.Min)
		}
		for _, ex := range o.Result.Excluded {
			fmt.Fprintf(w, "  排除 %s %s：%s（%s）\n", ex.ExpertID, nameOf(pool, ex.ExpertID), ex.Code, ex.Article)
		}
		var panel []string
		for _, pick := range o.Result.Panel {
			panel = append(panel, fmt.Sprintf("%s(%s)", pick.ExpertID, regionOf(pool, pick.ExpertID)))
		}
		fmt.Fprintf(w, "  专家组：%s\n", strings.Join(panel, " "))
		fmt.Fprintf(w, "  县外专家 %d / %d 名\n", o.Outside, len(o.Result.Panel))
	}

	fmt.Fprintf(w, "\n差异：\n")
	c, r := outcomes["市级规则"].Excluded(), outcomes["瑞安细则"].Excluded()
	for _, e := range pool.Experts {
		if c[e.ID] != r[e.ID] {
			fmt.Fprintf(w, "  %s %s：市级 %s，瑞安 %s\n", e.ID, nameOf(pool, e.ID), orDash(c[e.ID]), orDash(r[e.ID]))
		}
	}
	fmt.Fprintf(w, "  县外专家：市级 %d 名，瑞安 %d 名（瑞安细则要求不少于 %d 名）\n",
		outcomes["市级规则"].Outside, outcomes["瑞安细则"].Outside, outcomes["瑞安细则"].Request.Quotas[0].Min)

	fmt.Fprintf(w, "\n冷却期（瑞安细则：活动前后 6 个月内评审过同一申报单位项目的专家不予抽取）：\n")
	for _, id := range sortedKeys(pool.History) {
		for _, h := range pool.History[id] {
			fmt.Fprintf(w, "  %s %s 曾于 %s 评审 %s 的项目：市级 %s，瑞安 %s\n", id, nameOf(pool, id), h.At.Format("2006-01-02"),
				h.ApplicantUnit, orDash(c[id]), orDash(r[id]))
		}
	}

	win := ruian.Selection.DrawWindow
	fmt.Fprintf(w, "\n抽取时段（活动开始 %s；瑞安细则：开始前 %s至 %s之间抽取；市级规则不限）：\n",
		activity.Format("2006-01-02 15:04"), hours(win.MaxLead), hours(win.MinLead))
	for _, lead := range WindowLeads {
		at := activity.Add(-lead)
		fmt.Fprintf(w, "  %s 抽取（开始前 %s）：市级 %s；瑞安 %s\n", at.Format("2006-01-02 15:04"), hours(lead),
			windowVerdict(city, at), windowVerdict(ruian, at))
	}
	return nil
}

// WindowLeads are the draw times Run tries, as leads before the activity: too early, both
// ends of Ruian's window, inside it, and too late.
var WindowLeads = []time.Duration{96 * time.Hour, 72 * time.Hour, 24 * time.Hour, 2 * time.Hour, time.Hour}

// windowVerdict draws the key project at the time at under p and says whether the draw
// ran or which refusal stopped it.
func windowVerdict(p *expertdb.Policy, at time.Time) string {
	_, err := DrawAt(p, at)
	if err == nil {
		return "可以抽取"
	}
	var se *selection.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("拒绝 %s（%s）：%s", se.Code, se.Article, se.Message)
	}
	return "错误：" + err.Error()
}

// hours writes a lead time in hours.
func hours(d time.Duration) string { return fmt.Sprintf("%g 小时", d.Hours()) }

func sortedKeys[V any](m map[string]V) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.Sort(keys)
	return keys
}

func codes(cs []string) string {
	if len(cs) == 0 {
		return "无需回避"
	}
	return strings.Join(cs, ",")
}

func orDash(s string) string {
	if s == "" {
		return "可抽取"
	}
	return s
}

func main() {
	if err := Run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "county:", err)
		os.Exit(1)
	}
}
