package evaluation

import (
	"errors"
	"fmt"
	"strconv"
)

// The default threshold of Art. 25 (超过30%) as the exact fraction 3/10.
const (
	defaultThresholdNum = 3
	defaultThresholdDen = 10
)

// Rules configures ratings, preferential eligibility and the integrity file. The zero value is
// not useful; start from [DefaultRules] and change what a county's rules (使用细则, Art. 13)
// say differently. A nil *Rules means the defaults. Field tags let the root package load a
// county profile from YAML or JSON over the defaults, e.g.
//
//	threshold: 1/3
//	min_ratings: 2
//	serious_violations: [solicitation, leak, bribery, fraudulent-qualification]
type Rules struct {
	// Threshold is the excellent rate of the previous year that a preferential pick must
	// exceed (Art. 25: 超过30%, default 3/10).
	Threshold Ratio `yaml:"threshold" json:"threshold"`
	// Inclusive makes the threshold "at least" instead of "more than". Default false, as
	// Art. 25 says 超过.
	Inclusive bool `yaml:"inclusive" json:"inclusive"`
	// MinRatings is the least number of rated activities in the previous year for a
	// preferential pick. Default 1: no ratings means not eligible. Values below 1 count as 1.
	MinRatings int `yaml:"min_ratings" json:"min_ratings"`
	// RequireAspects requires a grade on each of the three aspects of Art. 25 (expertise,
	// attitude, quality) besides the overall grade. Default true.
	RequireAspects bool `yaml:"require_aspects" json:"require_aspects"`
	// Serious lists the violations of Art. 9 that are serious integrity breaches and lead to
	// an exit proposal under Art. 10(3). Default: Solicitation (Art. 9(3)), Bribery
	// (Art. 9(5)) and Leak (Art. 9(7)).
	Serious []Violation `yaml:"serious_violations" json:"serious_violations"`
}

// DefaultRules returns the rules of the 2024 Wenzhou Measures: threshold 3/10 exclusive
// (Art. 25), at least one rating, aspects required, and Solicitation, Bribery and Leak
// serious (Art. 10(3)). Each call returns a new value the caller may change.
func DefaultRules() *Rules {
	return &Rules{
		Threshold:      Ratio{Num: defaultThresholdNum, Den: defaultThresholdDen},
		MinRatings:     1,
		RequireAspects: true,
		Serious:        []Violation{Solicitation, Bribery, Leak},
	}
}

// orDefault returns r, or the defaults when r is nil.
func (r *Rules) orDefault() *Rules {
	if r == nil {
		return DefaultRules()
	}
	return r
}

// Validate checks the rules themselves, for a county profile at load time. The error names
// every bad field in Chinese.
func (r *Rules) Validate() error {
	r = r.orDefault()
	var errs []error
	if !r.Threshold.Valid() || r.Threshold.Num > r.Threshold.Den {
		errs = append(errs, errors.New("evaluation: 择优选取门槛（threshold）须为 0 到 1 之间的分数，分母大于 0"))
	}
	if r.MinRatings < 0 {
		errs = append(errs, errors.New("evaluation: 最少评价次数（min_ratings）不能为负数"))
	}
	for i, v := range r.Serious {
		if !v.Valid() {
			errs = append(errs, fmt.Errorf("evaluation: 严重违规行为列表（serious_violations）第 %d 项不是第九条所列的违规行为", i+1))
		}
	}
	return errors.Join(errs...)
}

// Finding explains why an expert may not be picked preferentially: the article, a stable
// code and a Chinese message an operator can act on.
type Finding struct {
	Article string `json:"article"` // e.g. "Art. 25"
	Code    string `json:"code"`    // e.g. "excellent-rate"
	Message string `json:"message"` // Chinese
}

// Codes of the findings of [Rules.CheckPreferential].
const (
	CodeBadThreshold   = "bad-threshold"   // the configured threshold is not a valid fraction
	CodeInvalidRatings = "invalid-ratings" // the summary counts ratings with an invalid grade
	CodeNoRatings      = "no-ratings"      // no ratings in the previous year
	CodeTooFewRatings  = "too-few-ratings" // fewer ratings than MinRatings
	CodeInconsistent   = "inconsistent"    // Excellent is negative or above Total
	CodeExcellentRate  = "excellent-rate"  // the excellent rate does not exceed the threshold
)

// preferential returns "" when s is eligible, else the code of the first reason it is not.
func (r *Rules) preferential(s Summary) string {
	switch {
	case !r.Threshold.Valid():
		return CodeBadThreshold
	case s.Invalid > 0:
		return CodeInvalidRatings
	case s.Total <= 0:
		return CodeNoRatings
	case s.Total < r.MinRatings:
		return CodeTooFewRatings
	case s.Excellent < 0 || s.Excellent > s.Total:
		return CodeInconsistent
	}
	c := s.ExcellentRate().Cmp(r.Threshold)
	if c > 0 || (c == 0 && r.Inclusive) {
		return ""
	}
	return CodeExcellentRate
}

// PreferentialEligible reports whether an expert whose previous-year summary is s may be
// picked preferentially (择优选取, Art. 14(1)) under r (Art. 25): s has at least
// max(1, MinRatings) ratings, none with an invalid grade, and Excellent/Total exceeds
// Threshold (or reaches it when Inclusive). Only Excellent and Total are read, so a summary
// built by hand need not fill Good and Poor. The caller passes the summary of the year before
// the activity; a nil r means [DefaultRules].
func (r *Rules) PreferentialEligible(s Summary) bool {
	if r == nil {
		return PreferentialEligible(s)
	}
	return r.preferential(s) == ""
}

// CheckPreferential is [Rules.PreferentialEligible] with the reason: nil when s is
// eligible, else a Finding citing Art. 25 with a Chinese message.
func (r *Rules) CheckPreferential(s Summary) *Finding {
	r = r.orDefault()
	code := r.preferential(s)
	if code == "" {
		return nil
	}
	year := "上一年度"
	if s.Year != 0 {
		year = "上一年度（" + strconv.Itoa(s.Year) + "年）"
	}
	var msg string
	switch code {
	case CodeBadThreshold:
		msg = "择优选取的优秀率门槛配置无效（分母须大于 0），请更正使用细则"
	case CodeInvalidRatings:
		msg = fmt.Sprintf("%s有 %d 条评价等级无效，请先更正评价数据再择优选取", year, s.Invalid)
	case CodeNoRatings:
		msg = year + "无履职评价记录，不能作为择优选取对象"
	case CodeTooFewRatings:
		msg = fmt.Sprintf("%s履职评价 %d 次，少于使用细则要求的 %d 次，不能作为择优选取对象", year, s.Total, r.MinRatings)
	case CodeInconsistent:
		msg = fmt.Sprintf("%s评价汇总数据不一致（优秀 %d 次，共 %d 次），请核对评价数据", year, s.Excellent, s.Total)
	case CodeExcellentRate:
		verb := "未超过"
		if r.Inclusive {
			verb = "低于"
		}
		msg = fmt.Sprintf("%s履职评价优秀率 %d/%d，%s %s，不能作为择优选取对象", year, s.Excellent, s.Total, verb, r.Threshold.percent())
	}
	return &Finding{Article: "Art. 25", Code: code, Message: msg}
}

// IsSerious reports whether v is a serious integrity breach under r (Art. 10(3)).
func (r *Rules) IsSerious(v Violation) bool {
	r = r.orDefault()
	for _, s := range r.Serious {
		if s == v {
			return v.Valid()
		}
	}
	return false
}
