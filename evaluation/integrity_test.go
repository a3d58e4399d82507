package evaluation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/evaluation"
)

func TestViolationsOfArticle9(t *testing.T) {
	// Clause, code, a phrase of the clause text of Art. 9, and seriousness by default.
	cases := []struct {
		v       evaluation.Violation
		clause  int
		code    string
		phrase  string
		serious bool
	}{
		{evaluation.FraudulentQualification, 1, "fraudulent-qualification", "弄虚作假", false},
		{evaluation.RecusalBreach, 2, "recusal-breach", "违反回避制度要求", false},
		{evaluation.Solicitation, 3, "solicitation", "“打招呼”“走关系”等请托", true},
		{evaluation.Lobbying, 4, "lobbying", "引导、游说其他专家或工作人员", false},
		{evaluation.Bribery, 5, "bribery", "索取、收受利益相关方财物", true},
		{evaluation.ImproperOpinion, 6, "improper-opinion", "明显不当", false},
		{evaluation.Leak, 7, "leak", "需保密的申请人、专家名单、专家意见、评审结论", true},
		{evaluation.Plagiarism, 8, "plagiarism", "抄袭、剽窃", false},
		{evaluation.SecrecyBreach, 9, "secrecy-breach", "科学技术活动保密", false},
		{evaluation.OtherViolation, 10, "other-violation", "其他相关违规行为", false},
	}
	require.Len(t, evaluation.Violations(), 10)
	seen := map[string]bool{}
	for i, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			assert.Equal(t, c.v, evaluation.Violations()[i])
			assert.True(t, c.v.Valid())
			assert.Equal(t, c.clause, c.v.Clause())
			assert.Equal(t, c.code, c.v.Code())
			assert.Equal(t, c.code, c.v.String())
			assert.Contains(t, c.v.Text(), c.phrase)
			assert.Equal(t, "Art. 9("+itoa(c.clause)+")", c.v.Article())
			assert.Equal(t, c.serious, c.v.Serious())
			assert.False(t, seen[c.v.Text()], "texts differ")
			seen[c.v.Text()] = true
			for _, s := range []string{c.code, c.v.Article(), " " + c.code + " "} {
				got, err := evaluation.ParseViolation(s)
				require.NoError(t, err)
				assert.Equal(t, c.v, got)
			}
			b, err := c.v.MarshalText()
			require.NoError(t, err)
			var back evaluation.Violation
			require.NoError(t, back.UnmarshalText(b))
			assert.Equal(t, c.v, back)
		})
	}
	for _, bad := range []evaluation.Violation{0, 11, -3} {
		assert.False(t, bad.Valid())
		assert.Zero(t, bad.Clause())
		assert.Empty(t, bad.Code())
		assert.Empty(t, bad.Text())
		assert.Empty(t, bad.Article())
		assert.False(t, bad.Serious())
		assert.True(t, strings.HasPrefix(bad.String(), "Violation("))
		_, err := bad.MarshalText()
		assert.Error(t, err)
	}
	for _, s := range []string{"", "Solicitation", "Art. 9(11)", "9(3)", "bribe"} {
		_, err := evaluation.ParseViolation(s)
		assert.Error(t, err, "%q", s)
	}
}

func itoa(n int) string {
	if n == 10 {
		return "10"
	}
	return string(rune('0' + n))
}

func TestViolationRecord(t *testing.T) {
	date := day(2024, time.May, 20)
	rec := evaluation.Solicitation.Record(date, " 评审前接受申报单位负责人宴请并答应关照 ")
	assert.Equal(t, admission.Record{
		Kind:    "solicitation",
		Detail:  "Art. 9(3) 接受“打招呼”“走关系”等请托：评审前接受申报单位负责人宴请并答应关照",
		Date:    date,
		Serious: true,
		Article: "Art. 9(3)",
	}, rec)

	rec = evaluation.ImproperOpinion.Record(date, "")
	assert.Equal(t, admission.Record{Kind: "improper-opinion", Detail: "Art. 9(6) 出具明显不当的咨询、评审、评估、评价、监督检查意见", Date: date, Article: "Art. 9(6)"}, rec)

	v, ok := evaluation.ViolationOf(rec)
	assert.True(t, ok)
	assert.Equal(t, evaluation.ImproperOpinion, v)
	_, ok = evaluation.ViolationOf(admission.Record{Kind: "no-show"})
	assert.False(t, ok)
	_, ok = evaluation.ViolationOf(admission.Record{Kind: "Art. 9(3)"})
	assert.False(t, ok, "a record kind is the code, not the citation")

	// A county that treats plagiarism as serious.
	r := evaluation.DefaultRules()
	r.Serious = append(r.Serious, evaluation.Plagiarism)
	assert.True(t, r.Record(evaluation.Plagiarism, date, "x").Serious)
	assert.False(t, evaluation.Plagiarism.Record(date, "x").Serious)
	r.Serious = nil
	assert.False(t, r.Record(evaluation.Solicitation, date, "x").Serious)
	assert.False(t, r.IsSerious(0))
}

func TestSeriousViolationsYieldExitProposals(t *testing.T) {
	date := day(2024, time.May, 20)
	for _, v := range evaluation.Violations() {
		t.Run(v.Code(), func(t *testing.T) {
			p, ok := v.ExitProposal("E1", date)
			assert.Equal(t, v.Serious(), ok)
			if !ok {
				assert.Zero(t, p)
				return
			}
			assert.Equal(t, "E1", p.ExpertID)
			assert.Equal(t, admission.ExitMisconduct, p.Reason)
			assert.Equal(t, "Art. 10(3)", p.Article)
			assert.Equal(t, evaluation.CodeSeriousMisconduct, p.Code)
			assert.Equal(t, v, p.Violation)
			assert.Equal(t, date, p.Date)
			assert.Contains(t, p.Message, v.Text())
			assert.Contains(t, p.Message, v.Article())
			assert.Contains(t, p.Message, "不得再次入库（Art. 11）")

			decided := day(2024, time.June, 3)
			exit := p.Exit(decided)
			assert.Equal(t, admission.ExitMisconduct, exit.Reason)
			assert.Equal(t, decided, exit.Date)
			assert.True(t, strings.HasPrefix(exit.Note, "Art. 10(3) 专家存在"), exit.Note)
		})
	}
	r := evaluation.DefaultRules()
	r.Serious = []evaluation.Violation{evaluation.RecusalBreach}
	_, ok := r.ProposeExit("E1", evaluation.RecusalBreach, date)
	assert.True(t, ok)
	_, ok = r.ProposeExit("E1", evaluation.Solicitation, date)
	assert.False(t, ok)
}

func TestProposeExitsReadsTheIntegrityFile(t *testing.T) {
	d1, d2, d3 := day(2023, time.March, 1), day(2024, time.May, 20), day(2024, time.August, 8)
	plag := evaluation.Plagiarism.Record(d3, "抄袭申报书技术方案")
	plag.Serious = true // the county judged this case serious
	file := []admission.Record{
		evaluation.ImproperOpinion.Record(d1, ""),
		evaluation.Leak.Record(d2, "向申报单位透露专家名单"),
		{Kind: "no-show", Detail: "Art. 8(2)", Date: d2},
		{Kind: "misconduct", Detail: "学术不端（入库前）", Date: d1, Serious: true}, // not a violation of Art. 9
		plag,
	}
	got := evaluation.ProposeExits("E7", file)
	require.Len(t, got, 2)
	assert.Equal(t, evaluation.Leak, got[0].Violation)
	assert.Equal(t, d2, got[0].Date)
	assert.Equal(t, evaluation.Plagiarism, got[1].Violation)
	assert.Equal(t, "E7", got[1].ExpertID)
	assert.Empty(t, evaluation.ProposeExits("E7", file[:1]))
	assert.Empty(t, evaluation.ProposeExits("E7", nil))
}

func TestNoShowRecord(t *testing.T) {
	p := evaluation.Participation{ActivityID: "2024-KJ-017", OrganizerUnit: unit, ExpertID: "E1", Date: day(2024, time.April, 9),
		Attendance: evaluation.NoShow, Reason: " 未请假，电话无人接听 "}
	rec, ok := p.Record()
	require.True(t, ok)
	assert.Equal(t, admission.Record{
		Kind:    evaluation.NoShowKind,
		Detail:  `Art. 8(2) 接受邀请后无故缺席活动 "2024-KJ-017"（组织单位 "市科技局成果处"）：未请假，电话无人接听`,
		Date:    p.Date,
		Article: "Art. 8(2)",
	}, rec)
	_, isViolation := evaluation.ViolationOf(rec)
	assert.False(t, isViolation)

	for _, a := range []evaluation.Attendance{evaluation.Attended, evaluation.Excused} {
		p.Attendance = a
		_, ok = p.Record()
		assert.False(t, ok, a.String())
	}
}
