package conflict

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidProject is wrapped by every *ProjectError: errors.Is(err, ErrInvalidProject)
// tells a refused request from other failures.
var ErrInvalidProject = errors.New("conflict: invalid project")

// Codes of *ProjectError.
const (
	CodeAvoidanceLimit      = "avoidance-limit"      // more entries than Rules.MaxAvoidances, Art. 15(4)
	CodeAvoidanceIncomplete = "avoidance-incomplete" // an entry that identifies no expert, unit or department
	CodeDismissalIncomplete = "dismissal-incomplete" // a dismissal without expert, code, reason or approver
)

// ProjectError is one reason a project (a draw request's recusal requirements) is refused.
// Read it with errors.As; ValidateProject and New join one per problem.
type ProjectError struct {
	Article string // e.g. "Art. 15(4)"
	Code    string // one of the Code… constants
	Message string // Chinese message the operator can act on
	Index   int    // 1-based position in Project.Avoid or Project.Dismissals; 0 when not about one entry
}

// Error implements error.
func (e *ProjectError) Error() string {
	return "conflict: " + e.Code + " (" + e.Article + "): " + e.Message
}

// Unwrap returns ErrInvalidProject.
func (e *ProjectError) Unwrap() error { return ErrInvalidProject }

// ValidateProject checks the recusal requirements of p against r (nil means DefaultRules):
// the avoidance list is not longer than r.MaxAvoidances, every entry has one of the forms of
// Avoidance, and every dismissal names its conflict, a reason and an approver; and r itself
// is valid. It returns nil or every problem, joined: *ProjectError values (wrapping
// ErrInvalidProject) and, for bad rules, the Compile error (wrapping ErrInvalidRules). Call
// it when a request is submitted (Art. 13): when it returns nil, NewChecker for the same
// project and rules does not fail closed. New runs the same checks.
func ValidateProject(p Project, r *Rules) error {
	if r == nil {
		r = DefaultRules()
	}
	_, err := r.current()
	return errors.Join(append([]error{err}, projectErrors(p, r)...)...)
}

func projectErrors(p Project, r *Rules) []error {
	var errs []error
	if r.MaxAvoidances >= 1 && len(p.Avoid) > r.MaxAvoidances {
		errs = append(errs, &ProjectError{Article: "Art. 15(4)", Code: CodeAvoidanceLimit,
			Message: fmt.Sprintf("回避清单共%d项，超过使用细则规定的上限%d项，请项目负责人删减后重新提交", len(p.Avoid), r.MaxAvoidances)})
	}
	for i, a := range p.Avoid {
		if avoidanceForm(a) == formNone {
			errs = append(errs, &ProjectError{Article: "Art. 15(4)", Code: CodeAvoidanceIncomplete, Index: i + 1,
				Message: fmt.Sprintf("回避清单第%d项无法确定回避对象：须填写专家编号，或单位名称（可另加姓名或院系），请补充后重新提交", i+1)})
		}
	}
	for i, d := range p.Dismissals {
		var missing []string
		if strings.TrimSpace(d.ExpertID) == "" {
			missing = append(missing, "专家编号")
		}
		if strings.TrimSpace(d.Code) == "" {
			missing = append(missing, "回避代码")
		}
		if strings.TrimSpace(d.Reason) == "" {
			missing = append(missing, "排除理由")
		}
		if strings.TrimSpace(d.ApprovedBy) == "" {
			missing = append(missing, "审批人")
		}
		if len(missing) > 0 {
			errs = append(errs, &ProjectError{Article: "Art. 15", Code: CodeDismissalIncomplete, Index: i + 1,
				Message: fmt.Sprintf("第%d项回避排除缺少%s，未经审批的排除不予采纳，请补充后重新提交", i+1, strings.Join(missing, "、"))})
		}
	}
	return errs
}
