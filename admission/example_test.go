package admission_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/rule"
)

func ExampleAge() {
	born := time.Date(1960, 6, 15, 0, 0, 0, 0, time.UTC)
	fmt.Println(admission.Age(born, time.Date(2026, 6, 14, 0, 0, 0, 0, time.UTC)))
	fmt.Println(admission.Age(born, time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)))

	leap := time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC)
	fmt.Println(admission.Age(leap, time.Date(2001, 2, 28, 0, 0, 0, 0, time.UTC)))
	fmt.Println(admission.Age(leap, time.Date(2001, 3, 1, 0, 0, 0, 0, time.UTC)))
	// Output:
	// 65
	// 66
	// 0
	// 1
}

func ExampleCheck() {
	e := admission.Expert{
		ID:          "E001",
		Name:        "张三",
		BirthDate:   time.Date(1970, 5, 20, 0, 0, 0, 0, time.UTC),
		Affiliation: admission.Affiliation{Org: "温州大学", Kind: admission.University},
		Title:       admission.AssociateSenior, // qualifies a technical expert by title alone
		Categories:  []admission.Category{admission.Technical, admission.Economic},
		Credentials: []admission.Credential{
			{Kind: admission.CredPoliticalQuality},
			{Kind: admission.CredFinanceDeptHead}, // but not fund-management
		},
	}
	d := admission.Check(e, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), admission.DefaultRules())
	fmt.Println("eligible:", d.Eligible)
	fmt.Println("categories:", d.Categories)
	for _, f := range d.Findings {
		fmt.Println(f.Article, f.Code, f.Message)
	}
	// Output:
	// eligible: true
	// categories: [technical]
	// Art. 5(2)4 fund-management 经济专家须熟悉科技经费管理制度，未提交相应证明（第五条第（二）项第4目）
}

func ExampleCheck_refused() {
	e := admission.Expert{
		ID:          "E002",
		Name:        "李四",
		BirthDate:   time.Date(1960, 6, 15, 0, 0, 0, 0, time.UTC),
		Affiliation: admission.Affiliation{Org: "温州医科大学"},
		Title:       admission.Senior,
		Categories:  []admission.Category{admission.Technical},
		Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality}},
		Exits:       []admission.Exit{{Reason: admission.ExitMisconduct}},
	}
	d := admission.Check(e, time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), nil)
	fmt.Println("eligible:", d.Eligible)
	for _, f := range d.Findings {
		fmt.Println(f.Article, f.Code)
	}
	// Output:
	// eligible: false
	// Art. 5(1)2 age
	// Art. 11 re-entry-barred
}

func ExampleValidate() {
	e := admission.Expert{
		ID:          "E003",
		Name:        "王五",
		IDNumber:    "330302197005201230", // wrong check digit
		Mobile:      "1381234567",         // ten digits
		Affiliation: admission.Affiliation{Org: "某公司", OrgCode: "91350100M000100Y44"},
	}
	err := admission.Validate(e)
	var ve *admission.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			fmt.Println(f.Field, f.Code, f.Label)
		}
	}
	// Output:
	// IDNumber idnumber 身份证号码
	// Mobile mobile 手机号码
	// Affiliation.OrgCode uscc 工作单位的统一社会信用代码
}

// A county admits experts up to 70 and draws only those trained in the last two years.
func ExampleRules_Compile() {
	r := admission.DefaultRules()
	for i := range r.Basic {
		if r.Basic[i].Name == "age" {
			r.Basic[i].Expr = `age <= 70`
			r.Basic[i].Message = "年龄超过70周岁"
		}
	}
	r.Drawable = []rule.Rule{{Name: "recent-training", Article: "Art. 14(3)",
		Expr: `hasRecentTraining("", 730)`, Message: "近两年未参加专家培训"}}
	if err := r.Compile(); err != nil {
		fmt.Println(err)
		return
	}
	asOf := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	e := admission.Expert{
		ID: "E004", Name: "赵六", Status: admission.Active,
		BirthDate:   time.Date(1958, 1, 1, 0, 0, 0, 0, time.UTC), // 68
		Affiliation: admission.Affiliation{Org: "温州大学"},
		Title:       admission.Senior,
		Categories:  []admission.Category{admission.Technical},
		Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality}},
	}
	fmt.Println("eligible:", admission.Check(e, asOf, r).Eligible)
	for _, f := range admission.Drawable(e, asOf, r) {
		fmt.Println(f.Code, f.Message)
	}

	r.Basic[0].Expr = `hasCredential("political-quality"`
	var ce *rule.CompileError
	if errors.As(r.Compile(), &ce) {
		fmt.Println(ce.Rule, ce.Line, ce.Column)
	}
	// Output:
	// eligible: true
	// recent-training 近两年未参加专家培训
	// political-quality 1 33
}

func ExampleAdmit() {
	asOf := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	app := admission.Application{
		Channel: admission.ChannelInvitation,
		Expert: admission.Expert{
			ID: "E005", Name: "钱七",
			BirthDate:   time.Date(1975, 9, 1, 0, 0, 0, 0, time.UTC),
			Affiliation: admission.Affiliation{Org: "浙江省某实验室", Kind: admission.Institute},
			Categories:  []admission.Category{admission.Management},
			Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality}, {Kind: admission.CredPlatformDirector}},
		},
		Invitation: &admission.DivisionInvitation{Division: "高新技术处", ApprovedBy: "孙处长", ApprovedAt: asOf},
	}
	e, err := admission.Admit(app, "周审核", asOf, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Status, e.Categories, e.Entries[0].Channel, e.Entries[0].Source)

	app.Invitation.ApprovedBy = ""
	_, err = admission.Admit(app, "周审核", asOf, nil)
	fmt.Println(err)
	// Output:
	// active [management] invitation 高新技术处
	// admission: admission refused: Art. 6(2) division-approval-missing: 处室邀请入库须经处室领导审核同意，请补充审核人
}

func ExampleSweep() {
	asOf := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	base := admission.Expert{
		Status:      admission.Active,
		BirthDate:   time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		Affiliation: admission.Affiliation{Org: "温州大学"},
		Title:       admission.Senior,
		Categories:  []admission.Category{admission.Technical},
		Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality}},
		UpdatedAt:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	old, stale := base, base
	old.ID, old.BirthDate = "E006", time.Date(1959, 12, 31, 0, 0, 0, 0, time.UTC)
	stale.ID, stale.UpdatedAt = "E007", time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range admission.Sweep([]admission.Expert{old, stale}, asOf, nil) {
		fmt.Println(p.ExpertID, p.Action, p.Article, p.Code)
	}
	// Output:
	// E006 exit Art. 10(2) exit-no-longer-qualified
	// E007 update-profile Art. 8(1) stale-profile
}

func ExampleExitExpert() {
	asOf := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	e := admission.Expert{ID: "E008", Name: "吴八", Status: admission.Active}
	_, err := admission.ExitExpert(e, admission.Exit{Reason: admission.ExitOnRequest}, asOf)
	fmt.Println(err)
	out, _ := admission.ExitExpert(e, admission.Exit{Reason: admission.ExitOnRequest, ApprovedBy: "郑处长"}, asOf)
	fmt.Println(out.Status, out.Exits[0].Date.Format(time.DateOnly), admission.ReentryBarred(out))
	// Output:
	// admission: exit refused: Art. 11 exit-approval-missing: 专家本人申请出库，须经市科技部门审核同意，请注明审核人
	// exited 2026-03-01 true
}

func ExampleCredentialLabel() {
	l, _ := admission.CredentialLabel(admission.CredNationalProjectLead)
	fmt.Println(l)
	// Output:
	// 验收通过的国家科技计划项目（课题）负责人
}

// DecideAdmission: the reviewer decides, the history comes from the decision (a fabricated
// earlier entry is dropped), and the applicant gets the notice (Art. 6(1)).
func ExampleDecideAdmission() {
	asOf := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	e := admission.Expert{
		ID: "E010", Name: "陈十", IDNumber: "11010519491231002X", BirthDate: time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC),
		RetirementAge: 80, Affiliation: admission.Affiliation{Org: "温州大学"}, Title: admission.Senior,
		Categories:  []admission.Category{admission.Technical},
		Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality}},
		Entries:     []admission.Entry{{Channel: admission.ChannelInvitation, ReviewedBy: "前任局长"}},
	}
	app := admission.Application{Channel: admission.ChannelApplication, Expert: e,
		Personal: &admission.PersonalEvidence{FormStampedBy: "温州大学", Proofs: []string{"F-1"}, PledgeSignedAt: asOf}}
	dec, err := admission.DecideAdmission(app, nil, admission.Review{Reviewer: "李审核", Approve: true}, asOf, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dec.Admitted, dec.Expert.Status, len(dec.Expert.Entries), dec.Expert.Entries[0].ReviewedBy)
	fmt.Println(dec.Notice.Subject)
	fmt.Println(dec.Notice.Text)
	// Output:
	// true active 1 李审核
	// 专家入库申请审核结果：准予入库
	// 您通过“个人申请”方式提出的入库申请，经市科技局审核（审核人：李审核，2026年3月1日），准予入库，入库类别：科技专家。请及时维护个人信息（第八条第（一）项）。
}
