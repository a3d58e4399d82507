package rule

import "github.com/wzsti/expertdb/problem"

var (
	_ problem.Problem = (*CompileError)(nil)
	_ problem.Problem = (*EvalError)(nil)
)

// Problem implements problem.Problem with code "expression": Field is the rule's name, Line
// and Column the position within the expression.
func (e *CompileError) Problem() problem.Detail {
	return problem.Detail{Code: "expression", Message: "规则“" + e.Rule + "”的表达式有误：" + e.Msg,
		Field: e.Rule, Line: e.Line, Column: e.Column}
}

// Problem implements problem.Problem with code "expression-budget" when the meter stopped
// the evaluation, "expression-error" otherwise.
func (e *EvalError) Problem() problem.Detail {
	code, msg := "expression-error", "规则“"+e.Rule+"”运行出错"
	if e.Budget {
		code, msg = "expression-budget", "规则“"+e.Rule+"”超出计算预算"
	}
	return problem.Detail{Code: code, Article: e.Article, Message: msg, Field: e.Rule}
}
