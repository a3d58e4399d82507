package expertdb

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// Marks Describe puts after what a county changed.
const (
	MarkChanged  = "（本地调整）"
	MarkAdded    = "（本地新增）"
	MarkDisabled = "（本地停用）"
)

// Describe renders the effective rules in Chinese, article by article, as a county files them
// with the city bureau (备案, Art. 13): admission (Art. 5, 8, 10, 11), draws (Art. 13, 14,
// with the draw controls: availability, Art. 8(2); draw window, Art. 14(2); county exclusion
// rules), recusal (Art. 15), ratings and integrity (Art. 25, 9, 10), permissions (Art. 18–21) and
// alerts (Art. 17, 22). Every setting or rule the county changed is marked MarkChanged,
// every addition MarkAdded, and every default rule it removed is listed with MarkDisabled;
// a closing list repeats each change with the city default and the county's value. Rule
// expressions are shown as written, on one line, next to their Chinese message.
//
// Describe never panics: a part of the policy that is missing (a nil rule set in a Policy
// built by hand) is shown as such.
func (p *Policy) Describe() string {
	d := &describer{p: p}
	d.header()
	for _, s := range []struct {
		title   string
		missing bool
		render  func()
	}{
		{"一、专家入库条件（第五条、第十一条）", p.Admission == nil, d.admission},
		{"二、专家抽（选）取（第十三条、第十四条）", p.Selection == nil, d.selection},
		{"三、专家回避（第十五条）", p.Conflict == nil, d.conflict},
		{"四、履职评价与科研诚信（第九条、第十条、第二十五条、第二十六条）", p.Evaluation == nil, d.evaluation},
		{"五、使用权限（第十八条至第二十一条）：实名登记，分级授权，未经允许一律拒绝", false, d.permissions},
		{"六、全程留痕与异常预警（第十七条、第二十二条）：所有操作记入防篡改审计日志，下列情形提示核查：", false, d.alerts},
	} {
		d.line(0, "")
		d.line(0, "%s", s.title)
		if s.missing {
			d.line(1, "（未配置：本部分规则缺失，使用细则不完整）")
			continue
		}
		s.render()
	}
	d.deviations()
	d.changeList()
	return d.b.String()
}

type describer struct {
	p *Policy
	b strings.Builder
}

func (d *describer) line(indent int, format string, args ...any) {
	d.b.WriteString(strings.Repeat("  ", indent))
	fmt.Fprintf(&d.b, format, args...)
	d.b.WriteByte('\n')
}

// mark returns the mark of the setting at path: added, changed (the path or anything below
// it), or "".
func (d *describer) mark(path string) string {
	changed := false
	for _, c := range d.p.changes {
		if c.Path == path && c.Kind == ChangeAdd {
			return MarkAdded
		}
		if c.Path == path || strings.HasPrefix(c.Path, path+".") || strings.HasPrefix(c.Path, path+"[") {
			changed = true
		}
	}
	if changed {
		return MarkChanged
	}
	return ""
}

// removed returns the removals directly in the list at path (path[name]).
func (d *describer) removed(path string) []Change {
	var out []Change
	for _, c := range d.p.changes {
		if c.Kind == ChangeRemove && strings.HasPrefix(c.Path, path+"[") && !strings.Contains(c.Path[len(path)+1:], "].") {
			out = append(out, c)
		}
	}
	return out
}

func (d *describer) header() {
	p := d.p
	d.line(0, "《%s》规则说明", p.Name)
	d.line(0, "行政区划代码：%s", p.Region)
	d.line(0, "备案文号：%s", orNone(p.Filing))
	if p.Effective.IsZero() {
		d.line(0, "施行日期：（未填写）")
	} else {
		d.line(0, "施行日期：%s", dateZH(p.Effective))
	}
	d.line(0, "制定依据：%s第十三条", p.Base)
	if p.Draft() {
		d.line(0, "状态：草案——本细则未填写备案文号，尚未报市科技局备案（第十三条），只能作为草案试行，据此作出的抽取记录均标明“草案”。")
	}
	if allowed := p.Allowed(); len(allowed) > 0 {
		d.line(0, "本规则允许县（市、区）使用细则放宽下列市级限制（allow）：%s", strings.Join(allowed, "、"))
	}
	if n := len(p.changes); n > 0 {
		d.line(0, "本细则对市级规则作出本地调整 %d 处，分别标注%s%s%s，并在文末列出。", n, MarkChanged, MarkAdded, MarkDisabled)
	} else {
		d.line(0, "本规则即市级规则，未作本地调整。")
	}
}

// ruleList renders a rule list with marks, then the removed default rules.
func (d *describer) ruleList(indent int, path string, rs []rule.Rule, showMessage bool) {
	if len(rs) == 0 {
		d.line(indent, "（无）")
	}
	for i, r := range rs {
		rp := path + "[" + r.Name + "]"
		d.line(indent, "%d. %s〔%s〕%s", i+1, r.Name, articleZH(r.Article), d.mark(rp))
		d.line(indent+2, "条件：%s", oneLine(r.Expr))
		if showMessage && r.Message != "" {
			d.line(indent+2, "说明：%s", r.Message)
		}
	}
	for _, c := range d.removed(path) {
		name := strings.TrimSuffix(c.Path[len(path)+1:], "]")
		d.line(indent, "× %s〔%s〕%s原条件：%s", name, articleZH(c.Article), MarkDisabled, oneLine(c.Old))
	}
}

func (d *describer) admission() {
	a := d.p.Admission
	d.line(1, "（一）基本条件，须全部满足：")
	d.ruleList(2, "admission.basic", a.Basic, true)
	d.line(2, "条文解释：第五条第（一）项第3目 %s%s；第十一条 %s%s", readingZH(a, admission.RuleIntegrity), d.mark("admission.integrity_bar"),
		readingZH(a, admission.RuleReentry), d.mark("admission.reentry_bar"))
	if len(a.Floor) > 0 {
		d.line(2, "下列市级条件不得放宽，本地改写的规则之外仍须满足（第十三条）：")
		for _, f := range a.Floor {
			d.line(3, "%s〔%s〕市级条件：%s", f.Name, articleZH(f.Article), oneLine(f.Expr))
		}
	}
	d.line(1, "（二）专业条件，满足所申报类别之一：")
	cats := slices.Collect(func(yield func(admission.Category) bool) {
		for _, c := range admission.Categories() {
			if _, ok := a.Professional[c]; ok && !yield(c) {
				return
			}
		}
		var extra []admission.Category
		for c := range a.Professional {
			if !slices.Contains(admission.Categories(), c) {
				extra = append(extra, c)
			}
		}
		slices.Sort(extra)
		for _, c := range extra {
			if !yield(c) {
				return
			}
		}
	})
	for _, c := range cats {
		cr := a.Professional[c]
		path := "admission.professional[" + string(c) + "]"
		article := cr.Article
		if article == "" {
			article = c.Article()
		}
		label := c.Label()
		if label != string(c) {
			label += "（" + string(c) + "）"
		}
		d.line(2, "%s〔%s〕%s", label, articleZH(article), d.mark(path))
		if len(cr.Required) > 0 || len(d.removed(path+".required")) > 0 {
			d.line(3, "须全部满足：")
			d.ruleList(4, path+".required", cr.Required, true)
		}
		if len(cr.AnyOf) > 0 || len(d.removed(path+".any_of")) > 0 {
			d.line(3, "须满足下列之一：")
			d.anyOf(4, path+".any_of", cr.AnyOf)
		}
	}
	for _, ch := range d.removed("admission.professional") {
		d.line(2, "× %s（%s）%s", admission.Category(strings.TrimSuffix(ch.Path[len("admission.professional["):], "]")).Label(),
			strings.TrimSuffix(ch.Path[len("admission.professional["):], "]"), MarkDisabled)
	}
	d.line(1, "（三）抽取时另须满足（第十四条第（三）项等）：")
	d.ruleList(2, "admission.drawable", a.Drawable, true)
	days := a.StaleAfterDays
	if days == 0 {
		days = admission.DefaultStaleAfterDays
	}
	d.line(1, "（四）动态管理：专家信息超过 %d 天未更新的，提示专家更新（第八条第（一）项）%s", days, d.mark("admission.stale_after_days"))
	d.line(2, "下列基本条件不再满足的在库专家，提出出库建议（第十条）：%s", d.mark("admission.sweep_exits"))
	if len(a.SweepExits) == 0 {
		d.line(3, "（无）")
	}
	for _, name := range sortedKeys(a.SweepExits) {
		r := a.SweepExits[name]
		d.line(3, "%s → %s〔%s〕%s", name, r.Label(), articleZH(r.Article()), d.mark("admission.sweep_exits["+name+"]"))
	}
	for _, ch := range d.removed("admission.sweep_exits") {
		d.line(3, "× %s%s", strings.TrimSuffix(ch.Path[len("admission.sweep_exits["):], "]"), MarkDisabled)
	}
}

// anyOf renders alternatives compactly: name, expression and what it stands for.
func (d *describer) anyOf(indent int, path string, rs []rule.Rule) {
	for i, r := range rs {
		d.line(indent, "%d. %s：%s —— %s%s", i+1, r.Name, oneLine(r.Expr), r.Message, d.mark(path+"["+r.Name+"]"))
	}
	for _, c := range d.removed(path) {
		d.line(indent, "× %s%s原条件：%s", strings.TrimSuffix(c.Path[len(path)+1:], "]"), MarkDisabled, oneLine(c.Old))
	}
}

func (d *describer) selection() {
	s := d.p.Selection
	if s.AnnualCap > 0 {
		d.line(1, "（一）随机抽取：每名专家每年参与科技评审（咨询）活动不超过 %d 次，按活动日期所在公历年度计算%s", s.AnnualCap, d.mark("selection.annual_cap"))
	} else {
		d.line(1, "（一）随机抽取：不限制每名专家每年参与次数%s", d.mark("selection.annual_cap"))
	}
	f := s.PreferentialShare
	d.line(1, "（二）择优选取：人数不超过专家组总人数的%s（择优人数 × %d ≤ 专家组人数 × %d），须有选取方案，经分管领导审批并送局机关纪委备案%s",
		fractionZH(f.Num, f.Den), f.Den, f.Num, d.mark("selection.preferential_share"))
	mode := "v1（SHA-256，绑定申请摘要与候选名单摘要，见 docs/draw-v1.md）"
	if s.Mode == selection.RFC3797 {
		mode = "rfc3797（MD5，RFC 3797 公开可验证抽取）"
	}
	d.line(1, "（三）抽取算法：%s%s", mode, d.mark("selection.mode"))
	if s.Reserve > 0 {
		d.line(1, "（四）备选名单：%d 名，专家拒绝或逾期未回复时按序递补（第十四条第（二）项）%s", s.Reserve, d.mark("selection.reserve"))
	} else {
		d.line(1, "（四）备选名单：与专家组人数相同，专家拒绝或逾期未回复时按序递补（第十四条第（二）项）%s", d.mark("selection.reserve"))
	}
	if d.p.SealPanels {
		d.line(1, "（五）抽取结果保密：活动开始前专家组及备选名单仅抽取经办人和局机关纪委可见，提前启封须经审批（第八条第（六）项、第九条第（七）项、第二十二条第（三）项）%s", d.mark("selection.seal_panels"))
	} else {
		d.line(1, "（五）抽取结果保密：专家组名单不作封存处理%s", d.mark("selection.seal_panels"))
	}
	d.line(1, "（六）抽取申请的本地结构要求（第十三条）：")
	if len(d.p.RequestRules) == 0 {
		d.line(2, "（无）")
	}
	for i, rr := range d.p.RequestRules {
		path := "request_rules[" + rr.Name + "]"
		d.line(2, "%d. %s〔%s〕%s：%s", i+1, rr.Name, articleZH(rr.Article), d.mark(path), rr.Message)
		if rr.When != "" {
			d.line(4, "适用条件：%s", oneLine(rr.When))
		} else {
			d.line(4, "适用条件：所有抽取申请")
		}
		if rr.Criteria != "" {
			d.line(4, "专家条件：%s", oneLine(rr.Criteria))
		}
		for _, q := range rr.Quotas {
			d.line(4, "配额 %s：符合 %s 的专家%s", q.Name, oneLine(q.Filter), quotaZH(q))
		}
		for _, g := range rr.Groups {
			d.line(4, "分组上限 %s：按 %s 分组，每组不超过 %d 人", g.Name, oneLine(g.Key), g.Max)
		}
	}
	d.drawControls(s)
}

// drawControls renders the draw controls of selection: availability (Art. 8(2)), the draw
// window (Art. 14(2)) and the county exclusion rules (Art. 13).
func (d *describer) drawControls(s *selection.Rules) {
	d.line(1, "（七）专家时间冲突（第八条第（二）项：专家接受邀请后，原则上不得缺席）：")
	if s.IgnoreUnavailable {
		d.line(2, "不核查专家申报的不能参加时段%s", d.mark("selection.ignore_unavailable"))
	} else {
		d.line(2, "专家申报的不能参加时段（请假、出差等）与活动时间重叠的，不予抽取%s", d.mark("selection.ignore_unavailable"))
	}
	if s.IgnoreBookings {
		d.line(2, "不核查专家已接受的其他活动%s", d.mark("selection.ignore_bookings"))
	} else {
		d.line(2, "专家已接受其他评审（咨询）活动邀请且时间重叠的，不予抽取%s", d.mark("selection.ignore_bookings"))
	}
	w, mark := s.DrawWindow, d.mark("selection.draw_window")
	const why = "（第十四条第（二）项：抽取和通知过程保密；参照评审专家抽取的通行做法，缩短专家名单形成至活动开始的时间）"
	switch {
	case w.MaxLead > 0 && w.MinLead > 0:
		d.line(1, "（八）抽取时段%s：须在活动开始前%s至前%s之间抽取，抽取申请须写明抽取时间%s", why, durationZH(w.MaxLead), durationZH(w.MinLead), mark)
	case w.MaxLead > 0:
		d.line(1, "（八）抽取时段%s：须在活动开始前%s以内、活动开始之前抽取，抽取申请须写明抽取时间%s", why, durationZH(w.MaxLead), mark)
	case w.MinLead > 0:
		d.line(1, "（八）抽取时段%s：须在活动开始前至少%s抽取，抽取申请须写明抽取时间%s", why, durationZH(w.MinLead), mark)
	default:
		d.line(1, "（八）抽取时段：不限定（市级规则未规定抽取时段）%s", mark)
	}
	d.line(1, "（九）本地排除规则（第十三条），候选专家不满足下列条件的不予抽取：")
	d.ruleList(2, "selection.exclusions", s.Exclusions, true)
}

// quotaZH renders the bounds of a request quota in Chinese.
func quotaZH(q RequestQuota) string {
	var parts []string
	if q.MinShare.Den > 0 {
		parts = append(parts, "不少于专家组人数的"+fractionZH(q.MinShare.Num, q.MinShare.Den)+"（向上取整）")
	}
	if q.Min > 0 {
		parts = append(parts, fmt.Sprintf("不少于 %d 人", q.Min))
	}
	if q.MaxShare.Den > 0 {
		parts = append(parts, "不超过专家组人数的"+fractionZH(q.MaxShare.Num, q.MaxShare.Den)+"（向下取整）")
	}
	if q.Max > 0 {
		parts = append(parts, fmt.Sprintf("不超过 %d 人", q.Max))
	}
	return strings.Join(parts, "，")
}

func (d *describer) conflict() {
	c := d.p.Conflict
	d.line(1, "（一）项目负责人或项目组成员：一律回避。")
	d.line(1, "（二）与项目组成员存在重大利益关系的：%s", d.mark("conflict.relations"))
	for _, r := range c.Relations {
		span := fmt.Sprintf("关系结束后 %d 个月内", r.Months)
		if r.Unlimited {
			span = "不限期限"
		}
		d.line(2, "%s（%s）：%s", r.Label, strings.Join(r.Kinds, "、"), span)
	}
	other := "其他关系：不论何时均回避"
	if strings.TrimSpace(c.OtherRelations) != "" {
		other = "其他关系：满足 " + oneLine(c.OtherRelations) + " 时回避"
	}
	d.line(2, "%s%s", other, d.mark("conflict.other_relations"))
	d.line(1, "（三）与项目组成员同一高校同一院系、同一科研院所、同一企业的：离开原单位 %d 个月内仍视为该单位人员%s",
		c.FormerUnitMonths, d.mark("conflict.former_unit_months"))
	var otherUnit string
	switch c.OtherUnitClause {
	case 3:
		otherUnit = "按第（三）项回避"
	case 5:
		otherUnit = "按第（五）项回避"
	default:
		otherUnit = "不因同单位回避"
	}
	d.line(2, "同一政府机关、医院、金融机构等其他单位的：%s%s", otherUnit, d.mark("conflict.other_unit_clause"))
	d.aliasList(2, "单位别名", "conflict.unit_aliases", c.UnitAliases)
	d.aliasList(2, "院系别名", "conflict.department_aliases", c.DepartmentAliases)
	d.line(1, "（四）与项目负责人评审前声明的回避要求直接冲突的：回避清单最多 %d 项%s", c.MaxAvoidances, d.mark("conflict.max_avoidances"))
	d.line(1, "（五）其他可能影响公正评价的情形：")
	d.ruleList(2, "conflict.clause5", c.Clause5, true)
	possible := "回避"
	if !c.ExcludePossible {
		possible = "提示人工核实，不自动回避"
	}
	d.line(1, "仅凭姓名与单位等判断的可能冲突：%s%s", possible, d.mark("conflict.exclude_possible"))
}

func (d *describer) aliasList(indent int, label, path string, m map[string]string) {
	keys := sortedKeys(m)
	removed := d.removed(path)
	if len(keys) == 0 && len(removed) == 0 {
		return
	}
	parts := make([]string, 0, len(keys)+len(removed))
	for _, k := range keys {
		parts = append(parts, k+"→"+m[k]+d.mark(path+"["+k+"]"))
	}
	for _, c := range removed {
		parts = append(parts, "×"+strings.TrimSuffix(c.Path[len(path)+1:], "]")+MarkDisabled)
	}
	d.line(indent, "%s：%s", label, strings.Join(parts, "；"))
}

func (d *describer) evaluation() {
	e := d.p.Evaluation
	verb := "超过"
	if e.Inclusive {
		verb = "达到"
	}
	d.line(1, "（一）上一年度履职评价优秀率%s%s的专家，方可作为择优选取对象%s%s", verb, fractionZH(e.Threshold.Num, e.Threshold.Den),
		d.mark("evaluation.threshold"), d.mark("evaluation.inclusive"))
	d.line(1, "（二）上一年度至少有 %d 次履职评价%s", max(e.MinRatings, 1), d.mark("evaluation.min_ratings"))
	aspects := "评价须分别给出业务水平、工作态度、质量规范三个方面的等级"
	if !e.RequireAspects {
		aspects = "评价可只给出总体等级"
	}
	d.line(1, "（三）%s%s", aspects, d.mark("evaluation.require_aspects"))
	var vs []string
	for _, v := range e.Serious {
		vs = append(vs, fmt.Sprintf("%s〔%s〕", v.Text(), articleZH(v.Article())))
	}
	d.line(1, "（四）属于严重科研失信、提出出库建议（第十条第（三）项）的违规行为：%s%s", orNone(strings.Join(vs, "；")), d.mark("evaluation.serious_violations"))
}

func (d *describer) permissions() {
	r := d.p.Permissions
	roles := make([]string, len(r.Roles))
	for i, role := range r.Roles {
		roles[i] = audit.RoleLabel(role) + "（" + role + "）"
	}
	if len(roles) == 0 {
		for _, role := range audit.Roles() {
			roles = append(roles, audit.RoleLabel(role)+"（"+role+"）")
		}
	}
	d.line(1, "（一）角色：%s%s", strings.Join(roles, "、"), d.mark("permissions.roles"))
	d.line(1, "（二）禁止规则（优先适用）：")
	d.ruleList(2, "permissions.deny", r.Deny, true)
	d.line(1, "（三）允许规则：")
	d.ruleList(2, "permissions.allow", r.Allow, false)
}

func (d *describer) alerts() {
	if len(d.p.Alerts) == 0 {
		d.line(1, "（无）")
	}
	for i, a := range d.p.Alerts {
		count := "事件数"
		if a.Count == audit.CountSubjects {
			count = "不同对象数"
		}
		window := "全部记录中"
		if a.Window > 0 {
			window = durationZH(a.Window) + "内"
		}
		d.line(1, "%d. %s〔%s〕%s：%s", i+1, a.Name, articleZH(a.Article), d.mark("alerts["+a.Name+"]"), a.Message)
		d.line(3, "条件：%s；按 %s 分组，%s%s超过 %d 时预警", oneLine(a.Match), orNone(oneLine(a.Key)), window, count, a.Threshold)
	}
	for _, c := range d.removed("alerts") {
		d.line(1, "× %s〔%s〕%s原条件：%s", strings.TrimSuffix(c.Path[len("alerts["):], "]"), articleZH(c.Article), MarkDisabled, oneLine(c.Old))
	}
}

// readingZH says which reading of Art. 5(1)3 or Art. 11 the basic rule name implements.
func readingZH(a *admission.Rules, name string) string {
	i := slices.IndexFunc(a.Basic, func(r rule.Rule) bool { return r.Name == name })
	if i < 0 {
		return "（规则已停用）"
	}
	switch readingOf(name, a.Basic[i].Expr) {
	case string(admission.IntegrityAnyRecord):
		return "any-record（有任何未经审查保留的不良记录均不得入库）"
	case string(admission.IntegritySeriousOnly):
		return "serious-only（仅严重不良记录不得入库）"
	case string(admission.ReentryAnyExit):
		return "any-exit（因第十条任一情形出库的均不得再次入库）"
	case string(admission.ReentryForCause):
		return "for-cause（仅因第十条第（三）至（五）项出库的不得再次入库）"
	}
	return "本地表达式"
}

// deviations lists the settings beyond a city limit and what allowed each (Art. 13).
func (d *describer) deviations() {
	devs := d.p.Deviations()
	if len(devs) == 0 {
		return
	}
	d.line(0, "")
	d.line(0, "附：突破市级限制的设置（共 %d 处，均经允许）", len(devs))
	for i, dv := range devs {
		d.line(1, "%d. %s%s〔%s〕本地为 %s；市级限制：%s；允许依据：%s", i+1, titled(dv.Path), dv.Path, articleZH(dv.Article), dv.Value, dv.Limit, dv.AllowedBy)
	}
}

func (d *describer) changeList() {
	if len(d.p.changes) == 0 {
		return
	}
	d.line(0, "")
	d.line(0, "附：本地调整清单（共 %d 处）", len(d.p.changes))
	for i, c := range d.p.changes {
		var what string
		switch c.Kind {
		case ChangeAdd:
			what = "新增：" + oneLine(c.New)
		case ChangeRemove:
			what = "停用：原为 " + oneLine(c.Old)
		default:
			what = "市级规则 " + orNone(oneLine(c.Old)) + " → 本地 " + orNone(oneLine(c.New))
		}
		d.line(1, "%d. %s%s〔%s〕%s", i+1, titled(c.Path), c.Path, articleZH(c.Article), what)
	}
}

// titled returns the declared Chinese title of the setting at path followed by a colon
// ("每名专家年度参与次数上限："), or "" (see settingTitle).
func titled(path string) string {
	if t := settingTitle(path); t != "" {
		return t + "："
	}
	return ""
}

var articleRE = regexp.MustCompile(`^(\d+)(?:\((\d+)\))?(\d+)?$`)

// articleZH writes a citation such as "Art. 5(1)2" or "Art. 14(1), 28" the Chinese way:
// 第五条第（一）项第2目, 第十四条第（一）项、第二十八条. Anything else is returned as is.
func articleZH(s string) string {
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), "Art. ")
	if !ok {
		return s
	}
	var out []string
	for _, part := range strings.Split(rest, ",") {
		m := articleRE.FindStringSubmatch(strings.TrimSpace(part))
		if m == nil {
			return s
		}
		n, _ := strconv.Atoi(m[1])
		zh := "第" + numberZH(n) + "条"
		if m[2] != "" {
			k, _ := strconv.Atoi(m[2])
			zh += "第（" + numberZH(k) + "）项"
		}
		if m[3] != "" {
			zh += "第" + m[3] + "目"
		}
		out = append(out, zh)
	}
	return strings.Join(out, "、")
}

// numberZH writes 1–99 in Chinese numerals (十, 十五, 二十八); other numbers in digits.
func numberZH(n int) string {
	digits := []string{"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n >= 1 && n <= 9:
		return digits[n]
	case n == 10:
		return "十"
	case n > 10 && n < 20:
		return "十" + digits[n-10]
	case n >= 20 && n <= 99:
		s := digits[n/10] + "十"
		if n%10 != 0 {
			s += digits[n%10]
		}
		return s
	}
	return strconv.Itoa(n)
}

// fractionZH writes a fraction as 三分之一, 二分之一, or "3/10（30%）" when it is a whole
// percentage with a denominator other than 2, 3 or 4.
func fractionZH(num, den int) string {
	switch {
	case den <= 0:
		return fmt.Sprintf("%d/%d", num, den)
	case num == den:
		return "全部"
	case num == 0:
		return "零"
	case den <= 4 && num == 1:
		return numberZH(den) + "分之一"
	case den <= 10 && num < den:
		if (num*100)%den == 0 {
			return fmt.Sprintf("%s分之%s（%d%%）", numberZH(den), numberZH(num), num*100/den)
		}
		return numberZH(den) + "分之" + numberZH(num)
	}
	if num <= 1<<20 && (num*100)%den == 0 {
		return fmt.Sprintf("%d%%", num*100/den)
	}
	return fmt.Sprintf("%d/%d", num, den)
}

// durationZH writes a duration in hours, minutes or days.
func durationZH(t time.Duration) string {
	switch {
	case t%(24*time.Hour) == 0:
		return fmt.Sprintf("%d天", t/(24*time.Hour))
	case t%time.Hour == 0:
		return fmt.Sprintf("%d小时", t/time.Hour)
	case t%time.Minute == 0:
		return fmt.Sprintf("%d分钟", t/time.Minute)
	}
	return t.String()
}

// dateZH writes a date as 2026年1月1日.
func dateZH(t time.Time) string {
	y, m, d := t.Date()
	return fmt.Sprintf("%d年%d月%d日", y, m, d)
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "（无）"
	}
	return s
}
