package expertdb

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// This file declares the county profile's format once: every key, its kind, the values it
// may take, whether it is required, its default, its Chinese and English description, the
// article it implements and the Go field it sets. LoadPolicy takes its key sets and enum
// values from it (profileKeys, profileEnum) and, for the sections it reads with
// loader.declared, the reader of each scalar key (by Kind) and the missing-key errors
// (Required, Missing); the JSON Schema schema/county-profile.schema.json
// and the reference in docs/county-profile.md are generated from it (profile_schema_test.go,
// -update), and Describe names changed settings with its Chinese titles. A test walks the
// loader with profiles generated from this declaration, so the two cannot drift.

// fieldKind is the kind of a profile value.
type fieldKind int

const (
	kindMap      fieldKind = iota // a mapping with the keys of Fields (empty value = empty mapping)
	kindDict                      // a mapping with free keys, each value an Elem
	kindList                      // a sequence of Elem (empty value = empty list)
	kindText                      // non-empty text
	kindString                    // text, possibly empty
	kindExpr                      // an expression (text)
	kindInt                       // a YAML integer, not quoted
	kindBool                      // true or false
	kindFraction                  // "n/d" or a percentage, in [0, 1]
	kindDuration                  // a Go duration ("72h") or the integer 0
	kindDate                      // YYYY-MM-DD
)

// profileField declares one key of the county profile (or the element of a list or dict).
type profileField struct {
	Key      string
	Kind     fieldKind
	Required bool
	Enum     []string // allowed values of a text field
	IntEnum  []int    // allowed values of an integer field
	Min      *int     // smallest integer (or fewest items of a list)
	Pattern  string   // a regular expression the text must match (JSON Schema only)
	Blank    bool     // kindExpr: may be empty
	Missing  string   // message when a Required key is absent (loader.declared); "": its reader checks
	BadValue string   // kindDuration: what the value should be, after the key's path, when it is not one
	Negative string   // kindDuration: the message for a negative duration ("": BadValue)
	ZH, EN   string   // title and description
	Article  string   // article of the Measures it implements, e.g. "Art. 14(1)"
	MapsTo   string   // the Go field it sets
	// Default returns the city default of a scalar setting, from DefaultPolicy; nil when the
	// setting has no single default value.
	Default func(p *Policy) any
	Fields  []*profileField // kindMap
	Elem    *profileField   // kindList, kindDict
}

func intp(n int) *int { return &n }

// ruleList declares a list of rules merged by name with a default list (see LoadPolicy, Rules).
func ruleList(key, zh, en, article, mapsTo, env string, needMessage bool) *profileField {
	msgKind := kindString
	if needMessage {
		msgKind = kindText
	}
	return &profileField{Key: key, Kind: kindList, ZH: zh, EN: en + " Merged with the defaults by name; {name: x, disabled: true} removes the default rule x.",
		Article: article, MapsTo: mapsTo,
		Elem: &profileField{Kind: kindMap, ZH: "规则", EN: "A rule: a new name adds one, a default name changes the fields given.", Fields: []*profileField{
			{Key: "name", Kind: kindText, Required: true, ZH: "规则名称", EN: "The rule's name: a default rule's name changes it, a new name adds a rule."},
			{Key: "article", Kind: kindText, ZH: "依据条款", EN: "The article cited, e.g. \"Art. 15(5)\"; a new rule defaults to " + article + "."},
			{Key: "expr", Kind: kindExpr, ZH: "条件表达式", EN: "The condition, an expression over " + env + "; required for a new rule."},
			{Key: "message", Kind: msgKind, ZH: "不满足时的中文说明", EN: "The Chinese message shown when the condition fails" + map[bool]string{true: "; required for a new rule.", false: "."}[needMessage]},
			{Key: "disabled", Kind: kindBool, ZH: "停用默认规则", EN: "true removes the default rule of this name (with no other field)."},
		}}}
}

// The messages for a bad lead time of the draw window.
const (
	leadBadValue = "应为时长，如 72h（3天）、2h、90m；0 表示不设该端"
	leadNegative = "不能为负数：填写活动开始前多长时间，如 72h"
)

// profileSchema is the county profile's format.
var profileSchema = &profileField{Kind: kindMap, ZH: "县（市、区）科技专家库使用细则", EN: "A county profile (使用细则, Art. 13): the city defaults with the county's overrides.", Fields: []*profileField{
	{Key: "name", Kind: kindText, Required: true, Missing: "须填写使用细则名称（name）", ZH: "使用细则名称", EN: "The profile's name.", Article: "Art. 13", MapsTo: "Policy.Name"},
	{Key: "region", Kind: kindText, Required: true, Missing: "须填写行政区划代码（region），如 \"330381\"", Pattern: `^3303[0-9]{2}$`, ZH: "行政区划代码", EN: "GB/T 2260 code of the county in Wenzhou (3303xx), quoted: \"330381\". 330300 is the city's own profile.", Article: "Art. 13", MapsTo: "Policy.Region"},
	{Key: "filing", Kind: kindText, ZH: "备案文号", EN: "The filing reference with the city bureau; a profile without one is a draft.", Article: "Art. 13", MapsTo: "Policy.Filing"},
	{Key: "effective", Kind: kindDate, ZH: "施行日期", EN: "The date it takes effect, YYYY-MM-DD (China Standard Time).", MapsTo: "Policy.Effective"},
	{Key: "allow", Kind: kindList, ZH: "允许县级放宽的市级限制", EN: "City profile (region 330300) only: the city limits counties loading under it may loosen.", Article: "Art. 13", MapsTo: "Policy.Allowed",
		Elem: &profileField{Kind: kindText, Enum: LimitSettings(), ZH: "市级限制名称", EN: "A setting of LimitSettings."}},
	{Key: "admission", Kind: kindMap, ZH: "专家入库", EN: "Admission (Art. 5, 8(1), 10, 11, 14(3)); expressions over admission.Env.", Article: "Art. 5", MapsTo: "Policy.Admission", Fields: []*profileField{
		ruleList("basic", "入库基本条件", "Basic conditions of admission.", "Art. 5(1)", "admission.Rules.Basic", "admission.Env", true),
		{Key: "integrity_bar", Kind: kindText, Enum: enumOf(admission.IntegrityBars()), ZH: "不良记录的理解", EN: "Reading of Art. 5(1)3: any-record (any adverse record bars entry) or serious-only (loosens; a city limit).", Article: "Art. 5(1)3", MapsTo: "admission.Rules.Basic[integrity-record]",
			Default: func(*Policy) any { return string(admission.IntegrityAnyRecord) }},
		{Key: "reentry_bar", Kind: kindText, Enum: enumOf(admission.ReentryBars()), ZH: "再次入库限制的理解", EN: "Reading of Art. 11: any-exit (any Art. 10 exit bars re-entry) or for-cause (only 10(3)–(5); loosens; a city limit).", Article: "Art. 11", MapsTo: "admission.Rules.Basic[re-entry-barred]",
			Default: func(*Policy) any { return string(admission.ReentryAnyExit) }},
		{Key: "professional", Kind: kindDict, ZH: "专业条件（按专家类别）", EN: "Professional conditions per category, merged by category; a new key adds a category.", Article: "Art. 5(2)", MapsTo: "admission.Rules.Professional",
			Elem: &profileField{Kind: kindMap, ZH: "专家类别", EN: "One category's conditions.", Fields: []*profileField{
				{Key: "article", Kind: kindText, ZH: "依据条款", EN: "The article of the category."},
				{Key: "code", Kind: kindText, ZH: "未满足时的代码", EN: "The finding's code when no condition holds."},
				{Key: "message", Kind: kindText, ZH: "未满足时的中文说明", EN: "The Chinese message when no condition holds."},
				ruleList("required", "必须满足的条件", "Conditions every expert of the category meets.", "Art. 5(2)", "admission.CategoryRules.Required", "admission.Env", true),
				ruleList("any_of", "满足其一的条件", "Conditions of which one suffices.", "Art. 5(2)", "admission.CategoryRules.AnyOf", "admission.Env", true),
				{Key: "disabled", Kind: kindBool, ZH: "停用类别", EN: "true removes a default category (with no other key)."},
			}}},
		ruleList("drawable", "可被抽取的条件", "Conditions for being drawn.", "Art. 14(3)", "admission.Rules.Drawable", "admission.Env", true),
		{Key: "sweep_exits", Kind: kindDict, ZH: "清理时的出库建议", EN: "Basic rule name → the exit reason proposed when an active expert no longer meets it; \"\" removes a default.", Article: "Art. 10", MapsTo: "admission.Rules.SweepExits",
			Elem: &profileField{Kind: kindString, Enum: append([]string{""}, exitReasons()...), ZH: "出库原因", EN: "An exit reason of Art. 10, or \"\" to remove."}},
		{Key: "stale_after_days", Kind: kindInt, Min: intp(0), ZH: "信息更新期限（天）", EN: "Days after which a profile not updated is flagged stale (0: the default).", Article: "Art. 8(1)", MapsTo: "admission.Rules.StaleAfterDays",
			Default: func(*Policy) any { return admission.DefaultStaleAfterDays }},
	}},
	{Key: "conflict", Kind: kindMap, ZH: "专家回避", EN: "Recusal (Art. 15).", Article: "Art. 15", MapsTo: "Policy.Conflict", Fields: []*profileField{
		{Key: "exclude_possible", Kind: kindBool, ZH: "可能冲突一律回避", EN: "true excludes possible conflicts (found by name and unit only) too; false flags them for a person to check.", Article: "Art. 15", MapsTo: "conflict.Rules.ExcludePossible",
			Default: func(p *Policy) any { return p.Conflict.ExcludePossible }},
		{Key: "relations", Kind: kindList, ZH: "重大利益关系", EN: "The major interest relations; replaces the whole list.", Article: "Art. 15(2)", MapsTo: "conflict.Rules.Relations",
			Elem: &profileField{Kind: kindMap, ZH: "关系类别", EN: "One class of relation.", Fields: []*profileField{
				{Key: "kinds", Kind: kindList, Required: true, Min: intp(1), ZH: "关系类型", EN: "The relation kinds of the class (Relation.Kind).", Elem: &profileField{Kind: kindText, ZH: "关系类型", EN: "A relation kind."}},
				{Key: "label", Kind: kindText, Required: true, Missing: "每类重大利益关系须有中文名称（label）", ZH: "中文名称", EN: "The class's Chinese name."},
				{Key: "months", Kind: kindInt, Min: intp(0), ZH: "关系结束后回避月数", EN: "Months after the relation ended during which it still counts."},
				{Key: "unlimited", Kind: kindBool, ZH: "不限期限", EN: "true: the relation counts forever."},
			}}},
		{Key: "other_relations", Kind: kindExpr, Blank: true, ZH: "其他关系的回避条件", EN: "When a relation of another kind counts, over conflict.RelationEnv; empty: always.", Article: "Art. 15(2)", MapsTo: "conflict.Rules.OtherRelations",
			Default: func(p *Policy) any { return p.Conflict.OtherRelations }},
		{Key: "former_unit_months", Kind: kindInt, Min: intp(0), ZH: "离开原单位后仍视为该单位人员的月数", EN: "Months after leaving a unit during which the expert still counts as its member.", Article: "Art. 15(3)", MapsTo: "conflict.Rules.FormerUnitMonths",
			Default: func(p *Policy) any { return p.Conflict.FormerUnitMonths }},
		{Key: "other_unit_clause", Kind: kindInt, IntEnum: []int{0, 3, 5}, ZH: "其他同单位情形适用的项（0 不回避，3 按第三项，5 按第五项）", EN: "Same government office, hospital or financial institution: 0 no recusal, 3 under Art. 15(3), 5 under Art. 15(5).", Article: "Art. 15(3)", MapsTo: "conflict.Rules.OtherUnitClause",
			Default: func(p *Policy) any { return p.Conflict.OtherUnitClause }},
		{Key: "max_avoidances", Kind: kindInt, Min: intp(1), ZH: "回避清单最多项数", EN: "The most entries a project leader's avoidance list may have.", Article: "Art. 15(4)", MapsTo: "conflict.Rules.MaxAvoidances",
			Default: func(p *Policy) any { return p.Conflict.MaxAvoidances }},
		{Key: "unit_aliases", Kind: kindDict, ZH: "单位别名", EN: "Alias → unit name, merged by key; \"\" removes a default alias.", Article: "Art. 15(3)", MapsTo: "conflict.Rules.UnitAliases",
			Elem: &profileField{Kind: kindString, ZH: "单位全称", EN: "The unit's name, or \"\" to remove."}},
		{Key: "department_aliases", Kind: kindDict, ZH: "院系别名", EN: "Alias → department name, merged by key; \"\" removes a default alias.", Article: "Art. 15(3)", MapsTo: "conflict.Rules.DepartmentAliases",
			Elem: &profileField{Kind: kindString, ZH: "院系全称", EN: "The department's name, or \"\" to remove."}},
		ruleList("clause5", "其他应当回避的情形", "Other situations that may affect a fair review.", "Art. 15(5)", "conflict.Rules.Clause5", "conflict.Env (expert, project, member)", true),
	}},
	{Key: "evaluation", Kind: kindMap, ZH: "履职评价与科研诚信", EN: "Ratings and integrity (Art. 25, 9, 10(3)).", Article: "Art. 25", MapsTo: "Policy.Evaluation", Fields: []*profileField{
		{Key: "threshold", Kind: kindFraction, ZH: "择优选取的优秀率门槛", EN: "Excellent rate of the previous year above which an expert may be chosen preferentially (at least 30%: a city limit).", Article: "Art. 25", MapsTo: "evaluation.Rules.Threshold",
			Default: func(p *Policy) any { return p.Evaluation.Threshold.String() }},
		{Key: "inclusive", Kind: kindBool, ZH: "门槛含本数", EN: "true: reaching the threshold suffices (\"超过\" is strict by default).", Article: "Art. 25", MapsTo: "evaluation.Rules.Inclusive",
			Default: func(p *Policy) any { return p.Evaluation.Inclusive }},
		{Key: "min_ratings", Kind: kindInt, Min: intp(0), ZH: "最少评价次数", EN: "The fewest ratings in the previous year for preferential choice.", Article: "Art. 25", MapsTo: "evaluation.Rules.MinRatings",
			Default: func(p *Policy) any { return p.Evaluation.MinRatings }},
		{Key: "require_aspects", Kind: kindBool, ZH: "须分项评价", EN: "true: a rating gives expertise, attitude and quality separately.", Article: "Art. 25", MapsTo: "evaluation.Rules.RequireAspects",
			Default: func(p *Policy) any { return p.Evaluation.RequireAspects }},
		{Key: "serious_violations", Kind: kindList, ZH: "严重违规行为", EN: "The Art. 9 violations that are serious breaches (Art. 10(3)); replaces the list, which must keep the city's.", Article: "Art. 10(3)", MapsTo: "evaluation.Rules.Serious",
			Elem: &profileField{Kind: kindText, Enum: violationNames(), ZH: "违规行为代码", EN: "A violation's code (or its article, \"Art. 9(3)\")."}},
	}},
	{Key: "selection", Kind: kindMap, ZH: "专家抽（选）取", EN: "Draws (Art. 13, 14) and their controls.", Article: "Art. 14", MapsTo: "Policy.Selection", Fields: []*profileField{
		{Key: "annual_cap", Kind: kindInt, Min: intp(0), ZH: "每名专家年度参与次数上限", EN: "The most accepted participations per expert and calendar year (1 to 10: a city limit).", Article: "Art. 14(1)", MapsTo: "selection.Rules.AnnualCap",
			Default: func(p *Policy) any { return p.Selection.AnnualCap }},
		{Key: "preferential_share", Kind: kindFraction, ZH: "择优选取人数上限比例", EN: "The largest share of a panel chosen preferentially (at most 1/3: a city limit).", Article: "Art. 14(1)", MapsTo: "selection.Rules.PreferentialShare",
			Default: func(p *Policy) any {
				return fmt.Sprintf("%d/%d", p.Selection.PreferentialShare.Num, p.Selection.PreferentialShare.Den)
			}},
		{Key: "mode", Kind: kindText, Enum: []string{"v1", "rfc3797"}, ZH: "抽取算法", EN: "The draw algorithm: v1 (SHA-256, docs/draw-v1.md) or rfc3797.", Article: "Art. 14(1)", MapsTo: "selection.Rules.Mode",
			Default: func(p *Policy) any { return p.Selection.Mode.String() }},
		{Key: "search_bound", Kind: kindInt, Min: intp(0), ZH: "结构搜索上限", EN: "The bound of the feasibility search of quotas (0: the default).", Article: "Art. 14(1)", MapsTo: "selection.Rules.SearchBound",
			Default: func(*Policy) any { return selection.DefaultSearchBound }},
		{Key: "reserve", Kind: kindInt, Min: intp(0), ZH: "备选名单人数", EN: "Alternates drawn after the panel (0: as many as the panel).", Article: "Art. 14(2)", MapsTo: "selection.Rules.Reserve",
			Default: func(p *Policy) any { return p.Selection.Reserve }},
		{Key: "seal_panels", Kind: kindBool, ZH: "抽取结果保密", EN: "true: panel names are sealed until the activity.", Article: "Art. 8(6), 9(7), 22(3)", MapsTo: "Policy.SealPanels",
			Default: func(p *Policy) any { return p.SealPanels }},
		{Key: "ignore_unavailable", Kind: kindBool, ZH: "不核查不能参加时段", EN: "true stops excluding experts whose declared unavailable periods overlap the activity.", Article: "Art. 8(2)", MapsTo: "selection.Rules.IgnoreUnavailable",
			Default: func(p *Policy) any { return p.Selection.IgnoreUnavailable }},
		{Key: "ignore_bookings", Kind: kindBool, ZH: "不核查已接受的其他活动", EN: "true stops excluding experts who accepted another activity at the same time.", Article: "Art. 8(2)", MapsTo: "selection.Rules.IgnoreBookings",
			Default: func(p *Policy) any { return p.Selection.IgnoreBookings }},
		{Key: "draw_window", Kind: kindMap, ZH: "抽取时段", EN: "When, before the activity starts, a request may be drawn.", Article: drawWindowArticle, MapsTo: "selection.Rules.DrawWindow", Fields: []*profileField{
			{Key: "max_lead", Kind: kindDuration, BadValue: leadBadValue, Negative: leadNegative, ZH: "最早抽取时间（活动开始前）", EN: "The earliest draw before the activity, e.g. 72h; 0: no bound.", Article: drawWindowArticle, MapsTo: "selection.DrawWindow.MaxLead",
				Default: func(p *Policy) any { return durationText(p.Selection.DrawWindow.MaxLead) }},
			{Key: "min_lead", Kind: kindDuration, BadValue: leadBadValue, Negative: leadNegative, ZH: "最晚抽取时间（活动开始前）", EN: "The latest draw before the activity, e.g. 2h; at most max_lead; 0: no bound.", Article: drawWindowArticle, MapsTo: "selection.DrawWindow.MinLead",
				Default: func(p *Policy) any { return durationText(p.Selection.DrawWindow.MinLead) }},
		}},
		ruleList("exclusions", "本地排除规则", "County exclusion rules: an expert for whom one is false is not drawn.", "Art. 13", "selection.Rules.Exclusions", "selection.Env (expert, usage, project, reviewedUnitWithin)", true),
	}},
	{Key: "permissions", Kind: kindMap, ZH: "使用权限", EN: "Permissions (Art. 18–21), over audit.PermissionEnv; deny-by-default.", Article: "Art. 18", MapsTo: "Policy.Permissions", Fields: []*profileField{
		{Key: "roles", Kind: kindList, Min: intp(1), ZH: "角色", EN: "The roles users may have; replaces the list.", Article: "Art. 18", MapsTo: "audit.PermissionRules.Roles",
			Elem: &profileField{Kind: kindText, ZH: "角色", EN: "A role."}},
		ruleList("allow", "允许规则", "Rules that allow an action.", "Art. 18", "audit.PermissionRules.Allow", "audit.PermissionEnv", false),
		ruleList("deny", "禁止规则", "Rules that deny an action; they win over allow rules.", "Art. 18", "audit.PermissionRules.Deny", "audit.PermissionEnv", true),
	}},
	{Key: "alerts", Kind: kindList, ZH: "异常预警", EN: "Alert rules (Art. 17, 22), over audit.AlertEnv; merged by name.", Article: "Art. 17", MapsTo: "Policy.Alerts",
		Elem: &profileField{Kind: kindMap, ZH: "预警规则", EN: "An alert rule: a new name adds one (match and message required), a default name changes the fields given.", Fields: []*profileField{
			{Key: "name", Kind: kindText, Required: true, ZH: "规则名称", EN: "The rule's name."},
			{Key: "article", Kind: kindText, ZH: "依据条款", EN: "The article cited; a new rule defaults to Art. 17."},
			{Key: "message", Kind: kindText, ZH: "中文提示", EN: "The Chinese message of the alert."},
			{Key: "match", Kind: kindExpr, ZH: "匹配条件", EN: "Which events count, an expression over audit.AlertEnv."},
			{Key: "key", Kind: kindExpr, Blank: true, ZH: "分组表达式", EN: "What events are grouped by (e.g. event.Actor.ID); empty: all together."},
			{Key: "count", Kind: kindText, Enum: []string{audit.CountEvents, audit.CountSubjects}, ZH: "计数方式（events 事件数，subjects 不同对象数）", EN: "events (number of events) or subjects (distinct subjects)."},
			{Key: "window", Kind: kindDuration, BadValue: "应为时长，如 24h、90m（0 表示不限时间窗口）", ZH: "时间窗口", EN: "The sliding window, e.g. 24h; 0: the whole log."},
			{Key: "threshold", Kind: kindInt, Min: intp(0), ZH: "预警阈值", EN: "The count above which the alert fires."},
			{Key: "disabled", Kind: kindBool, ZH: "停用默认规则", EN: "true removes the default rule of this name (with only name)."},
		}}},
	{Key: "request_rules", Kind: kindList, ZH: "抽取申请的本地结构要求", EN: "Request rules (Art. 13): conditions and structure added to matching draw requests by Policy.Apply.", Article: "Art. 13", MapsTo: "Policy.RequestRules",
		Elem: &profileField{Kind: kindMap, ZH: "抽取申请规则", EN: "A request rule; it needs criteria, quotas or groups.", Fields: []*profileField{
			{Key: "name", Kind: kindText, Required: true, Pattern: `^[^/]*[^/\s][^/]*$`, ZH: "规则名称", EN: "The rule's name (without \"/\")."},
			{Key: "article", Kind: kindText, ZH: "依据条款", EN: "The article cited; default Art. 13."},
			{Key: "message", Kind: kindText, Required: true, ZH: "中文说明", EN: "The Chinese message of the rule."},
			{Key: "when", Kind: kindExpr, ZH: "适用条件", EN: "Which requests it applies to, over RequestEnv; absent: all."},
			{Key: "criteria", Kind: kindExpr, ZH: "专家条件", EN: "A condition every drawn expert meets, over selection.Env."},
			{Key: "quotas", Kind: kindList, ZH: "配额", EN: "Quotas added to the request.", Elem: &profileField{Kind: kindMap, ZH: "配额", EN: "A quota; it needs a bound.", Fields: []*profileField{
				{Key: "name", Kind: kindText, Required: true, Pattern: `^[^/]*[^/\s][^/]*$`, ZH: "名称", EN: "The quota's name (without \"/\")."},
				{Key: "filter", Kind: kindExpr, Required: true, ZH: "专家条件", EN: "Which experts count, over selection.Env."},
				{Key: "min", Kind: kindInt, Min: intp(0), ZH: "最少人数", EN: "The fewest."},
				{Key: "max", Kind: kindInt, Min: intp(0), ZH: "最多人数", EN: "The most (0: no bound)."},
				{Key: "min_share", Kind: kindFraction, ZH: "最少比例", EN: "The smallest share of the panel (rounded up)."},
				{Key: "max_share", Kind: kindFraction, ZH: "最多比例", EN: "The largest share of the panel (rounded down)."},
			}}},
			{Key: "groups", Kind: kindList, ZH: "分组上限", EN: "Group caps added to the request.", Elem: &profileField{Kind: kindMap, ZH: "分组上限", EN: "At most max experts per value of key.", Fields: []*profileField{
				{Key: "name", Kind: kindText, Required: true, Pattern: `^[^/]*[^/\s][^/]*$`, ZH: "名称", EN: "The cap's name (without \"/\")."},
				{Key: "key", Kind: kindExpr, Required: true, ZH: "分组表达式", EN: "The value experts are grouped by, over selection.Env."},
				{Key: "max", Kind: kindInt, Required: true, Min: intp(1), ZH: "每组最多人数", EN: "The most per group."},
			}}},
		}}},
}}

func enumOf[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func exitReasons() []string {
	return enumOf([]admission.ExitReason{admission.ExitOnRequest, admission.ExitNoLongerQualified,
		admission.ExitMisconduct, admission.ExitLegal, admission.ExitUnsuitable})
}

// violationNames are the spellings ParseViolation accepts: each code, then each article.
func violationNames() []string {
	var codes, arts []string
	for _, v := range evaluation.Violations() {
		codes, arts = append(codes, v.Code()), append(arts, v.Article())
	}
	return append(codes, arts...)
}

// profileAt returns the declaration at a schema path: keys joined by ".", "[]" for the
// element of a list or dict ("request_rules[].quotas[]", "admission.professional[].any_of[]").
func profileAt(path string) *profileField {
	f := profileSchema
	for path != "" {
		if rest, ok := strings.CutPrefix(path, "[]"); ok {
			f, path = f.Elem, strings.TrimPrefix(rest, ".")
			if f == nil {
				return nil
			}
			continue
		}
		key := path
		if i := strings.IndexAny(path, ".["); i >= 0 {
			key, path = path[:i], strings.TrimPrefix(path[i:], ".")
		} else {
			path = ""
		}
		var next *profileField
		for _, c := range f.Fields {
			if c.Key == key {
				next = c
			}
		}
		if next == nil {
			return nil
		}
		f = next
	}
	return f
}

// profileKeys returns the keys of the mapping declared at path, in order. It panics when the
// path declares no mapping: a programming error caught by every test that loads a profile.
func profileKeys(path string) []string {
	f := profileAt(path)
	if f == nil || f.Kind != kindMap {
		panic("expertdb: profile schema has no mapping at " + strconv.Quote(path))
	}
	keys := make([]string, len(f.Fields))
	for i, c := range f.Fields {
		keys[i] = c.Key
	}
	return keys
}

// profileEnum returns the values allowed at path.
func profileEnum(path string) []string {
	f := profileAt(path)
	if f == nil || (len(f.Enum) == 0 && len(f.IntEnum) == 0) {
		panic("expertdb: profile schema has no enum at " + strconv.Quote(path))
	}
	if len(f.IntEnum) > 0 {
		out := make([]string, len(f.IntEnum))
		for i, n := range f.IntEnum {
			out[i] = strconv.Itoa(n)
		}
		return out
	}
	return f.Enum
}

// settingTitle returns the Chinese title of the setting at a change's path, from the
// declaration: "selection.annual_cap" → "每名专家年度参与次数上限", "admission.basic[age]" →
// "入库基本条件", "admission.basic[age].expr" → "入库基本条件·条件表达式"; "" when the path is
// not declared.
func settingTitle(path string) string {
	f := profileSchema
	var titles []string
	inItem := false
	for _, part := range strings.Split(strings.ReplaceAll(schemaPath(path), "[]", ".[]"), ".") {
		if part == "[]" {
			if f = f.Elem; f == nil {
				return ""
			}
			inItem = true
			continue
		}
		var next *profileField
		for _, c := range f.Fields {
			if c.Key == part {
				next = c
			}
		}
		if next == nil {
			return ""
		}
		f = next
		if !inItem {
			titles = titles[:0]
		}
		titles = append(titles, f.ZH)
	}
	if len(titles) > 2 {
		titles = titles[len(titles)-2:]
	}
	return strings.Join(titles, "·")
}

// ProfileSchemaID is the $id of ProfileSchema, the address of the committed file
// schema/county-profile.schema.json.
const ProfileSchemaID = "https://raw.githubusercontent.com/wzsti/expertdb/main/schema/county-profile.schema.json"

// ProfileSchema returns the JSON Schema (draft 2020-12) of the county profile LoadPolicy
// reads, generated from the same declaration the loader takes its keys and values from. An
// editor that reads YAML with JSON Schemas (yaml-language-server: a first line
// "# yaml-language-server: $schema=<address>") completes keys, shows each key's Chinese title,
// English description, article and default, and marks unknown keys and wrong values.
//
// The schema checks structure: keys, types, enumerations, patterns and lower bounds. The
// loader checks more (expressions compile, rule names exist, the city limits of Art. 13), and
// it reads a number or a date written for a text (region: 330381) as written, where the
// schema asks for quotes. A profile the schema refuses for a key or a value the loader
// refuses too; the tests generate profiles from the declaration to prove it.
func ProfileSchema() []byte {
	root := schemaOf(profileSchema, true, DefaultPolicy())
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = ProfileSchemaID
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		panic(err) // maps of strings, numbers and booleans always marshal
	}
	return append(b, '\n')
}

// Patterns of the JSON Schema.
const (
	patternNonBlank = `\S`
	patternFraction = `^\s*([0-9]+\s*/\s*[0-9]+|[0-9]*(\.[0-9]{1,9})?\s*%)\s*$`
	patternDuration = `^([0-9]+(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+$|^0$`
	patternDate     = `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`
)

// schemaOf returns the JSON Schema of one declared value.
func schemaOf(f *profileField, root bool, def *Policy) map[string]any {
	s := map[string]any{}
	if f.ZH != "" {
		s["title"] = f.ZH
	}
	desc := f.EN
	var notes []string
	if f.Article != "" {
		notes = append(notes, f.Article)
	}
	if f.MapsTo != "" {
		notes = append(notes, "sets "+f.MapsTo)
	}
	if len(notes) > 0 {
		desc += " (" + strings.Join(notes, "; ") + ")"
	}
	if desc != "" {
		s["description"] = desc
	}
	if f.Default != nil {
		s["default"] = f.Default(def)
	}
	nullable := func(t string) any {
		if root {
			return t
		}
		return []string{t, "null"}
	}
	switch f.Kind {
	case kindMap:
		s["type"] = nullable("object")
		props := map[string]any{}
		var req []string
		for _, c := range f.Fields {
			props[c.Key] = schemaOf(c, false, def)
			if c.Required {
				req = append(req, c.Key)
			}
		}
		s["properties"] = props
		if len(req) > 0 {
			s["required"] = req
		}
		s["additionalProperties"] = false
	case kindDict:
		s["type"] = nullable("object")
		s["propertyNames"] = map[string]any{"pattern": patternNonBlank}
		s["additionalProperties"] = schemaOf(f.Elem, false, def)
	case kindList:
		if f.Min != nil && *f.Min > 0 {
			s["type"] = "array"
			s["minItems"] = *f.Min
		} else {
			s["type"] = nullable("array")
		}
		s["items"] = schemaOf(f.Elem, false, def)
	case kindText, kindString, kindExpr:
		s["type"] = "string"
		switch {
		case f.Pattern != "":
			s["pattern"] = f.Pattern
		case f.Kind == kindText && len(f.Enum) == 0, f.Kind == kindExpr && !f.Blank:
			s["pattern"] = patternNonBlank
		}
		if len(f.Enum) > 0 {
			s["enum"] = f.Enum
		}
	case kindInt:
		s["type"] = "integer"
		if f.Min != nil {
			s["minimum"] = *f.Min
		}
		if len(f.IntEnum) > 0 {
			s["enum"] = f.IntEnum
		}
	case kindBool:
		s["type"] = "boolean"
	case kindFraction:
		s["type"] = "string"
		s["pattern"] = patternFraction
	case kindDuration:
		s["anyOf"] = []any{
			map[string]any{"type": "string", "pattern": patternDuration},
			map[string]any{"const": 0},
		}
	case kindDate:
		s["type"] = "string"
		s["pattern"] = patternDate
		s["format"] = "date"
	}
	return s
}
