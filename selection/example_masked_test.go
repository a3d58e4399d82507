package selection_test

import (
	"errors"
	"fmt"

	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// ExamplePrepareWith: a user without the right to see personal data may select on age, not on
// the birth date, and learns of the exclusions only their counts.
func ExamplePrepareWith() {
	req := exampleRequest()
	req.Criteria = `int(expert.BirthDate.YearDay() / 7) % 2 == 1`
	_, err := selection.PrepareWith(req, nil, selection.PrepareOptions{Masked: true})
	var ce *rule.CompileError
	if errors.As(err, &ce) {
		fmt.Println("refused at line", ce.Line, "column", ce.Column)
	}

	req.Criteria = `age <= 60 && expert.Title >= AssociateSenior`
	p, err := selection.PrepareWith(req, nil, selection.PrepareOptions{Masked: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := p.Draw(examplePool(), selection.Entropy{Sources: [][]uint64{{3, 17, 22, 29, 31, 35, 12}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range selection.CountExclusions(res.Excluded) {
		fmt.Println(c.Code, c.Article, c.Count)
	}
	// Output:
	// refused at line 1 column 12
	// annual-cap Art. 14(1) 1
	// project-leader Art. 15(1) 1
}
