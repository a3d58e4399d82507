package conflict_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/rule"
)

type checkCase struct {
	name      string
	edit      func(e *admission.Expert)
	project   func(p *conflict.Project)
	relations []conflict.Relation
	rules     func(r *conflict.Rules)
	want      []string // codes(Check(e))
	report    []string // codes(Report(e)) when it differs from want
}

func runCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := project()
			if tc.project != nil {
				tc.project(&p)
			}
			r := conflict.DefaultRules()
			if tc.rules != nil {
				tc.rules(r)
				require.NoError(t, r.Compile())
			}
			c, err := conflict.New(p, tc.relations, asOf, r)
			require.NoError(t, err)
			e := expert("E-100")
			if tc.edit != nil {
				tc.edit(&e)
			}
			got := c.Check(e)
			assert.Equal(t, tc.want, codes(got))
			want := tc.report
			if want == nil {
				want = tc.want
			}
			rep := c.Report(e)
			assert.Equal(t, want, codes(rep))
			for _, x := range rep {
				assert.Equal(t, e.ID, x.ExpertID)
				assert.NotEmpty(t, x.Reason)
				if e.IDNumber != "" {
					assert.NotContains(t, x.Reason, e.IDNumber)
				}
				for _, pp := range append([]conflict.Person{p.Leader}, p.Members...) {
					if pp.IDNumber != "" {
						assert.NotContains(t, x.Reason, pp.IDNumber)
						assert.NotContains(t, x.Concerns, pp.IDNumber)
					}
					if pp.Name != "" {
						assert.NotContains(t, x.Reason, pp.Name, "names are masked")
					}
				}
			}
		})
	}
}

func TestNoConflict(t *testing.T) {
	c := conflict.NewChecker(project(), nil, asOf, nil)
	require.NoError(t, c.Err())
	assert.Nil(t, c.Check(expert("E-100")))
	assert.Nil(t, c.Report(expert("E-100")))
}

func TestClause1LeaderOrMember(t *testing.T) {
	runCases(t, []checkCase{
		{name: "leader by ID", edit: func(e *admission.Expert) { e.ID = "P-LEAD" },
			want: []string{"Art. 15(1) project-leader leader"}},
		{name: "member by ID", edit: func(e *admission.Expert) { e.ID = "P-M2" },
			want: []string{"Art. 15(1) project-member member:P-M2"}},
		{name: "leader by ID number", edit: func(e *admission.Expert) { e.IDNumber = "330302198001011230" },
			want: []string{"Art. 15(1) project-leader leader"}},
		{name: "ID number with full-width digits and spaces",
			edit: func(e *admission.Expert) { e.IDNumber = " ３３０３０２ 198505052343" },
			want: []string{"Art. 15(1) project-member member:P-M1"}},
		{name: "lower-case x matches upper-case X",
			project: func(p *conflict.Project) { p.Members[3].IDNumber = "33038119750620109X" },
			edit:    func(e *admission.Expert) { e.IDNumber = "33038119750620109x" },
			want:    []string{"Art. 15(1) project-member member:P-M4"}},
		{name: "15-digit number matches its 18-digit form",
			edit: func(e *admission.Expert) { e.IDNumber = "330302800101123" },
			want: []string{"Art. 15(1) project-leader leader"}},
		{name: "name and unit only is possible and excluded by default",
			edit: func(e *admission.Expert) {
				e.Name, e.IDNumber, e.Affiliation = "王 芳", "", admission.Affiliation{Org: "正泰集团股份有限公司", Kind: admission.Enterprise}
			},
			want: []string{"Art. 15(1) project-member member:P-M2 (possible)", "Art. 15(3) same-enterprise member:P-M2"}},
		{name: "possible conflicts reported but not excluding when configured",
			rules: func(r *conflict.Rules) { r.ExcludePossible = false },
			edit: func(e *admission.Expert) {
				e.Name, e.IDNumber, e.Affiliation = "欧阳晓明", "", wmuHosp1
			},
			want: []string{"Art. 15(5) same-unit member:P-M3"},
			report: []string{"Art. 15(1) project-member member:P-M3 (possible)",
				"Art. 15(5) same-unit member:P-M3"}},
		{name: "same name and unit but different ID numbers are different people",
			edit: func(e *admission.Expert) { e.Name, e.Affiliation = "李明", ucasWZ },
			want: []string{"Art. 15(3) same-institute member:P-M1"}},
		{name: "same name in another unit is no conflict",
			edit: func(e *admission.Expert) { e.Name, e.IDNumber = "张伟", "" }},
		{name: "member without ID is named by masked name and unit",
			project: func(p *conflict.Project) { p.Members[0].ID = "" },
			edit:    func(e *admission.Expert) { e.IDNumber = "330302198505052343" },
			want:    []string{"Art. 15(1) project-member member:李*@中国科学院大学温州研究院（温州生物材料与工程研究所）"}},
		{name: "a person ID that is an ID number is never shown",
			project: func(p *conflict.Project) { p.Members[0].ID = "330302198505052343" },
			edit:    func(e *admission.Expert) { e.ID = "330302198505052343" },
			want:    []string{"Art. 15(1) project-member member:李*@中国科学院大学温州研究院（温州生物材料与工程研究所）"}},
	})
}

func TestClause2InterestRelation(t *testing.T) {
	rel := func(a, b, kind string, until ...int) []conflict.Relation {
		r := conflict.Relation{A: a, B: b, Kind: kind, Since: date(2010, 1, 1)}
		if len(until) == 3 {
			r.Until = date(until[0], monthOf(until[1]), until[2])
		}
		return []conflict.Relation{r}
	}
	runCases(t, []checkCase{
		{name: "advisor long ago has no time limit", relations: rel("P-LEAD", "E-100", "advisor", 1998, 7, 1),
			want: []string{"Art. 15(2) relation-advisor leader"}},
		{name: "relations are undirected", relations: rel("E-100", "P-LEAD", "advisee", 1998, 7, 1),
			want: []string{"Art. 15(2) relation-advisee leader"}},
		{name: "family", relations: rel("E-100", "P-M3", "family"),
			want: []string{"Art. 15(2) relation-family member:P-M3"}},
		{name: "co-author 47 full months ago", relations: rel("E-100", "P-M1", "co-author", 2021, 6, 2),
			want: []string{"Art. 15(2) relation-co-author member:P-M1"}},
		{name: "co-author 48 full months ago no longer counts", relations: rel("E-100", "P-M1", "co-author", 2021, 6, 1)},
		{name: "kind is case-insensitive", relations: rel("E-100", "P-M1", " Collaborator ", 2023, 1, 1),
			want: []string{"Art. 15(2) relation-collaborator member:P-M1"}},
		{name: "business 11 full months ago", relations: rel("E-100", "P-M2", "business", 2024, 6, 2),
			want: []string{"Art. 15(2) relation-business member:P-M2"}},
		{name: "financial 12 full months ago no longer counts", relations: rel("E-100", "P-M2", "financial", 2024, 6, 1)},
		{name: "relation ending in the future is ongoing", relations: rel("E-100", "P-M2", "financial", 2026, 1, 1),
			want: []string{"Art. 15(2) relation-financial member:P-M2"}},
		{name: "other kind ongoing counts by expression", relations: rel("E-100", "P-M4", "同事"),
			want: []string{"Art. 15(2) relation-同事 member:P-M4"}},
		{name: "other kind ended two years ago does not", relations: rel("E-100", "P-M4", "同事", 2023, 5, 1)},
		{name: "county expression for other kinds",
			rules: func(r *conflict.Rules) {
				r.OtherRelations = `relation.Kind == "同事" && relation.MonthsSinceEnd < 36`
			},
			relations: rel("E-100", "P-M4", "同事", 2023, 5, 1),
			want:      []string{"Art. 15(2) relation-同事 member:P-M4"}},
		{name: "empty other expression counts every unlisted relation",
			rules:     func(r *conflict.Rules) { r.OtherRelations = "" },
			relations: rel("E-100", "P-M4", "", 1990, 5, 1),
			want:      []string{"Art. 15(2) relation-other member:P-M4"}},
		{name: "relation with a non-member is ignored", relations: rel("E-100", "E-200", "family")},
		{name: "relation between two members does not touch the expert", relations: rel("P-M1", "P-M2", "family")},
	})
}

func monthOf(m int) (mm time.Month) { return time.Month(m) }

func TestClause3SameUnit(t *testing.T) {
	runCases(t, []checkCase{
		{name: "same department of the same university",
			edit: func(e *admission.Expert) { e.Affiliation = wzu("化学与材料工程学院 ") },
			want: []string{"Art. 15(3) same-department leader"}},
		{name: "same university, other department",
			edit: func(e *admission.Expert) { e.Affiliation = wzuCompSci }},
		{name: "same university, department unknown is possible",
			edit: func(e *admission.Expert) { e.Affiliation = wzu("") },
			want: []string{"Art. 15(3) same-department leader (possible)"}},
		{name: "university alias",
			edit: func(e *admission.Expert) {
				e.Affiliation = admission.Affiliation{Org: "温大", Kind: admission.University, Department: "化学与材料工程学院"}
			},
			want: []string{"Art. 15(3) same-department leader"}},
		{name: "department alias",
			rules: func(r *conflict.Rules) {
				r.DepartmentAliases = map[string]string{"化材学院": "化学与材料工程学院"}
			},
			edit: func(e *admission.Expert) {
				e.Affiliation = wzu("化材学院")
			},
			want: []string{"Art. 15(3) same-department leader"}},
		{name: "same institute with half-width brackets",
			edit: func(e *admission.Expert) {
				e.Affiliation = admission.Affiliation{Org: "中国科学院大学温州研究院(温州生物材料与工程研究所)", Kind: admission.Institute}
			},
			want: []string{"Art. 15(3) same-institute member:P-M1"}},
		{name: "another institute of the same academy is not folded",
			edit: func(e *admission.Expert) { e.Affiliation = nimte }},
		{name: "same enterprise by credit code despite a new name",
			edit: func(e *admission.Expert) {
				e.Affiliation = admission.Affiliation{Org: "正泰电器", OrgCode: "91330000142940946g", Kind: admission.Enterprise}
			},
			want: []string{"Art. 15(3) same-enterprise member:P-M2"}},
		{name: "same name but different credit codes is a possible conflict (issue 15)",
			edit: func(e *admission.Expert) {
				e.Affiliation = admission.Affiliation{Org: "正泰集团股份有限公司", OrgCode: "91330000MA2XXXXXX1", Kind: admission.Enterprise}
			},
			want: []string{"Art. 15(3) same-enterprise member:P-M2 (possible)"}},
		{name: "credit code on one side only compares names",
			edit: func(e *admission.Expert) {
				e.Affiliation = admission.Affiliation{Org: "正泰集团股份有限公司", Kind: admission.Enterprise}
			},
			want: []string{"Art. 15(3) same-enterprise member:P-M2"}},
		{name: "full-width enterprise name",
			project: func(p *conflict.Project) { p.Members[1].Affiliation = abb },
			edit: func(e *admission.Expert) {
				e.Affiliation = admission.Affiliation{Org: "abb (中国) 有限公司", Kind: admission.Enterprise}
			},
			want: []string{"Art. 15(3) same-enterprise member:P-M2"}},
		{name: "hospital reported under clause 5 by default",
			edit: func(e *admission.Expert) { e.Affiliation = wmuHosp1 },
			want: []string{"Art. 15(5) same-unit member:P-M3"}},
		{name: "government body under clause 3 when configured",
			rules: func(r *conflict.Rules) { r.OtherUnitClause = 3 },
			edit:  func(e *admission.Expert) { e.Affiliation = wzst },
			want:  []string{"Art. 15(3) same-unit member:P-M4"}},
		{name: "other units not reported when configured off",
			rules: func(r *conflict.Rules) { r.OtherUnitClause = 0 },
			edit:  func(e *admission.Expert) { e.Affiliation = wzst }},
		{name: "university and its affiliated hospital are different units",
			project: func(p *conflict.Project) { p.Leader.Affiliation = wmu("药学院") },
			edit:    func(e *admission.Expert) { e.Affiliation = wmuHosp1 },
			want:    []string{"Art. 15(5) same-unit member:P-M3"}},
		{name: "former unit left 6 months ago still counts",
			edit: func(e *admission.Expert) {
				a := ucasWZ
				a.To = date(2024, 12, 1)
				e.Past = []admission.Affiliation{a}
			},
			want: []string{"Art. 15(3) same-institute member:P-M1"}},
		{name: "former unit left 12 full months ago no longer counts",
			edit: func(e *admission.Expert) {
				a := ucasWZ
				a.To = date(2024, 6, 1)
				e.Past = []admission.Affiliation{a}
			}},
		{name: "former unit window is configurable",
			rules: func(r *conflict.Rules) { r.FormerUnitMonths = 24 },
			edit: func(e *admission.Expert) {
				a := ucasWZ
				a.To = date(2024, 6, 1)
				e.Past = []admission.Affiliation{a}
			},
			want: []string{"Art. 15(3) same-institute member:P-M1"}},
		{name: "kinds disagree: the broader reading wins",
			edit: func(e *admission.Expert) {
				e.Affiliation = admission.Affiliation{Org: "温州大学", Kind: admission.Institute, Department: "计算机与人工智能学院"}
			},
			want: []string{"Art. 15(3) same-institute leader"}},
	})
}

func TestClause4AvoidanceList(t *testing.T) {
	avoid := func(a ...conflict.Avoidance) func(p *conflict.Project) {
		return func(p *conflict.Project) { p.Avoid = a }
	}
	runCases(t, []checkCase{
		{name: "by expert ID", project: avoid(conflict.Avoidance{ExpertID: "E-100", Reason: "竞争关系"}),
			want: []string{"Art. 15(4) avoidance-list avoid:expert:E-100"}},
		{name: "by name and unit", project: avoid(conflict.Avoidance{Name: "赵磊", Org: "瑞安市人民医院"}),
			want: []string{"Art. 15(4) avoidance-list avoid:name:赵*@瑞安市人民医院"}},
		{name: "by name and unit, other name", project: avoid(conflict.Avoidance{Name: "赵雷", Org: "瑞安市人民医院"})},
		{name: "by unit", project: avoid(conflict.Avoidance{Org: "瑞安市 人民医院"}),
			want: []string{"Art. 15(4) avoidance-list avoid:unit:瑞安市 人民医院"}},
		{name: "by unit and department",
			edit:    func(e *admission.Expert) { e.Affiliation = wzuCompSci },
			project: avoid(conflict.Avoidance{Org: "温州大学", Department: "计算机与人工智能学院"}),
			want:    []string{"Art. 15(4) avoidance-list avoid:unit:温州大学/计算机与人工智能学院"}},
		{name: "by unit and department, other department",
			edit:    func(e *admission.Expert) { e.Affiliation = wzu("数理学院") },
			project: avoid(conflict.Avoidance{Org: "温州大学", Department: "计算机与人工智能学院"})},
		{name: "by unit and department, expert department unknown",
			edit:    func(e *admission.Expert) { e.Affiliation = wzu("") },
			project: avoid(conflict.Avoidance{Org: "温州大学", Department: "计算机与人工智能学院"}),
			want: []string{"Art. 15(3) same-department leader (possible)",
				"Art. 15(4) avoidance-list avoid:unit:温州大学/计算机与人工智能学院 (possible)"}},
		{name: "by alias of the unit", project: avoid(conflict.Avoidance{Org: "温医大"}),
			edit: func(e *admission.Expert) { e.Affiliation = wmu("基础医学院") },
			want: []string{"Art. 15(4) avoidance-list avoid:unit:温医大"}},
		{name: "former unit within the window", project: avoid(conflict.Avoidance{Org: "温州医科大学"}),
			edit: func(e *admission.Expert) {
				a := wmu("药学院")
				a.To = date(2025, 3, 1)
				e.Past = []admission.Affiliation{a}
			},
			want: []string{"Art. 15(4) avoidance-list avoid:unit:温州医科大学"}},
		{name: "by credit code", project: avoid(conflict.Avoidance{Org: "正泰", OrgCode: "91330000142940946G"}),
			edit: func(e *admission.Expert) { e.Affiliation = chint },
			want: []string{"Art. 15(3) same-enterprise member:P-M2", "Art. 15(4) avoidance-list avoid:unit:正泰"}},
		{name: "expert ID with name and unit also matches namesakes",
			project: avoid(conflict.Avoidance{ExpertID: "E-999", Name: "赵磊", Org: "瑞安市人民医院"}),
			want:    []string{"Art. 15(4) avoidance-list avoid:expert:E-999"}},
	})
}

func TestClause5CountyRules(t *testing.T) {
	govRule := rule.Rule{Name: "same-region-government", Article: "Art. 15(5)",
		Expr:    `expert.Affiliation.Kind == "government" && expert.Region == project.Region`,
		Message: "专家为项目所在地政府部门工作人员，可能影响公正评价"}
	exColleague := rule.Rule{Name: "former-colleague-of-leader",
		Expr:    `member.Role == "leader" && any(expert.Past, .Org == member.Affiliation.Org)`,
		Message: "专家曾与项目负责人同单位"}
	runCases(t, []checkCase{
		{name: "expert-only rule",
			rules: func(r *conflict.Rules) { r.Clause5 = []rule.Rule{govRule} },
			edit: func(e *admission.Expert) {
				e.Affiliation, e.Region = admission.Affiliation{Org: "鹿城区科技局", Kind: admission.Government}, "330302"
			},
			want: []string{"Art. 15(5) same-region-government"}},
		{name: "expert-only rule, other region",
			rules: func(r *conflict.Rules) { r.Clause5 = []rule.Rule{govRule} },
			edit: func(e *admission.Expert) {
				e.Affiliation = admission.Affiliation{Org: "瑞安市科技局", Kind: admission.Government}
			}},
		{name: "member rule names the member",
			rules: func(r *conflict.Rules) { r.Clause5 = []rule.Rule{exColleague} },
			edit: func(e *admission.Expert) {
				e.Past = []admission.Affiliation{{Org: "温州大学", Kind: admission.University, To: date(2010, 1, 1)}}
			},
			want: []string{"Art. 15(5) former-colleague-of-leader leader"}},
		{name: "a rule failing at run time excludes",
			rules: func(r *conflict.Rules) {
				r.Clause5 = []rule.Rule{{Name: "fields", Expr: `expert.Fields[3] == "x"`, Message: "字段"}}
			},
			want: []string{"Art. 15(5) fields (possible)"}},
	})
}

func TestRuleReasonsAndArticles(t *testing.T) {
	r := conflict.DefaultRules()
	r.Clause5 = []rule.Rule{{Name: "gov", Expr: `expert.Affiliation.Kind == "government"`, Message: "专家为政府部门工作人员"}}
	require.NoError(t, r.Compile())
	p := project()
	rel := []conflict.Relation{{A: "E-100", B: "P-M1", Kind: "co-author", Until: date(2023, 3, 10)}}
	c, err := conflict.New(p, rel, asOf, r)
	require.NoError(t, err)
	e := expert("E-100")
	e.Affiliation = wzst
	e.Past = []admission.Affiliation{{Org: "温州大学", Kind: admission.University, Department: "化学与材料工程学院", To: date(2025, 1, 1)}}
	got := c.Check(e)
	require.Len(t, got, 4)
	assert.Equal(t, conflict.Conflict{ExpertID: "E-100", Clause: 2, Code: "relation-co-author", Article: "Art. 15(2)",
		Concerns: "member:P-M1", Definite: true, Excludes: true,
		Reason: "专家与项目组成员李*存在合作或合著关系（2023年3月结束，未满48个月），属重大利益关系，应当回避"}, got[0])
	assert.Equal(t, "专家与项目负责人陈**同属高校温州大学的同一院系化学与材料工程学院（专家曾任职该单位，离开未满12个月），应当回避", got[1].Reason)
	assert.Equal(t, "专家为政府部门工作人员", got[2].Reason)
	assert.Equal(t, "Art. 15(5)", got[2].Article)
	assert.Equal(t, "专家与项目组成员张*同在政府机关或事业单位温州市科学技术局，可能影响公正评价，应当回避", got[3].Reason)
}

func TestAvoidanceLimit(t *testing.T) {
	p := project()
	for i := range 11 {
		p.Avoid = append(p.Avoid, conflict.Avoidance{ExpertID: "E-" + strings.Repeat("9", i+1)})
	}
	_, err := conflict.New(p, nil, asOf, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, conflict.ErrInvalidProject)
	var pe *conflict.ProjectError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, conflict.CodeAvoidanceLimit, pe.Code)
	assert.Equal(t, "Art. 15(4)", pe.Article)
	assert.Equal(t, "conflict: avoidance-limit (Art. 15(4)): 回避清单共11项，超过使用细则规定的上限10项，请项目负责人删减后重新提交", pe.Error())
	assert.Equal(t, err.Error(), conflict.ValidateProject(p, nil).Error())

	// NewChecker fails closed: every expert is excluded with a reason saying what to fix.
	c := conflict.NewChecker(p, nil, asOf, nil)
	require.ErrorIs(t, c.Err(), conflict.ErrInvalidProject)
	got := c.Check(expert("E-100"))
	require.Len(t, got, 1)
	assert.Equal(t, conflict.CodeCheckFailed, got[0].Code)
	assert.True(t, got[0].Excludes)
	assert.Contains(t, got[0].Reason, "回避清单共11项，超过使用细则规定的上限10项")

	// A county may allow more.
	r := conflict.DefaultRules()
	r.MaxAvoidances = 20
	require.NoError(t, r.Compile())
	_, err = conflict.New(p, nil, asOf, r)
	require.NoError(t, err)
}

func TestValidateProject(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(p *conflict.Project)
		codes []string
	}{
		{"valid", func(p *conflict.Project) {}, nil},
		{"name without unit", func(p *conflict.Project) { p.Avoid = []conflict.Avoidance{{Name: "张三"}} },
			[]string{conflict.CodeAvoidanceIncomplete}},
		{"department without unit", func(p *conflict.Project) { p.Avoid = []conflict.Avoidance{{Department: "药学院"}} },
			[]string{conflict.CodeAvoidanceIncomplete}},
		{"only a reason", func(p *conflict.Project) {
			p.Avoid = []conflict.Avoidance{{Org: "温州大学"}, {Reason: "竞争"}}
		}, []string{conflict.CodeAvoidanceIncomplete}},
		{"dismissal without approver", func(p *conflict.Project) {
			p.Dismissals = []conflict.Dismissal{{ExpertID: "E-1", Code: "same-unit", Reason: "同名不同人"}}
		}, []string{conflict.CodeDismissalIncomplete}},
		{"several problems at once", func(p *conflict.Project) {
			p.Avoid = []conflict.Avoidance{{Name: "张三"}}
			p.Dismissals = []conflict.Dismissal{{ExpertID: "E-1"}}
		}, []string{conflict.CodeAvoidanceIncomplete, conflict.CodeDismissalIncomplete}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := project()
			tc.edit(&p)
			err := conflict.ValidateProject(p, nil)
			if tc.codes == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, conflict.ErrInvalidProject)
			var got []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var pe *conflict.ProjectError
				require.True(t, errors.As(e, &pe))
				assert.True(t, strings.HasPrefix(pe.Error(), "conflict: "))
				got = append(got, pe.Code)
			}
			assert.Equal(t, tc.codes, got)
		})
	}
}

func TestDismissal(t *testing.T) {
	p := project()
	e := expert("E-100")
	e.Name, e.IDNumber, e.Affiliation = "张伟", "", wzst // namesake of member P-M4 in the same bureau
	c, err := conflict.New(p, nil, asOf, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"Art. 15(1) project-member member:P-M4 (possible)", "Art. 15(5) same-unit member:P-M4"}, codes(c.Check(e)))

	d := conflict.Dismissal{ExpertID: "E-100", Code: "project-member", Concerns: "member:P-M4",
		Reason: "经核实为同名不同人（身份证号码不同）", ApprovedBy: "规划处 周*", At: date(2025, 5, 30)}
	p.Dismissals = []conflict.Dismissal{d}
	c, err = conflict.New(p, nil, asOf, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"Art. 15(5) same-unit member:P-M4"}, codes(c.Check(e)), "only the named conflict is set aside")
	rep := c.Report(e)
	require.Len(t, rep, 2)
	require.NotNil(t, rep[0].Dismissal)
	assert.Equal(t, d, *rep[0].Dismissal)
	assert.False(t, rep[0].Excludes)
	assert.Nil(t, rep[1].Dismissal)

	// Another expert is not covered by the dismissal.
	e2 := e
	e2.ID = "E-101"
	assert.Len(t, c.Check(e2), 2)

	// A definite clause (1) conflict cannot be dismissed.
	p.Dismissals = []conflict.Dismissal{{ExpertID: "P-LEAD", Code: "project-leader", Concerns: "leader", Reason: "误报", ApprovedBy: "某人"}}
	c, err = conflict.New(p, nil, asOf, nil)
	require.NoError(t, err)
	got := c.Check(expert("P-LEAD"))
	require.Len(t, got, 1)
	assert.Nil(t, got[0].Dismissal)
	assert.True(t, got[0].Excludes)
}

func TestRulesCompileErrors(t *testing.T) {
	r := conflict.DefaultRules()
	r.MaxAvoidances = 0
	r.FormerUnitMonths = -1
	r.OtherUnitClause = 4
	r.OtherRelations = "relation.Knd == 1"
	r.UnitAliases = map[string]string{"甲": "乙", "乙": "甲"}
	r.Relations = append(r.Relations, conflict.RelationRule{Kinds: []string{"Family"}, Label: "亲属", Months: -2})
	r.Clause5 = []rule.Rule{
		{Name: "bad", Expr: "expert.Affiliation.Kind ==\n  member.Nme", Message: "错误"},
		{Name: "nomsg", Expr: "true"},
	}
	err := r.Compile()
	require.Error(t, err)
	assert.ErrorIs(t, err, conflict.ErrInvalidRules)
	msg := err.Error()
	for _, want := range []string{"MaxAvoidances", "FormerUnitMonths", "OtherUnitClause", "UnitAliases", "cycle",
		`kind "family" listed twice`, "Months must not be negative", `rule "nomsg" has no Chinese message`} {
		assert.Contains(t, msg, want)
	}
	var ces []*rule.CompileError
	var walk func(error)
	walk = func(err error) {
		if ce, ok := err.(*rule.CompileError); ok {
			ces = append(ces, ce)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		} else if u := errors.Unwrap(err); u != nil {
			walk(u)
		}
	}
	walk(err)
	require.Len(t, ces, 2)
	assert.Equal(t, "other-relations", ces[0].Rule)
	assert.Equal(t, "bad", ces[1].Rule)
	assert.Equal(t, 2, ces[1].Line)
	assert.Positive(t, ces[1].Column)

	// ValidateProject and New report the same; NewChecker fails closed.
	assert.ErrorIs(t, conflict.ValidateProject(project(), r), conflict.ErrInvalidRules)
	_, err = conflict.New(project(), nil, asOf, r)
	require.ErrorIs(t, err, conflict.ErrInvalidRules)
	c := conflict.NewChecker(project(), nil, asOf, r)
	got := c.Check(expert("E-1"))
	require.Len(t, got, 1)
	assert.Equal(t, conflict.CodeCheckFailed, got[0].Code)
	assert.Contains(t, got[0].Reason, "回避规则配置有误")
}

func TestRulesChangedAfterCompileAreHonoured(t *testing.T) {
	r := conflict.DefaultRules()
	r.Clause5 = []rule.Rule{{Name: "gov", Expr: `expert.Affiliation.Kind == "government"`, Message: "政府部门"}}
	// No Compile: New compiles the changed expressions itself.
	c, err := conflict.New(project(), nil, asOf, r)
	require.NoError(t, err)
	e := expert("E-1")
	e.Affiliation = admission.Affiliation{Org: "瑞安市科技局", Kind: admission.Government}
	assert.Equal(t, []string{"Art. 15(5) gov"}, codes(c.Check(e)))
	r.MaxAvoidances = 0
	_, err = conflict.New(project(), nil, asOf, r)
	assert.ErrorIs(t, err, conflict.ErrInvalidRules)
}

func TestCheckerIsSafeForConcurrentUse(t *testing.T) {
	r := conflict.DefaultRules()
	r.Clause5 = []rule.Rule{{Name: "leader-tag", Expr: `member.Role == "leader" && "watch" in expert.Tags`, Message: "关注"}}
	c, err := conflict.New(project(), nil, asOf, r)
	require.NoError(t, err)
	e := expert("E-1")
	e.Tags = []string{"watch"}
	e.Affiliation = wzuChem
	want := c.Check(e)
	require.Len(t, want, 2)
	done := make(chan []conflict.Conflict)
	for range 8 {
		go func() {
			var last []conflict.Conflict
			for range 200 {
				last = c.Check(e)
			}
			done <- last
		}()
	}
	for range 8 {
		assert.Equal(t, want, <-done)
	}
}

func TestZeroCheckerFailsClosed(t *testing.T) {
	var zero conflict.Checker
	var nilChecker *conflict.Checker
	for _, c := range []*conflict.Checker{&zero, nilChecker} {
		require.ErrorIs(t, c.Err(), conflict.ErrNotBuilt)
		got := c.Check(expert("E-1"))
		require.Len(t, got, 1)
		assert.Equal(t, conflict.CodeCheckFailed, got[0].Code)
		assert.True(t, got[0].Excludes)
	}
}

func TestConflictKeyNamesWhatADismissalMustName(t *testing.T) {
	c := conflict.NewChecker(project(), nil, asOf, nil)
	e := expert("E-100")
	e.Affiliation = wmuHosp1
	got := c.Check(e)
	require.Len(t, got, 1)
	id, code, concerns := got[0].Key()
	p := project()
	p.Dismissals = []conflict.Dismissal{{ExpertID: id, Code: code, Concerns: concerns, Reason: "已调离", ApprovedBy: "处长"}}
	assert.Empty(t, conflict.NewChecker(p, nil, asOf, nil).Check(e))
}
