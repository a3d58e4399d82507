package synth_test

import (
	"slices"

	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/internal/synth"
)

// TestDefaultPoolIsAdmitted: every one of the 2,000 default applications is admitted on AsOf,
// to every category it claims.
func TestDefaultPoolIsAdmitted(t *testing.T) {
	p := synth.Generate(synth.Options{Seed: 1})
	require.Len(t, p.Applications, synth.DefaultSize)
	rules := admission.DefaultRules()
	for _, app := range p.Applications {
		e, err := admission.Admit(app, "审核员", p.AsOf, rules)
		require.NoError(t, err, "%s (%s)", app.Expert.ID, app.Channel)
		assert.Equal(t, app.Expert.Categories, e.Categories, "%s keeps every claimed category", app.Expert.ID)
	}
}

// TestGenerateIsDeterministic: the same options give the same pool; another seed another.
func TestGenerateIsDeterministic(t *testing.T) {
	a := synth.Generate(synth.Options{Seed: 7, Size: 300})
	b := synth.Generate(synth.Options{Seed: 7, Size: 300})
	require.Equal(t, a, b)
	c := synth.Generate(synth.Options{Seed: 8, Size: 300})
	assert.NotEqual(t, a.Applications[0].Expert.Name+a.Applications[0].Expert.Mobile,
		c.Applications[0].Expert.Name+c.Applications[0].Expert.Mobile)
	assert.Equal(t, a.History(2025), b.History(2025))
	assert.Equal(t, a.Project("R-1"), b.Project("R-1"))
	assert.Equal(t, a.Relations([]string{"M1"}, 5), b.Relations([]string{"M1"}, 5))
}

// TestDefaultPoolShape: the default pool mixes every channel, category and unit kind, has
// compound surnames, and its identities are unique and well-formed.
func TestDefaultPoolShape(t *testing.T) {
	p := synth.Generate(synth.Options{})
	assert.Equal(t, synth.DefaultAsOf(), p.AsOf)
	channels := map[admission.Channel]int{}
	categories := map[admission.Category]int{}
	kinds := map[admission.OrgKind]int{}
	compound := 0
	for _, app := range p.Applications {
		e := app.Expert
		channels[app.Channel]++
		for _, c := range e.Categories {
			categories[c]++
		}
		kinds[e.Affiliation.Kind]++
		if n := []rune(e.Name); len(n) >= 3 && slices.Contains([]string{"欧阳", "司马", "诸葛", "上官", "东方", "慕容", "夏侯", "端木", "公孙", "皇甫"}, string(n[:2])) {
			compound++
		}
		assert.True(t, admission.ValidIDNumber(e.IDNumber), e.ID)
		assert.True(t, admission.ValidMobile(e.Mobile), e.ID)
		assert.True(t, admission.ValidUSCC(e.Affiliation.OrgCode), e.ID)
		assert.Contains(t, synth.Regions, e.Region, e.ID)
		assert.NotEmpty(t, e.Fields, e.ID)
		assert.GreaterOrEqual(t, admission.Age(e.BirthDate, p.AsOf), 32, e.ID)
	}
	for _, ch := range []admission.Channel{admission.ChannelApplication, admission.ChannelRecommendation,
		admission.ChannelInvitation, admission.ChannelExchange} {
		assert.Greater(t, channels[ch], synth.DefaultSize/20, "channel %s", ch)
	}
	for _, c := range admission.Categories() {
		assert.Greater(t, categories[c], 20, "category %s", c)
	}
	assert.Len(t, kinds, 6)
	assert.Greater(t, compound, 5, "some compound surnames")
	assert.Less(t, compound, 100)
}

// TestUnitsAreWellFormed: unique names and codes, valid credit codes with the unit's region,
// at least one department each.
func TestUnitsAreWellFormed(t *testing.T) {
	names, codes := map[string]bool{}, map[string]bool{}
	for _, u := range synth.Units() {
		assert.True(t, admission.ValidUSCC(u.Code), u.Name)
		assert.Equal(t, u.Region, u.Code[2:8], u.Name)
		assert.Contains(t, synth.Regions, u.Region, u.Name)
		assert.NotEmpty(t, u.Depts, u.Name)
		assert.NotEmpty(t, u.Finance, u.Name)
		assert.False(t, names[u.Name], "duplicate %s", u.Name)
		assert.False(t, codes[u.Code], "duplicate code of %s", u.Name)
		names[u.Name], codes[u.Code] = true, true
		for _, d := range u.Depts {
			for _, f := range d.Fields {
				assert.NotEqual(t, f, synth.FieldLabel(f), "field %s has a label", f)
			}
		}
	}
}

// TestHistoryIsValid: every rating validates against its participation, falls in the year,
// and the excellent rates spread on both sides of the Art. 25 threshold.
func TestHistoryIsValid(t *testing.T) {
	p := synth.Generate(synth.Options{Seed: 3})
	h := p.History(2025)
	require.NotEmpty(t, h.Ratings)
	require.NoError(t, evaluation.ValidateRatings(h.Ratings, h.Participations))
	for _, r := range h.Ratings {
		require.Equal(t, 2025, evaluation.YearOf(r.At))
	}
	eligible, not := 0, 0
	for _, s := range evaluation.Summarize(h.Ratings, 2025) {
		if evaluation.PreferentialEligible(s) {
			eligible++
		} else {
			not++
		}
	}
	assert.Greater(t, eligible, 100)
	assert.Greater(t, not, 100)
	usage := h.Usage()
	total := 0
	for _, n := range usage {
		total += n
	}
	assert.Equal(t, len(h.Participations), total)
}

// TestProjectHasConflicts: the project's leader is in the pool and is excluded under Art.
// 15(1); colleagues of the leader's department and of the members' units are excluded under
// Art. 15(3); the avoidance list excludes the rival enterprise (Art. 15(4)).
func TestProjectHasConflicts(t *testing.T) {
	p := synth.Generate(synth.Options{Seed: 1})
	pr := p.Project("R-2026-0001")
	require.NoError(t, conflict.ValidateProject(pr, nil))
	c := conflict.NewChecker(pr, nil, p.AsOf, conflict.DefaultRules())
	codes := map[string]int{}
	for _, e := range p.Experts() {
		for _, x := range c.Check(e) {
			codes[x.Code]++
		}
	}
	assert.Equal(t, 1, codes[conflict.CodeProjectLeader])
	assert.Positive(t, codes[conflict.CodeSameDepartment])
	assert.Positive(t, codes[conflict.CodeSameEnterprise])
	assert.Positive(t, codes[conflict.CodeSameInstitute])
	assert.Positive(t, codes[conflict.CodeAvoidanceList])
}

// TestRelations: n relations, distinct experts of the pool, each with one of the people.
func TestRelations(t *testing.T) {
	p := synth.Generate(synth.Options{Seed: 1, Size: 50})
	people := []string{"M1", "M2"}
	rs := p.Relations(people, 6)
	require.Len(t, rs, 6)
	seen := map[string]bool{}
	for _, r := range rs {
		assert.False(t, seen[r.A])
		seen[r.A] = true
		assert.Contains(t, people, r.B)
		assert.NotEmpty(t, r.Kind)
		if !r.Until.IsZero() {
			assert.False(t, r.Until.Before(r.Since))
		}
	}
	assert.Nil(t, p.Relations(nil, 3))
	assert.Len(t, p.Relations(people, 500), 50, "at most one relation per expert")
}
