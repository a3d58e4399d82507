package selection_test

import (
	"fmt"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/selection"
)

var (
	activity = time.Date(2025, 6, 10, 9, 0, 0, 0, time.UTC)
	planDate = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
)

// expert returns an active, eligible expert of the given unit and categories.
func expert(id, org string, cats ...admission.Category) admission.Expert {
	if len(cats) == 0 {
		cats = []admission.Category{admission.Technical}
	}
	e := admission.Expert{
		ID: id, Name: "专家" + id, BirthDate: time.Date(1975, 3, 1, 0, 0, 0, 0, time.UTC),
		Affiliation: admission.Affiliation{Org: org, Kind: admission.University, Department: "dept-" + org},
		Title:       admission.Senior, Categories: cats, Fields: []string{"materials"},
		Credentials: []admission.Credential{{Kind: "political-quality"}},
		Status:      admission.Active, Mobile: "13812345678",
	}
	for _, c := range cats {
		if c == admission.Economic {
			e.Credentials = append(e.Credentials, admission.Credential{Kind: "fund-management"}, admission.Credential{Kind: "finance-senior-title"})
		}
	}
	return e
}

// pool returns n experts E000…; every third is economic; unit U<i%units>.
func pool(n, units int) selection.Pool {
	p := selection.Pool{Usage: map[string]int{}}
	for i := range n {
		cats := []admission.Category{admission.Technical}
		if i%3 == 0 {
			cats = append(cats, admission.Economic)
		}
		p.Experts = append(p.Experts, expert(fmt.Sprintf("E%03d", i), fmt.Sprintf("U%02d", i%units), cats...))
	}
	return p
}

func project() conflict.Project {
	return conflict.Project{ID: "P-2025-001", Leader: conflict.Person{ID: "L1", Name: "项目负责人",
		Affiliation: admission.Affiliation{Org: "申报企业", Kind: admission.Enterprise}}}
}

func request(size int) selection.Request {
	return selection.Request{ID: "R-1", Project: project(), Size: size, At: activity}
}

var testEntropy = selection.Entropy{Sources: [][]uint64{{9319}, {2, 5, 12, 8, 10}}}
