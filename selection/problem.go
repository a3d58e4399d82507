package selection

import "github.com/wzsti/expertdb/problem"

var (
	_ problem.Problem = (*Error)(nil)
	_ problem.Problem = (*PublicError)(nil)
)

// Problem implements problem.Problem: the code, article and Chinese message of the refusal;
// Field is the expert concerned as "expert:<ID>", when there is one.
func (e *Error) Problem() problem.Detail {
	d := problem.Detail{Code: e.Code, Article: e.Article, Message: e.Message}
	if e.ExpertID != "" {
		d.Field = "expert:" + e.ExpertID
	}
	if d.Message == "" {
		d.Message = e.Detail
	}
	return d
}

// Problem implements problem.Problem with code "public-record-<check>".
func (e *PublicError) Problem() problem.Detail {
	return problem.Detail{Code: "public-record-" + e.Check, Article: "Art. 14", Message: "公开抽取记录校验未通过（" + e.Check + "）：" + e.Detail, Field: e.Check}
}
