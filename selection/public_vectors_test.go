package selection_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

var update = flag.Bool("update", false, "rewrite selection/testdata/vectors/*.json and §10 of docs/draw-v1.md from the code")

const vectorDir = "testdata/vectors"

// vectorRules are the rules of a vector: the defaults with these changes.
type vectorRules struct {
	Mode              string               `json:"mode,omitempty"` // "v1" (default) or "rfc3797"
	AnnualCap         *int                 `json:"annual_cap,omitempty"`
	Reserve           int                  `json:"reserve,omitempty"`
	IgnoreUnavailable bool                 `json:"ignore_unavailable,omitempty"`
	IgnoreBookings    bool                 `json:"ignore_bookings,omitempty"`
	DrawWindow        selection.DrawWindow `json:"draw_window,omitzero"`
	Exclusions        []rule.Rule          `json:"exclusions,omitempty"`
}

func (v vectorRules) rules() *selection.Rules {
	r := selection.DefaultRules()
	if v.Mode == "rfc3797" {
		r.Mode = selection.RFC3797
	}
	if v.AnnualCap != nil {
		r.AnnualCap = *v.AnnualCap
	}
	r.Reserve, r.IgnoreUnavailable, r.IgnoreBookings = v.Reserve, v.IgnoreUnavailable, v.IgnoreBookings
	r.DrawWindow, r.Exclusions = v.DrawWindow, v.Exclusions
	return r
}

// vectorSequence is a vector of the sequence alone (no draw).
type vectorSequence struct {
	Mode    string     `json:"mode"`
	Key     string     `json:"key,omitempty"`     // the key, or
	Sources [][]uint64 `json:"sources,omitempty"` // entropy whose RFC 3797 key string is the key
	N       int        `json:"n"`
	K       int        `json:"k"`
	Rounds  []int      `json:"rounds"` // rounds whose digest is listed
}

type vectorError struct {
	Kind        string   `json:"kind"`
	Code        string   `json:"code"`
	Article     string   `json:"article"`
	ExpertID    string   `json:"expert_id,omitempty"`
	Constraints []string `json:"constraints,omitempty"`
}

type vectorExpect struct {
	Error         *vectorError          `json:"error,omitempty"`
	RequestDigest string                `json:"request_digest,omitempty"`
	PoolDigest    string                `json:"pool_digest,omitempty"`
	Key           string                `json:"key,omitempty"`
	KeyString     string                `json:"key_string,omitempty"`
	Candidates    []string              `json:"candidates,omitempty"`
	Excluded      []selection.Exclusion `json:"excluded,omitempty"`
	Panel         []selection.Pick      `json:"panel,omitempty"`
	Reserve       []selection.Pick      `json:"reserve,omitempty"`
	Refill        []selection.Pick      `json:"refill,omitempty"`   // campaign: the seats after Decline
	Sequence      []int                 `json:"sequence,omitempty"` // sequence vectors
	Digests       []string              `json:"digests,omitempty"`  // digests of Sequence.Rounds
}

// vector is one test vector file of selection/testdata/vectors.
type vector struct {
	Name     string                  `json:"name"`
	Covers   string                  `json:"covers"` // what part of the spec it covers
	Notes    []string                `json:"notes,omitempty"`
	Rules    vectorRules             `json:"rules"`
	Request  *selection.Request      `json:"request,omitempty"`
	Pool     *selection.Pool         `json:"pool,omitempty"`
	Entropy  [][]uint64              `json:"entropy,omitempty"`
	Decline  string                  `json:"decline,omitempty"` // campaign: this expert declines first
	Sequence *vectorSequence         `json:"sequence,omitempty"`
	PoolIDs  []string                `json:"pool_ids,omitempty"` // pool digest vector
	Expect   vectorExpect            `json:"expect"`
	Public   *selection.PublicRecord `json:"public,omitempty"`
}

func errorKind(err error) string {
	for _, k := range []struct {
		err  error
		name string
	}{{selection.ErrInfeasible, "infeasible"}, {selection.ErrInvalidRequest, "invalid-request"},
		{selection.ErrPreferential, "preferential"}, {selection.ErrInvitation, "invitation"},
		{selection.ErrSearchBound, "search-bound"}, {selection.ErrExhausted, "exhausted"},
		{selection.ErrDrawWindow, "draw-window"}, {selection.ErrNoEntropy, "no-entropy"}} {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "other"
}

func vectorErr(err error) *vectorError {
	ve := &vectorError{Kind: errorKind(err)}
	var se *selection.Error
	if errors.As(err, &se) {
		ve.Code, ve.Article, ve.ExpertID, ve.Constraints = se.Code, se.Article, se.ExpertID, se.Constraints
	}
	return ve
}

// run computes what the code gives for the vector's inputs.
func (v *vector) run(t *testing.T) (vectorExpect, *selection.PublicRecord) {
	t.Helper()
	var x vectorExpect
	switch {
	case v.PoolIDs != nil:
		x.PoolDigest = selection.PoolDigest(v.PoolIDs)
		return x, nil
	case v.Sequence != nil:
		s := v.Sequence
		mode := selection.V1
		if s.Mode == "rfc3797" {
			mode = selection.RFC3797
		}
		key := s.Key
		if s.Sources != nil {
			key = selection.Entropy{Sources: s.Sources}.Key()
			x.KeyString = key
		}
		x.Sequence = selection.Sequence(s.N, s.K, key, mode)
		for _, r := range s.Rounds {
			x.Digests = append(x.Digests, hex.EncodeToString(selection.RoundDigest(r, key, mode)))
		}
		return x, nil
	}
	e := selection.Entropy{Sources: v.Entropy}
	x.KeyString = e.Key()
	prep, err := selection.Prepare(*v.Request, v.Rules.rules())
	if err != nil {
		x.Error = vectorErr(err)
		return x, nil
	}
	x.RequestDigest = prep.RequestDigest()
	res, pub, err := prep.DrawPublic(*v.Pool, e)
	if err != nil {
		x.Error = vectorErr(err)
		return x, nil
	}
	x.PoolDigest, x.Key, x.Excluded, x.Panel, x.Reserve = res.PoolDigest, res.Key, res.Excluded, res.Panel, res.Reserve
	x.Candidates = memberIDs(pub.Candidates)
	if v.Decline != "" {
		c, err := selection.NewCampaign(prep, *v.Pool, e, 24*time.Hour)
		require.NoError(t, err)
		codes := bytes.NewReader(bytes.Repeat([]byte{0x12, 0x34, 0x56, 0x78}, 64))
		start := v.Request.At.AddDate(0, 0, -5)
		notices, err := c.Start(start, codes)
		require.NoError(t, err)
		for _, n := range notices {
			if n.ExpertID == v.Decline {
				_, err := c.Decline(n.ExpertID, n.Code, "不熟悉该领域", true, start.Add(time.Hour), codes)
				require.NoError(t, err)
			}
		}
		for _, s := range c.Seats() {
			if s.Status != selection.SeatDeclined {
				x.Refill = append(x.Refill, s.Pick)
			}
		}
	}
	return x, pub
}

func ptr[T any](v T) *T { return &v }

// vectorCases builds the inputs of every vector file.
func vectorCases() []vector {
	var vs []vector
	add := func(v vector) { vs = append(vs, v) }
	e7 := [][]uint64{{3, 17, 22, 29, 31, 35, 12}}

	add(vector{Name: "rfc3797-example", Covers: "§3, §5: the example of RFC 3797 §6 (mode rfc3797)",
		Sequence: &vectorSequence{Mode: "rfc3797", Sources: [][]uint64{{9319}, {2, 5, 12, 8, 10}, {9, 18, 26, 34, 41, 45}}, N: 25, K: 11, Rounds: []int{0, 1}}})
	add(vector{Name: "sequence-v1", Covers: "§5: the sequence in mode v1",
		Sequence: &vectorSequence{Mode: "v1", Key: "expertdb-draw-v1/test/", N: 10, K: 5, Rounds: []int{1}}})
	add(vector{Name: "pool-digest", Covers: "§2: the pool digest", PoolIDs: []string{"E000", "E001", "E002"}})

	ex := exampleRequest()
	exPool := examplePool()
	add(vector{Name: "example", Covers: "§2–§8: the structured draw of ExampleDraw and ExampleCampaign",
		Notes:   []string{"Pool: twelve active experts `E00 … E11`, `E<i>` in unit `单位<i mod 4>`, economic when `i mod 3 = 0`; `Usage[\"E05\"] = 10`. Request: size 3, criteria `expert.Title >= AssociateSenior`, quota `economic` (min 1, max 1), group cap `unit` on `expert.Affiliation.Org` (max 1), project leader `E07`."},
		Request: &ex, Pool: &exPool, Entropy: e7, Decline: "E00"})

	creq, cpool, cr := controlsVector()
	crules := vectorRules{DrawWindow: cr.DrawWindow, Exclusions: cr.Exclusions}
	add(vector{Name: "controls", Covers: "§1.1, §1.2, §2 rows 7–9: the draw controls (TestControlsVector)",
		Notes: []string{"Request `WZ-2025-C`, size 1, activity 10 June 2025 09:00–17:00 China time, drawn 9 June 10:00 China time; project `P-2`, leader `L-2` of 温州光学科技有限公司. Rules: the defaults with draw window `max_lead` 48h, `min_lead` 2h and the exclusion rule `CoolingOffRule(6)`.",
			"Pool `C1 … C4`: `C1` declared leave 10 June 13:00 – 12 June 00:00; `C2` booked on `WZ-2025-B` 08:00–10:00; `C3` reviewed a project of 温州光学科技有限公司 on 1 February 2025; `C4` booked 17:00–19:00, which starts when this activity ends (no clash)."},
		Rules: crules, Request: &creq, Pool: &cpool, Entropy: [][]uint64{{2025, 6, 9}}})
	early := creq
	early.DrawnAt = cstAt(2025, 6, 8, 8, 59)
	add(vector{Name: "controls-too-early", Covers: "§1.1: a draw before the window opens",
		Notes: []string{"As `controls`, drawn 8 June 08:59 China time; the window is 8 June 09:00 – 10 June 07:00 China time."},
		Rules: crules, Request: &early, Pool: &cpool, Entropy: [][]uint64{{2025, 6, 9}}})

	// Screening rows of §2, one vector each.
	base := func() (selection.Request, selection.Pool) {
		p := pool(6, 6)
		p.Last = map[string]evaluation.Summary{}
		return request(2), p
	}
	e := [][]uint64{{9319}, {2, 5, 12, 8, 10}}
	{
		q, p := base()
		q.Size = 3
		q.Preferred = []string{"E003"}
		q.Plan = &selection.Plan{Reason: "该领域急需", ApprovedBy: "分管领导 王*", FiledWith: "局机关纪委", At: planDate}
		p.Last["E003"] = evaluation.Summary{ExpertID: "E003", Year: 2024, Total: 10, Excellent: 4, Good: 6}
		add(vector{Name: "screening-01-on-panel", Covers: "§2 row 1 (`on-panel`) and §6 preferential picks", Request: &q, Pool: &p, Entropy: e})
	}
	{
		q, p := base()
		p.Experts[1].Status = admission.Pending
		p.Experts[2].Status = admission.Exited
		p.Experts[3].Status = "suspended"
		add(vector{Name: "screening-02-not-active", Covers: "§2 row 2 (`not-active`): pending → Art. 6, exited → Art. 10, any other status → Art. 6", Request: &q, Pool: &p, Entropy: e})
	}
	{
		q, p := base()
		p.Usage["E001"] = 10
		p.Usage["E002"] = 9
		add(vector{Name: "screening-03-annual-cap", Covers: "§2 row 3 (`annual-cap`): usage 10 of cap 10 excluded, 9 kept", Request: &q, Pool: &p, Entropy: e})
	}
	{
		q, p := base()
		q.Criteria = `expert.Fields[0] == "materials"`
		p.Experts[1].Fields = []string{"biology"}
		p.Experts[2].Fields = nil
		add(vector{Name: "screening-04-criteria", Covers: "§2 row 4 (`criteria`, `expression-error`): false, and failing on an expert without fields", Request: &q, Pool: &p, Entropy: e})
	}
	{
		q, p := base()
		p.Experts[1].BirthDate = time.Date(1959, 6, 10, 0, 0, 0, 0, time.UTC)
		p.Experts[2].Credentials = nil
		add(vector{Name: "screening-05-not-eligible", Covers: "§2 row 5 (`not-eligible`): over age at the activity date, no political-quality credential", Request: &q, Pool: &p, Entropy: e})
	}
	{
		q, p := base()
		q.Project.Leader.ID = "E001"
		q.Project.Members = []conflict.Person{{ID: "M1", Name: "成员", Affiliation: p.Experts[2].Affiliation}}
		q.Project.Avoid = []conflict.Avoidance{{ExpertID: "E003", Reason: "竞争关系"}}
		p.Relations = []conflict.Relation{{A: "E004", B: "L1", Kind: "advisor"}}
		add(vector{Name: "screening-06-conflict", Covers: "§2 row 6 (conflict codes, Art. 15(1)–(4))", Request: &q, Pool: &p, Entropy: e})
	}
	{
		q, p := base()
		p.Experts[1].Unavailable = []admission.Period{{From: activity.Add(-time.Hour), To: activity.Add(time.Hour), Reason: "出差"}}
		p.Experts[2].Unavailable = []admission.Period{{From: activity.AddDate(0, 0, 1)}}
		add(vector{Name: "screening-07-unavailable", Covers: "§2 row 7 (`unavailable`): an overlapping period excludes, a later open-ended one does not", Request: &q, Pool: &p, Entropy: e})
	}
	{
		q, p := base()
		p.Bookings = map[string][]selection.Booking{
			"E001": {{ActivityID: "R-0", From: activity, To: activity.Add(2 * time.Hour)}},
			"E002": {{ActivityID: q.ID, From: activity, To: activity.Add(2 * time.Hour)}},
		}
		add(vector{Name: "screening-08-booked", Covers: "§2 row 8 (`booked`): a clash on another activity excludes, a booking on this request does not", Request: &q, Pool: &p, Entropy: e})
	}
	{
		q, p := base()
		q.Project.Leader.Affiliation.Org = "申报企业"
		p.History = map[string][]selection.Participation{"E001": {{ActivityID: "R-0", ApplicantUnit: "申报企业", At: activity.AddDate(0, -2, 0)}}}
		p.Experts[2].Fields = nil
		add(vector{Name: "screening-09-county-rule", Covers: "§2 row 9 (county exclusion rules): `cooling-off`, and a rule failing on an expert (`expression-error`)",
			Rules:   vectorRules{Exclusions: []rule.Rule{selection.CoolingOffRule(6), {Name: "field", Article: "Art. 13", Expr: `expert.Fields[0] != ""`}}},
			Request: &q, Pool: &p, Entropy: e})
	}
	{
		q, p := base()
		q.Groups = []selection.GroupCap{{Name: "field", Key: `expert.Title == Senior ? expert.Region : expert.Fields`, Max: 1}}
		p.Experts[1].Title = admission.AssociateSenior
		add(vector{Name: "screening-10-structure-error", Covers: "§2 row 10 (`expression-error`): a group key returning a list", Request: &q, Pool: &p, Entropy: e})
	}

	// Structure forms of §7.
	sp := func() selection.Pool {
		p := pool(12, 4)
		for i := range p.Experts {
			p.Experts[i].Region = fmt.Sprintf("3303%02d", i%3)
		}
		return p
	}
	econ := selection.Quota{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 1}
	unit := selection.GroupCap{Name: "unit", Key: "expert.Affiliation.Org", Max: 1}
	form := func(name, covers string, edit func(*selection.Request, *selection.Pool, *vectorRules)) {
		q, p := request(4), sp()
		var r vectorRules
		edit(&q, &p, &r)
		add(vector{Name: "structure-" + name, Covers: covers, Rules: r, Request: &q, Pool: &p, Entropy: e})
	}
	form("none", "§7: size only", func(q *selection.Request, _ *selection.Pool, _ *vectorRules) {})
	form("quota-min", "§7: one quota with a minimum", func(q *selection.Request, _ *selection.Pool, _ *vectorRules) {
		q.Quotas = []selection.Quota{{Name: econ.Name, Filter: econ.Filter, Min: 3}}
	})
	form("quota-min-max", "§7: one quota with a minimum and a maximum", func(q *selection.Request, _ *selection.Pool, _ *vectorRules) {
		q.Quotas = []selection.Quota{{Name: econ.Name, Filter: econ.Filter, Min: 1, Max: 1}}
	})
	form("two-quotas", "§7: two overlapping quotas", func(q *selection.Request, _ *selection.Pool, _ *vectorRules) {
		q.Quotas = []selection.Quota{{Name: econ.Name, Filter: econ.Filter, Min: 2, Max: 2},
			{Name: "region-00", Filter: `expert.Region == "330300"`, Min: 2}}
	})
	form("group-cap", "§7: one group cap", func(q *selection.Request, _ *selection.Pool, _ *vectorRules) {
		q.Groups = []selection.GroupCap{unit}
	})
	form("quota-and-group", "§7: a quota and a group cap", func(q *selection.Request, _ *selection.Pool, _ *vectorRules) {
		q.Quotas = []selection.Quota{{Name: econ.Name, Filter: econ.Filter, Min: 2}}
		q.Groups = []selection.GroupCap{unit}
	})
	form("crossing-groups", "§7: two crossing group caps", func(q *selection.Request, _ *selection.Pool, _ *vectorRules) {
		q.Groups = []selection.GroupCap{unit, {Name: "region", Key: "expert.Region", Max: 2}}
	})
	form("empty-group-value", "§7, §12.1: an empty group value is no group", func(q *selection.Request, p *selection.Pool, _ *vectorRules) {
		for i := range p.Experts {
			if i%2 == 1 {
				p.Experts[i].Region = ""
			}
		}
		q.Groups = []selection.GroupCap{{Name: "region", Key: "expert.Region", Max: 1}}
	})
	form("group-value-number", "§12.1: `1` and `1.0` are one group (eight experts in it, max 2, four without a group: no panel of 7)", func(q *selection.Request, _ *selection.Pool, _ *vectorRules) {
		q.Size = 7
		q.Groups = []selection.GroupCap{{Name: "number", Key: `expert.Region == "330300" ? 1 : (expert.Region == "330301" ? 1.0 : nil)`, Max: 2}}
	})
	form("group-value-bool", "§12.1: `0` and `false` are two groups (max 1 each, four experts without a group: a panel of 6)", func(q *selection.Request, _ *selection.Pool, _ *vectorRules) {
		q.Size = 6
		q.Groups = []selection.GroupCap{{Name: "zero", Key: `expert.Region == "330300" ? 0 : (expert.Region == "330301" ? false : nil)`, Max: 1}}
	})
	form("fixed-members", "§6, §7: a preferential pick and an invited expert count towards quotas and caps", func(q *selection.Request, p *selection.Pool, _ *vectorRules) {
		q.Size = 4
		q.Quotas = []selection.Quota{{Name: econ.Name, Filter: econ.Filter, Min: 1, Max: 2}}
		q.Groups = []selection.GroupCap{unit}
		q.Preferred = []string{"E003"}
		q.Plan = &selection.Plan{Reason: "该领域急需", ApprovedBy: "分管领导 王*", FiledWith: "局机关纪委", At: planDate}
		q.Invited = []selection.Invitation{invitation("X01")}
		p.Last = map[string]evaluation.Summary{"E003": {ExpertID: "E003", Year: 2024, Total: 10, Excellent: 4, Good: 6}}
	})
	form("rfc3797-mode", "§5: a structured draw in mode rfc3797", func(q *selection.Request, _ *selection.Pool, r *vectorRules) {
		q.Quotas = []selection.Quota{{Name: econ.Name, Filter: econ.Filter, Min: 1}}
		q.Groups = []selection.GroupCap{unit}
		r.Mode = "rfc3797"
		r.Reserve = 6
	})
	form("infeasible-size", "§7 feasibility: too few candidates (`size`)", func(q *selection.Request, _ *selection.Pool, _ *vectorRules) {
		q.Size = 13
	})
	form("infeasible-quota", "§7 feasibility: one quota alone (`quota:economic`)", func(q *selection.Request, _ *selection.Pool, _ *vectorRules) {
		q.Quotas = []selection.Quota{{Name: econ.Name, Filter: econ.Filter, Min: 5}}
	})
	form("infeasible-group", "§7 feasibility: one group cap alone (`group:unit`)", func(q *selection.Request, _ *selection.Pool, _ *vectorRules) {
		q.Size = 5
		q.Groups = []selection.GroupCap{unit}
	})
	form("infeasible-pair", "§7 feasibility: a quota and a cap together", func(q *selection.Request, _ *selection.Pool, _ *vectorRules) {
		q.Quotas = []selection.Quota{{Name: econ.Name, Filter: econ.Filter, Min: 3}}
		q.Groups = []selection.GroupCap{{Name: "region", Key: "expert.Region", Max: 1}}
		q.Size = 3
	})
	return vs
}

func vectorPath(name string) string { return filepath.Join(vectorDir, name+".json") }

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, append(raw, '\n'), 0o644))
}

// TestVectorFiles checks every vector file against the code: the expected outcome and the
// public record are what the code computes from the file's inputs, and the public record
// verifies. With -update it rewrites the files from vectorCases.
func TestVectorFiles(t *testing.T) {
	cases := vectorCases()
	if *update {
		require.NoError(t, os.MkdirAll(vectorDir, 0o755))
		old, _ := filepath.Glob(filepath.Join(vectorDir, "*.json"))
		for _, f := range old {
			require.NoError(t, os.Remove(f))
		}
		for i := range cases {
			v := &cases[i]
			v.Expect, v.Public = v.run(t)
			writeJSON(t, vectorPath(v.Name), v)
		}
	}
	files, err := filepath.Glob(filepath.Join(vectorDir, "*.json"))
	require.NoError(t, err)
	var names []string
	for _, c := range cases {
		names = append(names, c.Name+".json")
	}
	var got []string
	for _, f := range files {
		got = append(got, filepath.Base(f))
	}
	slices.Sort(names)
	assert.Equal(t, names, got, "the vector files are those of vectorCases (run with -update)")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			v := readVector(t, f)
			x, pub := v.run(t)
			assert.Equal(t, v.Expect, x)
			assert.Equal(t, v.Public, pub)
			if v.Public != nil {
				require.NoError(t, selection.VerifyPublic(v.Public))
			}
		})
	}
}

func readVector(t *testing.T, path string) *vector {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var v vector
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&v))
	return &v
}

// Every screening row of §2 and every structure form of §7 has a vector, and each
// screening vector excludes with the row's code.
func TestVectorsCoverEveryRowAndForm(t *testing.T) {
	byName := map[string]vector{}
	for _, v := range vectorCases() {
		byName[v.Name] = v
	}
	rows := map[string][]string{
		"screening-01-on-panel": {"on-panel"}, "screening-02-not-active": {"not-active"},
		"screening-03-annual-cap": {"annual-cap"}, "screening-04-criteria": {"criteria", "expression-error"},
		"screening-05-not-eligible": {"not-eligible"}, "screening-06-conflict": {"project-leader", "avoidance-list"},
		"screening-07-unavailable": {"unavailable"}, "screening-08-booked": {"booked"},
		"screening-09-county-rule": {"cooling-off", "expression-error"}, "screening-10-structure-error": {"expression-error"},
	}
	for name, codes := range rows {
		v, ok := byName[name]
		require.True(t, ok, name)
		x, _ := v.run(t)
		var got []string
		for _, e := range x.Excluded {
			got = append(got, e.Code)
		}
		for _, c := range codes {
			assert.Contains(t, got, c, name)
		}
	}
}

// ---- §10 of docs/draw-v1.md, generated from the vectors ----

const specPath = "../docs/draw-v1.md"

// TestSpecSection10 renders §10 of docs/draw-v1.md from the vector files and fails when the
// document differs; -update rewrites it.
func TestSpecSection10(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(vectorDir, "*.json"))
	require.NoError(t, err)
	vs := map[string]*vector{}
	var order []string
	for _, f := range files {
		v := readVector(t, f)
		vs[v.Name] = v
		order = append(order, v.Name)
	}
	section := renderSection10(t, vs, order)
	doc, err := os.ReadFile(specPath)
	require.NoError(t, err)
	const start, end = "## 10. Test vectors\n", "\n## 11. "
	i := strings.Index(string(doc), start)
	j := strings.Index(string(doc), end)
	require.True(t, i >= 0 && j > i, "docs/draw-v1.md has §10 followed by §11")
	if *update {
		out := string(doc[:i]) + section + string(doc[j:])
		require.NoError(t, os.WriteFile(specPath, []byte(out), 0o644))
		return
	}
	assert.Equal(t, section, string(doc[i:j]), "§10 of docs/draw-v1.md differs from the vectors: run go test ./selection -run 'TestVectorFiles|TestSpecSection10' -update")
}

func joinInts(xs []int, sep string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, sep)
}

func sourcesText(ss [][]uint64) string {
	var parts []string
	for _, s := range ss {
		parts = append(parts, "{"+strings.ReplaceAll(strings.Trim(fmt.Sprint(s), "[]"), " ", ", ")+"}")
	}
	return strings.Join(parts, ", ")
}

func encodingText(pub *selection.PublicRecord) string {
	var b strings.Builder
	b.WriteString("expertdb-request-v1\n")
	for _, f := range pub.Request {
		fmt.Fprintf(&b, "%s %d:%s\n", f[0], len(f[1]), f[1])
	}
	return b.String()
}

func exclusionsText(xs []selection.Exclusion) string {
	var parts []string
	for _, x := range xs {
		parts = append(parts, fmt.Sprintf("`%s` %s `%s`", x.ExpertID, x.Article, x.Code))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

func picksText(ps []selection.Pick) string {
	var parts []string
	for _, p := range ps {
		s := fmt.Sprintf("`%s` (round %d)", p.ExpertID, p.Round)
		switch {
		case p.Preferential:
			s = fmt.Sprintf("`%s` (preferential)", p.ExpertID)
		case p.Invited:
			s = fmt.Sprintf("`%s` (invited)", p.ExpertID)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// walkText narrates the walk of a drawn vector from its public record: each round up to the
// last panel member, who joins and why the others are closed.
func walkText(pub *selection.PublicRecord, quotas []selection.Quota, groups []selection.GroupCap) []string {
	last := -1
	for _, p := range pub.Panel {
		last = max(last, p.Round)
	}
	mode := selection.V1
	if pub.Mode == "rfc3797" {
		mode = selection.RFC3797
	}
	seq := selection.Sequence(len(pub.Candidates), last+1, pub.Key, mode)
	joined := map[int]bool{}
	for _, p := range pub.Panel {
		if p.Round >= 0 {
			joined[p.Round] = true
		}
	}
	var panel []selection.PublicMember
	panel = append(panel, pub.Fixed...)
	var out []string
	for i, pos := range seq {
		c := pub.Candidates[pos]
		if joined[i] {
			why := ""
			if len(c.Quotas) > 0 {
				var qs []string
				for _, q := range c.Quotas {
					qs = append(qs, quotas[q].Name)
				}
				why = " (counts for " + strings.Join(qs, ", ") + ")"
			}
			out = append(out, fmt.Sprintf("round %d `%s` joins%s", i, c.ID, why))
			panel = append(panel, c)
			continue
		}
		why := "the panel with it has no completion"
	reason:
		for g, gc := range groups {
			if c.Groups[g] < 0 {
				continue
			}
			var same []string
			for _, m := range panel {
				if m.Groups[g] == c.Groups[g] {
					same = append(same, m.ID)
				}
			}
			if len(same) >= gc.Max {
				why = fmt.Sprintf("group cap `%s` reached: same value as %s", gc.Name, strings.Join(same, ", "))
				break reason
			}
		}
		if why == "the panel with it has no completion" {
			for _, q := range c.Quotas {
				n := 0
				for _, m := range panel {
					if slices.Contains(m.Quotas, q) {
						n++
					}
				}
				if quotas[q].Max > 0 && n >= quotas[q].Max {
					why = fmt.Sprintf("quota `%s` at its maximum %d", quotas[q].Name, quotas[q].Max)
					break
				}
			}
		}
		out = append(out, fmt.Sprintf("round %d `%s` is closed (%s)", i, c.ID, why))
	}
	return out
}

func renderSection10(t *testing.T, vs map[string]*vector, order []string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	get := func(name string) *vector {
		v, ok := vs[name]
		require.True(t, ok, "vector %s missing", name)
		return v
	}
	w("## 10. Test vectors\n\n")
	w("This section is generated from the vector files in `selection/testdata/vectors/` by\n")
	w("`go test ./selection -run 'TestVectorFiles|TestSpecSection10' -update`, and the same test\n")
	w("fails when this text differs from what the code computes. Each file holds the inputs —\n")
	w("`rules` (changes to the default rules), `request` and `pool` (Go's JSON encoding of\n")
	w("`selection.Request` and `selection.Pool`), `entropy` (the sources) — the expected outcome\n")
	w("(`expect`: digests, key, exclusions with reasons, panel, reserve, or the refusal) and, for a\n")
	w("draw, its public record (`public`, §11), which `verify/index.html` checks too.\n\n")

	v := get("rfc3797-example")
	w("### RFC 3797 §6 (mode `rfc3797`) — `rfc3797-example.json`\n\n")
	one := make([]int, len(v.Expect.Sequence))
	for i, p := range v.Expect.Sequence {
		one[i] = p + 1
	}
	w("Sources %s; key string\n`%s`; %d candidates. Published MD5 of round 0:\n`%s`; round 1: `%s`.\n",
		sourcesText(v.Sequence.Sources), v.Expect.KeyString, v.Sequence.N, strings.ToUpper(v.Expect.Digests[0]), strings.ToUpper(v.Expect.Digests[1]))
	w("`Sequence(%d, %d, key, RFC3797)` = `%s`\n(the RFC's %s numbered from 1).\n\n", v.Sequence.N, v.Sequence.K, joinInts(v.Expect.Sequence, ", "), joinInts(one, ", "))

	v = get("sequence-v1")
	pd := get("pool-digest")
	w("### Sequence (mode `v1`) — `sequence-v1.json`, `pool-digest.json`\n\n")
	w("- key `%s`: `Sequence(%d, %d, key, V1)` = `%s`;\n  round %d digest `%s`.\n", v.Sequence.Key, v.Sequence.N, v.Sequence.K, joinInts(v.Expect.Sequence, ", "), v.Sequence.Rounds[0], v.Expect.Digests[0])
	w("- pool digest of `%s`:\n  `%s`.\n\n", strings.Join(pd.PoolIDs, ", "), pd.Expect.PoolDigest)

	v = get("example")
	x, pub := v.Expect, v.Public
	w("### A structured draw (`ExampleDraw`, `ExampleCampaign`) — `example.json`\n\n")
	for _, n := range v.Notes {
		w("%s\n\n", n)
	}
	w("```\n%s```\n\n", encodingText(pub))
	w("- request digest `%s`\n", x.RequestDigest)
	w("- exclusions: %s\n", exclusionsText(x.Excluded))
	w("- candidates `%s`; pool digest\n  `%s`\n", strings.Join(x.Candidates, " "), x.PoolDigest)
	w("- entropy `%s` → key string `%s`; key\n  `expertdb-draw-v1/%s…%s/%s…%s/%s` (digests in full above)\n",
		sourcesText(v.Entropy), x.KeyString, x.RequestDigest[:8], x.RequestDigest[60:], x.PoolDigest[:8], x.PoolDigest[60:], x.KeyString)
	d0 := selection.RoundDigest(0, x.Key, selection.V1)
	mod := new(big.Int).Mod(new(big.Int).SetBytes(d0), big.NewInt(int64(len(x.Candidates))))
	w("- round 0 digest `%s`, mod %d = %s\n", hex.EncodeToString(d0), len(x.Candidates), mod)
	k := 6
	seq := selection.Sequence(len(x.Candidates), k, x.Key, selection.V1)
	var seqIDs []string
	for _, p := range seq {
		seqIDs = append(seqIDs, x.Candidates[p])
	}
	w("- `Sequence(%d, %d, key, V1)` = `%s` → `%s`\n", len(x.Candidates), k, joinInts(seq, ", "), strings.Join(seqIDs, ", "))
	w("- walk: %s.\n", strings.Join(walkText(pub, v.Request.Quotas, v.Request.Groups), "; "))
	w("- panel %s; reserve %s.\n", picksText(x.Panel), picksText(x.Reserve))
	var refill selection.Pick
	for _, p := range x.Refill {
		if !slices.ContainsFunc(x.Panel, func(q selection.Pick) bool { return q.ExpertID == p.ExpertID }) {
			refill = p
		}
	}
	w("- campaign: `%s` declines; the refill scans the sequence from round 0 and takes `%s` in\n  round %d, the first candidate never on the panel with whom the panel still has a\n  completion.\n\n", v.Decline, refill.ExpertID, refill.Round)

	v = get("controls")
	early := get("controls-too-early")
	x, pub = v.Expect, v.Public
	w("### Draw controls (`TestControlsVector`) — `controls.json`, `controls-too-early.json`\n\n")
	w("%s Canonical encoding (the original lines, then the optional ones):\n\n", v.Notes[0])
	w("```\n%s```\n\n", encodingText(pub))
	w("- request digest `%s`\n", x.RequestDigest)
	w("- %s Exclusions: %s. Candidates: `%s`.\n", v.Notes[1], exclusionsText(x.Excluded), strings.Join(x.Candidates, " "))
	w("- %s The draw is refused: `%s` (%s, %s).\n\n", early.Notes[0], early.Expect.Error.Code, early.Expect.Error.Kind, early.Expect.Error.Article)

	w("### Screening rows and structure forms\n\n")
	w("Each file below draws with the entropy {9319}, {2, 5, 8, 10, 12} from a pool built by the\n")
	w("package's tests (experts `E000 …`, every third economic; structure vectors: twelve experts in\n")
	w("four units and three regions). Outcome: the exclusions and the panel, or the refusal.\n\n")
	w("| file | covers | outcome |\n|---|---|---|\n")
	for _, name := range order {
		if !strings.HasPrefix(name, "screening-") && !strings.HasPrefix(name, "structure-") {
			continue
		}
		v := vs[name]
		var out string
		if e := v.Expect.Error; e != nil {
			out = fmt.Sprintf("refused: %s `%s` (%s)", e.Kind, e.Code, e.Article)
			if len(e.Constraints) > 0 {
				out += ", constraints `" + strings.Join(e.Constraints, "`, `") + "`"
			}
			if e.ExpertID != "" {
				out += ", expert `" + e.ExpertID + "`"
			}
		} else {
			out = fmt.Sprintf("excluded: %s; panel %s", exclusionsText(v.Expect.Excluded), picksText(v.Expect.Panel))
		}
		w("| `%s.json` | %s | %s |\n", name, strings.ReplaceAll(v.Covers, "|", "\\|"), out)
	}
	return b.String()
}
