package expertdb

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/rule"
)

// CityRegion is the GB/T 2260 code of Wenzhou itself (温州市). A profile with this region is
// the city's own: only it may carry an allow list.
const CityRegion = "330300"

// codeCityLimit is the *PolicyError code of a setting that loosens a city limit (Art. 13).
const codeCityLimit = "city-limit"

// Limits of a county profile (Art. 13 "参照本办法制定专家库使用细则"): a county adds rules and
// tightens limits; it does not loosen the Measures. Each limit is a named setting the city
// profile can allow explicitly (allow: [...], or the LoadPolicyWith options):
//
//	selection.annual_cap            Art. 14(1)  1 ≤ cap ≤ 10 (0, "no cap", is refused even when allowed)
//	selection.preferential_share    Art. 14(1)  share ≤ 1/3, exact fractions (a share ≥ 1 is refused even when allowed)
//	evaluation.threshold            Art. 25     excellent rate strictly above 3/10 (threshold ≥ 3/10; at exactly 3/10 not inclusive)
//	evaluation.serious_violations   Art. 10(3)  a superset of the city's serious violations
//	admission.integrity_bar         Art. 5(1)3  any-record (serious-only loosens)
//	admission.reentry_bar           Art. 11     any-exit (for-cause loosens)
//	admission.basic[<name>]         Art. 5(1), 11  each city basic rule is kept: not removed, and a
//	                                county expression is checked in addition to the city's
//	                                (admission.Rules.Floor) unless this setting is allowed
//
// LimitSettings lists these names.
func LimitSettings() []string {
	out := []string{"selection.annual_cap", "selection.preferential_share", "evaluation.threshold",
		"evaluation.serious_violations", "admission.integrity_bar", "admission.reentry_bar"}
	for _, r := range admission.DefaultBasicRules() {
		out = append(out, "admission.basic["+r.Name+"]")
	}
	return out
}

// Deviation is a setting of a profile that loosens a city limit and was allowed to: what it
// is, the limit, the profile's value and what allowed it. Policy.Describe lists each.
type Deviation struct {
	Path      string // the setting, e.g. "selection.annual_cap"
	Article   string // e.g. "Art. 14(1)"
	Limit     string // the city limit in words, e.g. "不超过 10 次"
	Value     string // the profile's value, e.g. "12"
	AllowedBy string // what allowed it, e.g. 市级规则《…》（温科发〔2024〕2号）allow 列表
	Line      int    // the line of the profile, 0 when not from a file
}

// LoadOption configures LoadPolicyWith.
type LoadOption func(*loadOptions)

type loadOptions struct {
	permits map[string]string // setting → what allowed it
	errs    []error
}

// AllowDeviations lets the profile loosen the named settings (see LimitSettings), with the
// caller as the authority ("调用方选项 AllowDeviations"). A program uses it when the city's
// permission is recorded elsewhere; prefer UnderCity.
func AllowDeviations(settings ...string) LoadOption {
	return func(o *loadOptions) {
		for _, s := range settings {
			o.permit(s, "调用方选项 AllowDeviations")
		}
	}
}

// UnderCity loads a county profile under the city profile city (a policy of region
// CityRegion, loaded with LoadPolicy): the county may loosen exactly the settings in city's
// allow list, and each such deviation names the city profile as what allowed it. The county
// profile is still laid over the Measures' defaults (DefaultPolicy), as LoadPolicy does: the
// city profile contributes its allow list, not its own rules.
func UnderCity(city *Policy) LoadOption {
	return func(o *loadOptions) {
		if city == nil || city.Region != CityRegion {
			o.errs = append(o.errs, &PolicyError{Code: codeValue, Message: "UnderCity 须传入市级规则（region " + CityRegion + "）"})
			return
		}
		by := fmt.Sprintf("市级规则《%s》（%s）allow 列表", city.Name, orNone(city.Filing))
		for _, s := range city.Allowed() {
			o.permit(s, by)
		}
	}
}

func (o *loadOptions) permit(setting, by string) {
	if !slices.Contains(LimitSettings(), setting) {
		o.errs = append(o.errs, &PolicyError{Path: "allow[" + setting + "]", Code: codeValue,
			Message: fmt.Sprintf("“%s”不是可放宽的市级限制；可用的名称：%s", clip(setting), strings.Join(LimitSettings(), "、"))})
		return
	}
	if o.permits == nil {
		o.permits = map[string]string{}
	}
	if _, ok := o.permits[setting]; !ok {
		o.permits[setting] = by
	}
}

// policyLimits is what a Policy remembers of the city limits it was loaded under.
type policyLimits struct {
	allowed    []string          // the allow list of a city profile (Allowed)
	permits    map[string]string // settings this policy may loosen → what allowed it
	deviations []Deviation
}

// Allowed returns the allow list of a city profile: the settings counties loading under it
// (UnderCity) may loosen. nil for any other policy. The slice is a copy, sorted.
func (p *Policy) Allowed() []string {
	if p.limits == nil {
		return nil
	}
	return slices.Clone(p.limits.allowed)
}

// Deviations returns the settings that loosen a city limit and were allowed to, in the order
// of the profile. The slice is a copy.
func (p *Policy) Deviations() []Deviation {
	if p.limits == nil {
		return nil
	}
	return slices.Clone(p.limits.deviations)
}

// Draft reports whether the policy has no filing number (Filing is empty): a county profile
// not yet filed with the city bureau (Art. 13 "报市科技局备案"). A draft may be used only
// as such: whatever is done under it must be recorded as done under a draft (the Service
// writes it into its draw records), and Describe says so at the top.
func (p *Policy) Draft() bool { return strings.TrimSpace(p.Filing) == "" }

// CheckLimits checks a policy changed in code against the city limits (see LimitSettings),
// with the permissions it was loaded with (none for DefaultPolicy), and returns every
// violation as a *PolicyError with code "city-limit", joined. LoadPolicy applies the same
// checks to a profile, with positions.
func (p *Policy) CheckLimits() error {
	var permits map[string]string
	if p.limits != nil {
		permits = p.limits.permits
	}
	var errs []error
	for _, is := range p.limitIssues(nil) {
		if _, ok := is.permitted(permits); ok && !is.always {
			continue
		}
		errs = append(errs, &PolicyError{Path: is.path, Code: codeCityLimit, Message: is.message()})
	}
	return errors.Join(errs...)
}

// limitIssue is one setting beyond a city limit.
type limitIssue struct {
	path    string   // where it is in the profile
	allow   []string // settings whose permission covers it
	article string
	limit   string // the limit in words
	value   string // the profile's value
	what    string // the setting in words
	always  bool   // refused even when allowed
}

func (is limitIssue) permitted(permits map[string]string) (string, bool) {
	for _, a := range is.allow {
		if by, ok := permits[a]; ok {
			return by, true
		}
	}
	return "", false
}

func (is limitIssue) message() string {
	if is.always {
		return fmt.Sprintf("%s为 %s，%s（%s），任何使用细则均不得如此设置", is.what, is.value, is.limit, articleZH(is.article))
	}
	return fmt.Sprintf("%s为 %s，超出市级限制：%s（%s）；县级使用细则只能增加和收紧规则、不能放宽。确需放宽的，须由市级规则在 allow 列表中列明 %s",
		is.what, is.value, is.limit, articleZH(is.article), is.allow[0])
}

// cityLimits are the limits, from the Measures' defaults.
var (
	cityAnnualCap = 10
	cityShare     = evaluation.Ratio{Num: 1, Den: 3}
	cityThreshold = evaluation.Ratio{Num: 3, Den: 10}
)

// limitIssues lists every setting of p beyond a city limit. readings maps a basic rule name
// to the reading key that set it (admission.integrity_bar, admission.reentry_bar), when known.
func (p *Policy) limitIssues(readings map[string]string) []limitIssue {
	var out []limitIssue
	if s := p.Selection; s != nil {
		switch {
		case s.AnnualCap == 0:
			out = append(out, limitIssue{path: "selection.annual_cap", allow: []string{"selection.annual_cap"}, article: "Art. 14(1)",
				what: "年度参与次数上限（annual_cap）", value: "0", limit: "0 即不设上限，与每年参与不超过10次的规定相悖", always: true})
		case s.AnnualCap > cityAnnualCap:
			out = append(out, limitIssue{path: "selection.annual_cap", allow: []string{"selection.annual_cap"}, article: "Art. 14(1)",
				what: "年度参与次数上限（annual_cap）", value: strconv.Itoa(s.AnnualCap), limit: "每名专家每年参与评审（咨询）活动不超过 10 次"})
		}
		share := evaluation.Ratio{Num: s.PreferentialShare.Num, Den: s.PreferentialShare.Den}
		if share.Valid() {
			v := fmt.Sprintf("%d/%d", share.Num, share.Den)
			switch {
			case share.Cmp(evaluation.Ratio{Num: 1, Den: 1}) >= 0:
				out = append(out, limitIssue{path: "selection.preferential_share", allow: []string{"selection.preferential_share"}, article: "Art. 14(1)",
					what: "择优选取比例（preferential_share）", value: v, limit: "专家组不能全部择优选取，须以随机抽取为主", always: true})
			case share.Cmp(cityShare) > 0:
				out = append(out, limitIssue{path: "selection.preferential_share", allow: []string{"selection.preferential_share"}, article: "Art. 14(1)",
					what: "择优选取比例（preferential_share）", value: v, limit: "择优选取的专家不超过专家组总人数的三分之一"})
			}
		}
	}
	if e := p.Evaluation; e != nil && e.Threshold.Valid() {
		c := e.Threshold.Cmp(cityThreshold)
		switch {
		case c < 0:
			out = append(out, limitIssue{path: "evaluation.threshold", allow: []string{"evaluation.threshold"}, article: "Art. 25",
				what: "择优选取的优秀率门槛（threshold）", value: e.Threshold.String(), limit: "上一年度履职评价优秀率须超过 30%"})
		case c == 0 && e.Inclusive:
			out = append(out, limitIssue{path: "evaluation.inclusive", allow: []string{"evaluation.threshold"}, article: "Art. 25",
				what: "优秀率门槛含等于（inclusive）", value: "true", limit: "优秀率须超过 30%，恰为 30% 不够"})
		}
	}
	if e := p.Evaluation; e != nil {
		var missing []string
		for _, v := range evaluation.DefaultRules().Serious {
			if !slices.Contains(e.Serious, v) {
				missing = append(missing, v.String())
			}
		}
		if len(missing) > 0 {
			out = append(out, limitIssue{path: "evaluation.serious_violations", allow: []string{"evaluation.serious_violations"}, article: "Art. 10(3)",
				what: "严重违规行为列表（serious_violations）", value: "缺少 " + strings.Join(missing, ", "),
				limit: "市级规则认定为严重科研失信、应提出出库建议的违规行为须保留"})
		}
	}
	if a := p.Admission; a != nil {
		for _, c := range admission.DefaultBasicRules() {
			path := "admission.basic[" + c.Name + "]"
			i := slices.IndexFunc(a.Basic, func(r rule.Rule) bool { return r.Name == c.Name })
			if i < 0 {
				out = append(out, limitIssue{path: path, allow: []string{path}, article: c.Article,
					what: "入库基本条件“" + c.Name + "”", value: "停用", limit: "市级入库基本条件和再次入库限制不得删除"})
				continue
			}
			x := a.Basic[i]
			if x.Expr == c.Expr {
				continue
			}
			if rp, ok := readings[c.Name]; ok {
				out = append(out, limitIssue{path: rp, allow: []string{rp, path}, article: c.Article,
					what: "“" + c.Name + "”的解释（" + rp[strings.IndexByte(rp, '.')+1:] + "）", value: readingOf(c.Name, x.Expr),
					limit: "按条文解释：" + readingOf(c.Name, c.Expr)})
				continue
			}
			if slices.ContainsFunc(a.Floor, func(f rule.Rule) bool { return f.Name == c.Name && f.Expr == c.Expr }) {
				continue // the city's condition still holds
			}
			allow := []string{path}
			if rn := readingKey(c.Name); rn != "" && readingOf(c.Name, x.Expr) != x.Expr {
				allow = append(allow, rn)
			}
			out = append(out, limitIssue{path: path, allow: allow, article: c.Article,
				what: "入库基本条件“" + c.Name + "”", value: oneLine(x.Expr), limit: "市级条件 " + c.Expr + " 须仍然满足"})
		}
	}
	return out
}

// readingKey returns the reading setting of a basic rule, "" when it has none.
func readingKey(name string) string {
	switch name {
	case admission.RuleIntegrity:
		return "admission.integrity_bar"
	case admission.RuleReentry:
		return "admission.reentry_bar"
	}
	return ""
}

// readingOf names the reading an expression of a basic rule implements, or returns the
// expression when it is none of them.
func readingOf(name, expr string) string {
	switch name {
	case admission.RuleIntegrity:
		for _, b := range admission.IntegrityBars() {
			if b.Rule().Expr == expr {
				return string(b)
			}
		}
	case admission.RuleReentry:
		for _, b := range admission.ReentryBars() {
			if b.Rule().Expr == expr {
				return string(b)
			}
		}
	}
	return expr
}

// limits applies the city limits to a loaded profile: floors for rewritten basic rules, then an
// error for every setting beyond a limit that nothing allowed, and a Deviation for the others.
func (l *loader) limits(p *Policy, o *loadOptions) {
	permits := maps.Clone(o.permits)
	if permits == nil {
		permits = map[string]string{}
	}
	lim := &policyLimits{}
	if p.Region == CityRegion {
		lim.allowed = slices.Sorted(slices.Values(l.allow))
		for _, s := range l.allow {
			if _, ok := permits[s]; !ok {
				permits[s] = "本规则（市级）allow 列表"
			}
		}
	}
	lim.permits = permits
	// A county expression for a city basic rule is checked in addition to the city's.
	if a := p.Admission; a != nil {
		for _, c := range admission.DefaultBasicRules() {
			path := "admission.basic[" + c.Name + "]"
			i := slices.IndexFunc(a.Basic, func(r rule.Rule) bool { return r.Name == c.Name })
			if i < 0 || a.Basic[i].Expr == c.Expr || l.readings[c.Name] != "" {
				continue
			}
			if _, ok := permits[path]; ok {
				continue
			}
			if !slices.ContainsFunc(a.Floor, func(f rule.Rule) bool { return f.Name == c.Name }) {
				a.Floor = append(a.Floor, c)
			}
		}
	}
	for _, is := range p.limitIssues(l.readings) {
		n := l.nodes[is.path]
		by, ok := is.permitted(permits)
		if !ok || is.always {
			l.fail(n, is.path, "", codeCityLimit, is.message())
			continue
		}
		dv := Deviation{Path: is.path, Article: is.article, Limit: is.limit, Value: is.value, AllowedBy: by}
		if n != nil {
			dv.Line = n.Line
		}
		lim.deviations = append(lim.deviations, dv)
	}
	p.limits = lim
}
