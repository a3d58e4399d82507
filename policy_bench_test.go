package expertdb_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// benchProfile is a typical county profile: two settings, an alias, a recusal rule, a
// request rule.
const benchProfile = header + `selection: {annual_cap: 8, preferential_share: 1/4}
conflict:
  former_unit_months: 24
  unit_aliases: {瑞安人医: 瑞安市人民医院}
  clause5:
    - name: county-government-staff
      expr: |
        expert.Affiliation.Kind == "government"
          && expert.Region == "330381" && project.Region == "330381"
      message: 本市机关事业单位工作人员不参加本市项目评审
` + keyProject

// BenchmarkLoadPolicy reads, checks and compiles the profile.
func BenchmarkLoadPolicy(b *testing.B) {
	src := []byte(benchProfile)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := expertdb.LoadPolicy(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadPolicyBaselineGo builds the same policy in Go code and compiles it: the work
// LoadPolicy cannot avoid. The difference is the price of YAML, strict checking, positions
// and the change list.
func BenchmarkLoadPolicyBaselineGo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		p := expertdb.DefaultPolicy()
		p.Name, p.Region = "测试县科技专家库使用细则", "330381"
		p.Selection.AnnualCap = 8
		p.Selection.PreferentialShare = selection.Fraction{Num: 1, Den: 4}
		p.Conflict.FormerUnitMonths = 24
		p.Conflict.UnitAliases["瑞安人医"] = "瑞安市人民医院"
		p.Conflict.Clause5 = append(p.Conflict.Clause5, rule.Rule{Name: "county-government-staff", Article: "Art. 15(5)",
			Expr:    "expert.Affiliation.Kind == \"government\"\n  && expert.Region == \"330381\" && project.Region == \"330381\"\n",
			Message: "本市机关事业单位工作人员不参加本市项目评审"})
		p.RequestRules = []expertdb.RequestRule{{Name: "key-project-outside-county", Article: "Art. 13",
			Message: "重点项目评审专家组中县外专家不少于半数", When: `"key-project" in request.Labels`,
			Quotas: []expertdb.RequestQuota{{Name: "outside-county", Filter: `expert.Region != "330381"`, MinShare: selection.Fraction{Num: 1, Den: 2}}}}}
		if err := p.Compile(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApply applies the county's request rule to a request.
func BenchmarkApply(b *testing.B) {
	p := mustLoad(b, keyProject)
	req := testRequest(7)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Apply(req, "key-project"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyBaselineGo is the same rule hand-written in Go: check the label, copy the
// quotas, append the quota with ⌈size/2⌉.
func BenchmarkApplyBaselineGo(b *testing.B) {
	req := testRequest(7)
	labels := []string{"key-project"}
	b.ReportAllocs()
	for b.Loop() {
		out := req
		if slices.Contains(labels, "key-project") {
			out.Quotas = append(slices.Clone(req.Quotas), selection.Quota{Name: "key-project-outside-county/outside-county",
				Filter: `expert.Region != "330381"`, Min: (req.Size + 1) / 2})
		}
		if len(out.Quotas) != 1 {
			b.Fatal("no quota")
		}
	}
}

// BenchmarkDescribe renders the filing text of the profile.
func BenchmarkDescribe(b *testing.B) {
	p := mustLoad(b, benchProfile[len(header):])
	b.ReportAllocs()
	for b.Loop() {
		if p.Describe() == "" {
			b.Fatal("empty")
		}
	}
}

// controlsProfile is benchProfile with Ruian's draw controls in its selection section: a
// draw window and the cooling-off exclusion rule.
var controlsProfile = strings.Replace(benchProfile, "selection: {annual_cap: 8, preferential_share: 1/4}\n", `selection:
  annual_cap: 8
  preferential_share: 1/4
  draw_window: {max_lead: 72h, min_lead: 2h}
  exclusions:
    - name: cooling-off
      article: Art. 15(5)
      expr: '!reviewedUnitWithin(project.Unit, 6)'
      message: 专家在本次活动前后 6 个月内评审过同一申报单位的项目，按本地使用细则回避
`, 1)

// BenchmarkLoadPolicyDrawControls loads controlsProfile.
func BenchmarkLoadPolicyDrawControls(b *testing.B) {
	src := []byte(controlsProfile)
	b.ReportAllocs()
	for b.Loop() {
		p, err := expertdb.LoadPolicy(src)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Selection.Exclusions) != 1 {
			b.Fatal("no exclusion rule")
		}
	}
}

// BenchmarkLoadPolicyDrawControlsBaselineGo builds the policy of controlsProfile in Go and
// compiles it (Compile compiles the exclusion rule too): the work LoadPolicy cannot avoid.
func BenchmarkLoadPolicyDrawControlsBaselineGo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		p := expertdb.DefaultPolicy()
		p.Name, p.Region = "测试县科技专家库使用细则", "330381"
		p.Selection.AnnualCap = 8
		p.Selection.PreferentialShare = selection.Fraction{Num: 1, Den: 4}
		p.Selection.DrawWindow = selection.DrawWindow{MaxLead: 72 * time.Hour, MinLead: 2 * time.Hour}
		p.Selection.Exclusions = []rule.Rule{selection.CoolingOffRule(6)}
		p.Conflict.FormerUnitMonths = 24
		p.Conflict.UnitAliases["瑞安人医"] = "瑞安市人民医院"
		p.Conflict.Clause5 = append(p.Conflict.Clause5, rule.Rule{Name: "county-government-staff", Article: "Art. 15(5)",
			Expr:    "expert.Affiliation.Kind == \"government\"\n  && expert.Region == \"330381\" && project.Region == \"330381\"\n",
			Message: "本市机关事业单位工作人员不参加本市项目评审"})
		p.RequestRules = []expertdb.RequestRule{{Name: "key-project-outside-county", Article: "Art. 13",
			Message: "重点项目评审专家组中县外专家不少于半数", When: `"key-project" in request.Labels`,
			Quotas: []expertdb.RequestQuota{{Name: "outside-county", Filter: `expert.Region != "330381"`, MinShare: selection.Fraction{Num: 1, Den: 2}}}}}
		if err := p.Compile(); err != nil {
			b.Fatal(err)
		}
	}
}
