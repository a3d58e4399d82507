package audit

import "github.com/wzsti/expertdb/problem"

var _ problem.Problem = (*DeniedError)(nil)

// Problem implements problem.Problem: the code and article of the refusal and its Chinese
// message.
func (e *DeniedError) Problem() problem.Detail {
	return problem.Detail{Code: e.Code, Article: e.Article, Message: e.Message}
}
