package problem_test

import (
	"errors"
	"fmt"

	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/problem"
)

// An HTTP handler maps any error of expertdb to a response with one errors.As.
func Example() {
	var err error = &conflict.ProjectError{Article: "Art. 15(4)", Code: conflict.CodeAvoidanceIncomplete,
		Message: "回避名单第4项未写明专家、单位或部门", Index: 4}
	err = fmt.Errorf("submit: %w", err)

	var p problem.Problem
	if errors.As(err, &p) {
		d := p.Problem()
		fmt.Println(d.Code, d.Article, d.Field, d.Message)
	}
	// Output:
	// avoidance-incomplete Art. 15(4) avoid[3] 回避名单第4项未写明专家、单位或部门
}
