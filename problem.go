package expertdb

import (
	"errors"
	"regexp"
	"strings"

	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/problem"
)

var (
	_ problem.Problem = (*PolicyError)(nil)
	_ problem.Problem = (*ApplyError)(nil)
	_ problem.Problem = (*OpError)(nil)
)

// Problem implements problem.Problem: Field is the YAML path, Line and Column the position
// in the county profile; a compile error's position within the expression stays reachable
// through Err (rule.CompileError).
func (e *PolicyError) Problem() problem.Detail {
	return problem.Detail{Code: e.Code, Message: e.Message, Field: e.Path, Line: e.Line, Column: e.Column}
}

// Problem implements problem.Problem: the county request rule that refused, its article,
// code and Chinese message; Field is the rule's name.
func (e *ApplyError) Problem() problem.Detail {
	return problem.Detail{Code: e.Code, Article: e.Article, Message: e.Message, Field: e.Rule}
}

// hanRE matches a Chinese character.
var hanRE = regexp.MustCompile(`\p{Han}`)

// sentinelProblems gives the Service's sentinels a code and a Chinese message.
var sentinelProblems = []struct {
	err error
	d   problem.Detail
}{
	{ErrNotFound, problem.Detail{Code: "not-found", Message: "记录不存在"}},
	{ErrConflict, problem.Detail{Code: "conflict", Message: "记录已被他人修改，请重新读取后再试"}},
	{ErrAlreadyDrawn, problem.Detail{Code: "already-drawn", Article: "Art. 14(2)", Message: "该申请已抽取过，只能从已公布的顺序递补，不能重新抽取"}},
	{ErrSealedPanel, problem.Detail{Code: "sealed-panel", Message: "专家名单已密封"}},
	{ErrCampaignStarted, problem.Detail{Code: "campaign-started", Article: "Art. 14(2)", Message: "已开始通知专家"}},
	{ErrReplyLocked, problem.Detail{Code: "reply-locked", Message: "回复码错误次数过多，该通知渠道已锁定，须经审批解锁"}},
	{ErrReplayInput, problem.Detail{Code: "replay-input", Article: "Art. 17", Message: "抽取记录无法重放"}},
	{audit.ErrDenied, problem.Detail{Code: "denied", Article: "Art. 18", Message: "无权进行此操作"}},
	{ErrRequestState, problem.Detail{Code: "request-state", Article: "Art. 13", Message: "抽取申请当前所处环节不允许此操作"}},
	{ErrActivityTaken, problem.Detail{Code: "activity-taken", Article: "Art. 14, 22(5)", Message: "该项目该日期的活动已有抽取申请，须经审批作废后方可重新申请"}},
	{ErrTooEarly, problem.Detail{Code: "too-early", Article: "Art. 14(1)", Message: "承诺的公开随机数尚未公布，公布后方可抽取"}},
	{ErrNotRateable, problem.Detail{Code: "not-rateable", Article: "Art. 25", Message: "该专家未在本次活动中接受邀请并履职，不能评价"}},
}

// validationArticle finds the article a validation message ends with: "… (Art. 13, 15)".
var validationArticle = regexp.MustCompile(`\s*\((Art\. [^()]*(?:\([^()]*\)[^()]*)*)\)$`)

// Problem implements problem.Problem: the Problem of the cause when it has one (a refusal,
// an invalid request, a denial…), else the code of the Service's sentinel it wraps
// ("not-found", "conflict", "already-drawn", "sealed-panel", "campaign-started",
// "reply-locked", "replay-input", "denied", "request-state", "activity-taken", "too-early",
// "not-rateable"), else, for a refusal of the input (step "validate"), code "invalid-input"
// with the Chinese message and the article the message ends with ("… (Art. 13)"), else code
// "internal" with the step that failed.
func (e *OpError) Problem() problem.Detail {
	if d, ok := problem.Of(e.Err); ok {
		return d
	}
	for _, s := range sentinelProblems {
		if errors.Is(e.Err, s.err) {
			return s.d
		}
	}
	if e.Step == StepValidate && e.Err != nil {
		// A refusal of the input written as text: its Chinese message and the article it ends with.
		msg := e.Err.Error()
		for strings.HasPrefix(msg, "expertdb: ") {
			msg = strings.TrimPrefix(msg, "expertdb: ")
		}
		d := problem.Detail{Code: "invalid-input", Message: msg}
		if m := validationArticle.FindStringSubmatchIndex(msg); m != nil {
			d.Article, d.Message = msg[m[2]:m[3]], msg[:m[0]]
		}
		if !hanRE.MatchString(d.Message) {
			d.Message = "请求内容有误：" + d.Message
		}
		return d
	}
	return problem.Detail{Code: "internal", Message: "系统内部错误（" + e.Op + "：" + e.Step + "），请联系运维人员"}
}
