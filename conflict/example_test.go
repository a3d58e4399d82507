package conflict_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/rule"
)

func ExampleNewChecker() {
	asOf := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	p := conflict.Project{
		ID:     "XM-2025-0042",
		Region: "330302",
		Leader: conflict.Person{ID: "P-1", Name: "陈建华", Affiliation: admission.Affiliation{
			Org: "温州大学", Kind: admission.University, Department: "化学与材料工程学院"}},
		Members: []conflict.Person{{ID: "P-2", Name: "李明", Affiliation: admission.Affiliation{
			Org: "正泰集团股份有限公司", Kind: admission.Enterprise}}},
		Avoid: []conflict.Avoidance{{Org: "温州医科大学", Reason: "存在竞争关系"}},
	}
	relations := []conflict.Relation{{A: "E-7", B: "P-2", Kind: "co-author", Until: time.Date(2023, 3, 10, 0, 0, 0, 0, time.UTC)}}
	c := conflict.NewChecker(p, relations, asOf, conflict.DefaultRules())

	experts := []admission.Expert{
		{ID: "E-5", Name: "王芳", Affiliation: admission.Affiliation{Org: "温州大学", Kind: admission.University, Department: "化学与材料工程学院"}},
		{ID: "E-6", Name: "赵磊", Affiliation: admission.Affiliation{Org: "温大", Kind: admission.University, Department: "数理学院"}},
		{ID: "E-7", Name: "周敏", Affiliation: admission.Affiliation{Org: "瑞安市人民医院", Kind: admission.Hospital}},
		{ID: "E-8", Name: "吴强", Affiliation: admission.Affiliation{Org: "温医大", Kind: admission.University, Department: "药学院"}},
	}
	for _, e := range experts {
		cs := c.Check(e)
		if len(cs) == 0 {
			fmt.Println(e.ID, "may serve")
		}
		for _, x := range cs {
			fmt.Println(e.ID, x.Article, x.Code, x.Concerns)
			fmt.Println("   ", x.Reason)
		}
	}
	// Output:
	// E-5 Art. 15(3) same-department leader
	//     专家与项目负责人陈**同属高校温州大学的同一院系化学与材料工程学院，应当回避
	// E-6 may serve
	// E-7 Art. 15(2) relation-co-author member:P-2
	//     专家与项目组成员李*存在合作或合著关系（2023年3月结束，未满48个月），属重大利益关系，应当回避
	// E-8 Art. 15(4) avoidance-list avoid:unit:温州医科大学
	//     专家属于项目负责人声明回避的单位温州医科大学，应当回避
}

func ExampleChecker_Report() {
	asOf := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	bureau := admission.Affiliation{Org: "温州市科学技术局", Kind: admission.Government}
	p := conflict.Project{
		Leader:  conflict.Person{ID: "P-1", Name: "陈建华", Affiliation: admission.Affiliation{Org: "温州大学", Kind: admission.University}},
		Members: []conflict.Person{{ID: "P-4", Name: "张伟", Affiliation: bureau}},
		Dismissals: []conflict.Dismissal{{ExpertID: "E-9", Code: "project-member", Concerns: "member:P-4",
			Reason: "经核实为同名不同人", ApprovedBy: "规划处 周*", At: asOf}},
	}
	c, err := conflict.New(p, nil, asOf, nil)
	if err != nil {
		panic(err)
	}
	e := admission.Expert{ID: "E-9", Name: "张伟", Affiliation: bureau} // a namesake in the same bureau
	for _, x := range c.Report(e) {
		fmt.Printf("%s %s definite=%v excludes=%v", x.Article, x.Code, x.Definite, x.Excludes)
		if x.Dismissal != nil {
			fmt.Printf(" dismissed by %s: %s", x.Dismissal.ApprovedBy, x.Dismissal.Reason)
		}
		fmt.Println()
	}
	fmt.Println(len(c.Check(e)), "conflict excludes the expert")
	// Output:
	// Art. 15(1) project-member definite=false excludes=false dismissed by 规划处 周*: 经核实为同名不同人
	// Art. 15(5) same-unit definite=true excludes=true
	// 1 conflict excludes the expert
}

func ExampleNormalizeName() {
	fmt.Println(conflict.NormalizeName("ＡＢＢ（中国）有限公司"))
	fmt.Println(conflict.NormalizeName("中国科学院大学温州研究院 (温州生物材料与工程研究所)"))
	fmt.Println(conflict.NormalizeIDNumber("33038119750620109x"))
	// Output:
	// abb中国有限公司
	// 中国科学院大学温州研究院温州生物材料与工程研究所
	// 33038119750620109X
}

func ExampleValidateProject() {
	p := conflict.Project{Avoid: make([]conflict.Avoidance, 12)}
	for i := range p.Avoid {
		p.Avoid[i] = conflict.Avoidance{ExpertID: fmt.Sprintf("E-%d", i)}
	}
	err := conflict.ValidateProject(p, conflict.DefaultRules())
	fmt.Println(errors.Is(err, conflict.ErrInvalidProject))
	fmt.Println(err)
	// Output:
	// true
	// conflict: avoidance-limit (Art. 15(4)): 回避清单共12项，超过使用细则规定的上限10项，请项目负责人删减后重新提交
}

func ExampleRules_Compile() {
	r := conflict.DefaultRules()
	r.Clause5 = []rule.Rule{{
		Name:    "same-region-government",
		Expr:    `expert.Affiliation.Kind == "government" && expert.Region == project.Regoin`,
		Message: "专家为项目所在地政府部门工作人员",
	}}
	err := r.Compile()
	var ce *rule.CompileError
	if errors.As(err, &ce) {
		fmt.Println(ce.Rule, ce.Line, ce.Column)
	}
	// Output:
	// same-region-government 1 69
}

// A caller that keeps its experts between draws fingerprints each once; MayConflict then
// rules out the experts a project cannot concern without the full check.
func ExampleChecker_MayConflict() {
	c, err := conflict.New(conflict.Project{ID: "XM-1",
		Leader: conflict.Person{ID: "L1", Name: "张三", Affiliation: admission.Affiliation{Org: "申报企业", Kind: admission.Enterprise}}},
		nil, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		panic(err)
	}
	experts := []admission.Expert{
		{ID: "E1", Name: "李四", Affiliation: admission.Affiliation{Org: "温州大学", Kind: admission.University}},
		{ID: "E2", Name: "王五", Affiliation: admission.Affiliation{Org: "申报企业", Kind: admission.Enterprise}},
	}
	for _, e := range experts {
		f := conflict.FingerprintOf(&e, nil) // once per expert, kept with it
		if !c.MayConflict(&f) {
			fmt.Println(e.ID, "no conflict")
			continue
		}
		fmt.Println(e.ID, c.Check(e)[0].Code)
	}
	// Output:
	// E1 no conflict
	// E2 same-enterprise
}
