package evaluation

import "github.com/wzsti/expertdb/problem"

var (
	_ problem.Problem = (*ValidationError)(nil)
	_ problem.Problem = (*DuplicateError)(nil)
)

// Problem implements problem.Problem: every problem found, the first at the top.
func (e *ValidationError) Problem() problem.Detail {
	ds := make([]problem.Detail, len(e.Problems))
	for i, p := range e.Problems {
		ds[i] = problem.Detail{Code: p.Code, Article: p.Article, Message: p.Message, Field: p.Field}
	}
	if len(ds) == 0 {
		return problem.Detail{Code: "invalid", Article: "Art. 25", Message: "评价记录无效"}
	}
	return problem.List(ds)
}

// Problem implements problem.Problem with code CodeDuplicate.
func (e *DuplicateError) Problem() problem.Detail {
	return problem.Detail{Code: CodeDuplicate, Article: "Art. 25",
		Message: "同一活动对同一专家只能评价一次", Field: "expert_id"}
}
