package admission

import "github.com/wzsti/expertdb/problem"

var (
	_ problem.Problem = (*ValidationError)(nil)
	_ problem.Problem = (*RefusalError)(nil)
)

// Problem implements problem.Problem: every invalid field (Field is its Go path below
// Expert, e.g. "Past[0].OrgCode"), the first at the top; the article is Art. 9 (the
// application form).
func (e *ValidationError) Problem() problem.Detail {
	ds := make([]problem.Detail, len(e.Fields))
	for i, f := range e.Fields {
		ds[i] = problem.Detail{Code: f.Code, Article: "Art. 9", Message: f.Message, Field: f.Field}
	}
	if len(ds) == 0 {
		return problem.Detail{Code: "invalid", Article: "Art. 9", Message: "申请信息无效"}
	}
	return problem.List(ds)
}

// Problem implements problem.Problem: every finding (its article, code and Chinese
// message), the first at the top.
func (e *RefusalError) Problem() problem.Detail {
	ds := make([]problem.Detail, len(e.Findings))
	for i, f := range e.Findings {
		ds[i] = problem.Detail{Code: f.Code, Article: f.Article, Message: f.Message}
	}
	if len(ds) == 0 {
		return problem.Detail{Code: "refused", Message: "不予通过"}
	}
	return problem.List(ds)
}
