package expertdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	expertdb "github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/selection"
)

// Issue 15, item 8, through the Service: Admit refuses an expert ID outside the documented
// set with the article, the code and a Chinese message, and stores nothing.
func TestServiceAdmitRefusesABadExpertID(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, id := range []string{"E\x01", "专家甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁", "E 1"} {
		app := applicant(1)
		app.Expert.ID = id
		_, err := f.svc.Admit(ctx, admin, app)
		var ve *admission.ValidationError
		require.True(t, errors.As(err, &ve), "%q: %v", id, err)
		require.True(t, ve.Has("ID"))
		for _, fe := range ve.Fields {
			if fe.Field == "ID" {
				assert.Equal(t, "Art. 17", fe.Article)
				assert.Equal(t, "expertid", fe.Code)
				assert.Contains(t, fe.Message, "专家编号")
			}
		}
		_, err = f.experts.Get(ctx, id)
		require.ErrorIs(t, err, expertdb.ErrNotFound)
	}
}

// variants are the 14 spellings of issue 15 (item 9): invisible code points, a decorating
// mark, Cyrillic and Greek look-alikes, and four that were already caught.
var variants = []string{
	"正泰\ufe0f集团股份有限公司", "正泰\U000E0100集团股份有限公司", "正\u034f泰集团股份有限公司", "正泰集团\u180b股份有限公司",
	"正泰\u115f集团股份有限公司", "正泰集\u3164团股份有限公司", "正泰\u2800集团股份有限公司", "正泰\u0301集团股份有限公司",
	"\u0410\u0412\u0412（中国）有限公司", "\u0391\u0392\u0392（中国）有限公司", "正泰\u200b集团股份有限公司",
	"正泰\u00ad集团股份有限公司", "正泰集团\u2060股份有限公司", "ＡＢＢ（中国）有限公司",
}

// plainOf is the plain spelling a variant imitates.
func plainOf(v string) string {
	if strings.Contains(v, "有限公司") && !strings.Contains(v, "正") {
		return "ABB（中国）有限公司"
	}
	return "正泰集团股份有限公司"
}

// Issue 15, item 9, through Service.Draw: experts whose unit is the project's unit written
// with invisible or look-alike characters are recused like the plain spelling.
func TestServiceDrawRecusesEvasiveUnitNames(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 40)
	for i, org := range variants {
		app := applicant(500 + i)
		app.Expert.ID = fmt.Sprintf("V%02d", i)
		app.Expert.Affiliation = admission.Affiliation{Org: org, Kind: admission.Enterprise}
		app.Personal.FormStampedBy = org
		_, err := f.svc.Admit(ctx, admin, app)
		require.NoError(t, err, org)
	}
	req := storyRequest()
	req.Size = 3
	req.Quotas, req.Groups = nil, nil
	req.Project.Members = []conflict.Person{
		{ID: "M1", Name: "王芳", Affiliation: admission.Affiliation{Org: "正泰集团股份有限公司", Kind: admission.Enterprise}},
		{ID: "M2", Name: "李明", Affiliation: admission.Affiliation{Org: "ABB（中国）有限公司", Kind: admission.Enterprise}},
	}
	rec, err := f.svc.Draw(ctx, clerk, req)
	require.NoError(t, err)
	got := map[string]string{}
	for _, x := range rec.Result.Excluded {
		got[x.ExpertID] = x.Article + " " + x.Code
	}
	for i, org := range variants {
		assert.Equal(t, "Art. 15(3) same-enterprise", got[fmt.Sprintf("V%02d", i)], "%q", org)
	}
}

// Issue 15, item 9, the cooling-off rule: a past review of the applicant unit written with
// invisible or look-alike characters still counts.
func TestCoolingOffSeesThroughEvasiveUnitNames(t *testing.T) {
	at := time.Date(2026, 3, 20, 9, 0, 0, 0, cst)
	r := selection.DefaultRules()
	r.Exclusions = append(r.Exclusions, selection.CoolingOffRule(6))
	for _, unit := range variants {
		pool := selection.Pool{History: map[string][]selection.Participation{}}
		for i := range 6 {
			e := applicant(i).Expert
			e.Status = admission.Active
			pool.Experts = append(pool.Experts, e)
		}
		id := pool.Experts[0].ID
		pool.History[id] = []selection.Participation{{ActivityID: "R-OLD", ApplicantUnit: unit, At: at.AddDate(0, -2, 0)}}
		req := selection.Request{ID: "R-NEW", Size: 2, At: at, Project: conflict.Project{ID: "P-9",
			Leader: conflict.Person{ID: "L9", Name: "孙立新", Affiliation: admission.Affiliation{Org: plainOf(unit), Kind: admission.Enterprise}}}}
		res, err := selection.Draw(req, pool, selection.Entropy{Sources: [][]uint64{{7}}}, r)
		require.NoError(t, err)
		code := ""
		for _, x := range res.Excluded {
			if x.ExpertID == id {
				code = x.Code
			}
		}
		assert.Equal(t, "cooling-off", code, "%q", unit)
	}
}

// Issue 15, item 8, through Service.Draw: a stored record whose ID is not a valid expert ID
// (stored before the rule, or by another system) is excluded; the draw goes on and equals
// the draw without it.
func TestServiceDrawExcludesABadStoredRecord(t *testing.T) {
	ctx := context.Background()
	draw := func(bad []string) *expertdb.DrawRecord {
		f := newFixture(t)
		f.admitN(t, 30)
		for _, id := range bad {
			e, err := f.experts.Get(ctx, "E0003")
			require.NoError(t, err)
			e.ID = id
			require.NoError(t, f.experts.Put(ctx, e))
		}
		rec, err := f.svc.Draw(ctx, clerk, storyRequest())
		require.NoError(t, err, "bad IDs %q", bad)
		return rec
	}
	want := draw(nil)
	got := draw([]string{"E\x00", "专家甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地玄黄宇宙洪荒日月盈昃", "13812345678"})
	assert.Equal(t, want.Result.Panel, got.Result.Panel)
	assert.Equal(t, want.Result.PoolDigest, got.Result.PoolDigest)
	n := 0
	for _, x := range got.Result.Excluded {
		if x.Code == "expert-id" {
			n++
			assert.Equal(t, "Art. 17", x.Article)
		}
	}
	assert.Equal(t, 3, n)
}

// A valid expert ID is never refused by the audit log's personal-data guard, wherever the
// Service puts it (subjects, data).
func TestValidExpertIDsPassTheAuditGuard(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		id := rapid.StringMatching(`[A-Za-z0-9][A-Za-z0-9._:-]{0,63}`).Draw(t, "id")
		if rapid.Bool().Draw(t, "digits") {
			id = rapid.StringMatching(`[0-9][0-9-]{0,40}`).Draw(t, "digitID")
		}
		if !admission.ValidExpertID(id) {
			return
		}
		e := audit.Event{At: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Actor: clerk, Action: audit.ActionDraw,
			Subjects: []string{"R-1", id}, Data: json.RawMessage(`{"kind":"request","reserve":["` + id + `"]}`)}
		_, err := e.Encode()
		require.NoError(t, err, "%q", id)
	})
}
