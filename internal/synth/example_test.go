package synth_test

import (
	"fmt"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/internal/synth"
)

// Generate the default pool, admit it, and look at the first experts and last year's ratings.
func ExampleGenerate() {
	p := synth.Generate(synth.Options{Seed: 1})
	rules := admission.DefaultRules()
	admitted := 0
	for _, app := range p.Applications {
		if _, err := admission.Admit(app, "审核员", p.AsOf, rules); err == nil {
			admitted++
		}
	}
	fmt.Println("applications:", len(p.Applications), "admitted:", admitted)
	for _, app := range p.Applications[:3] {
		e := app.Expert
		fmt.Println(e.ID, audit.MaskName(e.Name), e.Affiliation.Org, e.Affiliation.Department, e.Categories, app.Channel.Label())
	}
	h := p.History(2025)
	eligible := 0
	for _, s := range evaluation.Summarize(h.Ratings, 2025) {
		if evaluation.PreferentialEligible(s) {
			eligible++
		}
	}
	fmt.Println("2025 activities rated:", len(h.Ratings), "preferentially eligible in 2026:", eligible)
	// Output:
	// applications: 2000 admitted: 2000
	// E00001 陈** 文成青岚茶业有限公司 技术部 [technical] 单位推荐
	// E00002 金** 温州滨海理工学院 新能源学院 [technical] 处室邀请
	// E00003 高* 雁荡职业技术学院 机械工程系 [technical] 个人申请
	// 2025 activities rated: 2908 preferentially eligible in 2026: 814
}
