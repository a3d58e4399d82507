package conflict

import (
	"fmt"

	"github.com/wzsti/expertdb/problem"
)

var (
	_ problem.Problem = (*ProjectError)(nil)
	_ problem.Problem = (*ConfigError)(nil)
)

// Problem implements problem.Problem; Field is the entry concerned ("avoid[i]" or
// "dismissals[i]", 0-based) or "avoid" / "dismissals" for the whole list.
func (e *ProjectError) Problem() problem.Detail {
	field := "avoid"
	if e.Code == CodeDismissalIncomplete {
		field = "dismissals"
	}
	if e.Index > 0 {
		field = fmt.Sprintf("%s[%d]", field, e.Index-1)
	}
	return problem.Detail{Code: e.Code, Article: e.Article, Message: e.Message, Field: field}
}

// Problem implements problem.Problem with code "invalid-rules".
func (e *ConfigError) Problem() problem.Detail {
	return problem.Detail{Code: "invalid-rules", Article: "Art. 15", Message: "回避规则配置有误：" + e.Field + "：" + e.Msg, Field: e.Field}
}
