package expertdb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/report"
	"github.com/wzsti/expertdb/selection"
)

// expertActor is the registered account of applicant i (role expert).
func expertActor(i int) audit.Actor {
	app := applicant(i)
	return audit.Actor{ID: app.Expert.ID, Name: app.Expert.Name, Role: audit.RoleExpert, Unit: app.Expert.Affiliation.Org}
}

// newAttendanceFixture is newFixture with the 30 applicants registered as expert users.
func newAttendanceFixture(t *testing.T) *fixture {
	t.Helper()
	signer, verifier := testSigner(t)
	f := &fixture{clock: &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, cst)}, notifier: &expertdb.RecordingNotifier{},
		audit: audit.NewMemoryStore(), verifier: verifier, ledger: selection.NewMemoryLedger(),
		experts: expertdb.NewMemoryExpertStore(), rated: evaluation.NewMemoryStore()}
	us := users()
	for i := range 30 {
		a := expertActor(i)
		us = append(us, audit.User{ID: a.ID, Name: a.Name, Role: a.Role, Unit: a.Unit})
	}
	svc, err := expertdb.NewService(context.Background(), expertdb.Options{
		Users: us, Audit: f.audit, Ratings: f.rated, Signer: signer, Notifier: f.notifier, Clock: f.clock.Now,
		Ledger: f.ledger, Experts: f.experts, Random: bytes.NewReader(bytes.Repeat([]byte{42}, 1<<16)),
	})
	require.NoError(t, err)
	f.svc = svc
	return f
}

// attendanceStory admits 30 experts, draws storyRequest and has the first three seats
// accept and the fourth decline. It returns the draw and the seats' expert IDs.
func attendanceStory(t *testing.T, f *fixture) (*expertdb.DrawRecord, []string) {
	t.Helper()
	ctx := context.Background()
	f.admitN(t, 30)
	rec := drawReal(t, f.svc, f.clock, clerk, storyRequest())
	view, err := f.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	var ids []string
	for i, s := range view.Seats[:4] {
		ids = append(ids, s.ExpertID)
		_, err := f.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: s.ExpertID, Code: f.codeFor(t, s.ExpertID),
			Accept: i < 3, Pledge: "PL", Reason: map[bool]string{true: "", false: "出差"}[i < 3]})
		require.NoError(t, err)
	}
	return rec, ids
}

// refusalCode is the code of an attendance refusal.
func refusalCode(t *testing.T, err error) string {
	t.Helper()
	require.ErrorIs(t, err, expertdb.ErrAttendance)
	var re *admission.RefusalError
	require.True(t, errors.As(err, &re), "%v", err)
	return re.Findings[0].Code
}

func expertIndex(id string) int {
	var i int
	_, _ = fmt.Sscanf(id, "E%04d", &i)
	return i
}

// Attack (Art. 8(2), 25): attendance nobody can check. A clerk of another unit records a
// no-show, the expert records their own attendance, the city bureau (not the using unit)
// records it, somebody records attendance for an expert who never had a seat (or declined),
// or before the activity date: each is refused, and every refusal is in the audit log.
func TestArt8AttendanceAttacks(t *testing.T) {
	ctx := context.Background()
	f := newAttendanceFixture(t)
	rec, ids := attendanceStory(t, f)
	id := rec.Request.ID
	noShow := expertdb.AttendanceEntry{ExpertID: ids[0], Attendance: evaluation.NoShow}

	_, err := f.svc.RecordAttendance(ctx, clerk, id, noShow)
	assert.Equal(t, expertdb.CodeAttendanceTooEarly, refusalCode(t, err), "before the activity date")
	_, err = f.svc.RecordAttendance(ctx, clerk, id, expertdb.AttendanceEntry{ExpertID: "E0029", Attendance: evaluation.NoShow})
	assert.Equal(t, expertdb.CodeAttendanceTooEarly, refusalCode(t, err), "the same answer for a non-member: the panel may be sealed")

	f.clock.t = rec.Request.At.Add(24 * time.Hour)
	_, err = f.svc.RecordAttendance(ctx, otherClerk, id, noShow)
	require.ErrorIs(t, err, audit.ErrDenied, "a clerk of another unit")
	_, err = f.svc.RecordAttendance(ctx, expertActor(expertIndex(ids[0])), id, expertdb.AttendanceEntry{ExpertID: ids[0], Attendance: evaluation.Attended})
	require.ErrorIs(t, err, audit.ErrDenied, "the expert themselves")
	_, err = f.svc.RecordAttendance(ctx, admin, id, noShow)
	require.ErrorIs(t, err, audit.ErrDenied, "the city bureau is not the using unit")

	var never string
	for i := range 30 {
		if e := applicant(i).Expert.ID; !contains(ids, e) && !contains(pickIDsOf(rec.Result.Panel), e) && !contains(pickIDsOf(rec.Result.Reserve), e) {
			never = e
			break
		}
	}
	require.NotEmpty(t, never)
	_, err = f.svc.RecordAttendance(ctx, clerk, id, expertdb.AttendanceEntry{ExpertID: never, Attendance: evaluation.NoShow})
	assert.Equal(t, expertdb.CodeAttendanceNoSeat, refusalCode(t, err), "an expert who never had a seat")
	_, err = f.svc.RecordAttendance(ctx, clerk, id, expertdb.AttendanceEntry{ExpertID: ids[3], Attendance: evaluation.NoShow})
	assert.Equal(t, expertdb.CodeAttendanceNoSeat, refusalCode(t, err), "an expert who declined")
	_, err = f.svc.RecordAttendance(ctx, clerk, "A-never-happened", noShow)
	require.ErrorIs(t, err, expertdb.ErrNotFound, "an activity that never happened")

	// Nothing was recorded: the statistics see three accepted seats, none recorded.
	in, err := f.svc.StatisticsInput(ctx, admin, 2026)
	require.NoError(t, err)
	assert.Empty(t, in.Participations)
	e, err := f.experts.Get(ctx, ids[0])
	require.NoError(t, err)
	assert.Empty(t, e.Records, "no integrity record from a refused attempt")

	refused := 0
	for _, ev := range loggedOf(t, f, audit.ActionRating) {
		if bytes.Contains(ev.Data, []byte(`"attendance"`)) && bytes.Contains(ev.Data, []byte(`"refused"`)) {
			refused++
		}
	}
	assert.Equal(t, 4, refused, "too early (twice), never seated, declined")
	assert.Len(t, loggedOf(t, f, audit.ActionAccessDenied), 3, "another unit, the expert, the bureau")
}

// loggedOf returns the audit events of one action.
func loggedOf(t *testing.T, f *fixture, action audit.Action) []audit.Event {
	t.Helper()
	res, err := f.svc.Log().Query(context.Background(), audit.Query{Action: action})
	require.NoError(t, err)
	out := make([]audit.Event, len(res.Matches))
	for i, m := range res.Matches {
		out[i] = m.Event
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Art. 8(2), 25, 26: the using unit records each accepted seat once; a second record is a
// correction with its reason. A no-show enters the integrity file (pending review, so the
// expert is suspended from draws) and cannot be rated; a correction to an excused absence
// takes the pending record out again; an expert rated for the activity cannot be recorded
// absent; a voided request takes no record.
func TestArt8AttendanceRecordedOncePerSeat(t *testing.T) {
	ctx := context.Background()
	f := newAttendanceFixture(t)
	rec, ids := attendanceStory(t, f)
	id := rec.Request.ID
	f.clock.t = rec.Request.At.Add(24 * time.Hour)

	p, err := f.svc.RecordAttendance(ctx, clerk, id, expertdb.AttendanceEntry{ExpertID: ids[0], Attendance: evaluation.NoShow})
	require.NoError(t, err)
	assert.Equal(t, evaluation.YearOf(rec.Request.At), evaluation.YearOf(p.Date), "the activity's year")
	assert.Equal(t, clerk.Unit, p.OrganizerUnit)
	e, err := f.experts.Get(ctx, ids[0])
	require.NoError(t, err)
	require.Len(t, e.Records, 1)
	assert.Equal(t, evaluation.NoShowKind, e.Records[0].Kind)
	assert.True(t, admission.Suspended(e), "a no-show is pending the bureau's review")

	_, err = f.svc.RecordAttendance(ctx, colleague, id, expertdb.AttendanceEntry{ExpertID: ids[0], Attendance: evaluation.Attended})
	assert.Equal(t, expertdb.CodeAttendanceRecorded, refusalCode(t, err), "twice for the same seat")
	_, err = f.svc.RecordAttendance(ctx, clerk, id, expertdb.AttendanceEntry{ExpertID: ids[1], Attendance: evaluation.Attended, Correction: "更正"})
	assert.Equal(t, expertdb.CodeAttendanceCorrection, refusalCode(t, err), "a correction of nothing")

	good := evaluation.Rating{ExpertID: ids[0], Grade: evaluation.Good,
		Aspects: evaluation.Aspects{Expertise: evaluation.Good, Attitude: evaluation.Good, Quality: evaluation.Good}}
	require.ErrorIs(t, f.svc.Rate(ctx, clerk, id, good), evaluation.ErrInvalid, "a no-show cannot be rated")

	_, err = f.svc.RecordAttendance(ctx, clerk, id, expertdb.AttendanceEntry{ExpertID: ids[0], Attendance: evaluation.Excused, Correction: "补登"})
	require.ErrorIs(t, err, evaluation.ErrInvalid, "an excused absence states its reason")
	_, err = f.svc.RecordAttendance(ctx, clerk, id, expertdb.AttendanceEntry{ExpertID: ids[0], Attendance: evaluation.Excused,
		Reason: "突发疾病，有医院证明", Correction: "专家补交病假证明"})
	require.NoError(t, err)
	e, err = f.experts.Get(ctx, ids[0])
	require.NoError(t, err)
	assert.Empty(t, e.Records, "the corrected no-show leaves the file while pending")
	require.ErrorIs(t, f.svc.Rate(ctx, clerk, id, good), evaluation.ErrInvalid, "an excused absence is not rated either")

	// Rated as having served: not absent afterwards.
	good.ExpertID = ids[1]
	require.NoError(t, f.svc.Rate(ctx, clerk, id, good))
	_, err = f.svc.RecordAttendance(ctx, clerk, id, expertdb.AttendanceEntry{ExpertID: ids[1], Attendance: evaluation.NoShow})
	assert.Equal(t, expertdb.CodeAttendanceRated, refusalCode(t, err))
	_, err = f.svc.RecordAttendance(ctx, clerk, id, expertdb.AttendanceEntry{ExpertID: ids[1], Attendance: evaluation.Attended})
	require.NoError(t, err)

	// The statistics: one attended, one excused, one seat not recorded (not attended).
	in, err := f.svc.StatisticsInput(ctx, admin, 2026)
	require.NoError(t, err)
	require.Len(t, in.Participations, 2)
	for _, p := range in.Participations {
		assert.Empty(t, p.Reason, "statistics carry no free text")
	}
	yi := report.YearInput{Year: in.Year, Experts: in.Experts, Ratings: in.Ratings, Participations: in.Participations, Rules: in.Rules}
	for _, d := range in.Draws {
		yi.Outcomes = append(yi.Outcomes, report.Outcomes(d.RequestID, d.Unit, d.Region, d.At, d.Seats)...)
	}
	y := report.Year(yi)
	assert.Equal(t, 1, y.Totals.Attended)
	assert.Equal(t, 1, y.Totals.Excused)
	assert.Equal(t, 0, y.Totals.NoShows)
	assert.Equal(t, 1, y.Totals.Unrecorded)
	assert.Equal(t, 1, y.Totals.Declined)
	for _, x := range y.Experts {
		if x.ExpertID == ids[2] {
			assert.Equal(t, 1, x.Counts.Unrecorded)
			assert.Equal(t, 0, x.Counts.Attended, "a seat without a record is not attended")
		}
	}

	// The log: each record a rating event of kind attendance, never the reason.
	var recorded int
	for _, ev := range loggedOf(t, f, audit.ActionRating) {
		var d map[string]any
		require.NoError(t, json.Unmarshal(ev.Data, &d))
		if d["kind"] == "attendance" && d["outcome"] == nil {
			recorded++
			assert.NotContains(t, string(ev.Data), "医院")
		}
	}
	assert.Equal(t, 3, recorded)

	// A voided request takes no record.
	_, err = f.svc.Void(ctx, clerk, leader, id, "评审活动取消")
	require.NoError(t, err)
	_, err = f.svc.RecordAttendance(ctx, clerk, id, expertdb.AttendanceEntry{ExpertID: ids[2], Attendance: evaluation.Attended})
	assert.Equal(t, expertdb.CodeAttendanceVoided, refusalCode(t, err))
}

// Invariant (Art. 8(2), 26): whatever users try in whatever order, a record is accepted
// exactly when a user of the using unit records an accepted seat for the first time, or
// corrects it with a reason; the statistics hold the latest record of each recorded seat and
// nothing else; and an expert's integrity file holds one pending no-show record exactly when
// their seat's record in force is a no-show.
//
// The draw is set up once (it costs ~30 admissions and a campaign); the checks are one random
// walk over it, a few steps each, against the model carried from check to check.
func TestPropertyAttendanceFollowsTheModel(t *testing.T) {
	f := newAttendanceFixture(t)
	rec, ids := attendanceStory(t, f)
	f.clock.t = rec.Request.At.Add(24 * time.Hour)
	never := "E0029"
	for _, id := range append(pickIDsOf(rec.Result.Panel), pickIDsOf(rec.Result.Reserve)...) {
		require.NotEqual(t, never, id, "E0029 must never have had a seat")
	}
	model := map[string]evaluation.Attendance{} // the record in force per seat
	runs := 0
	rapid.Check(t, func(rt *rapid.T) {
		if runs++; raceEnabled && runs > 10 { // 10–20× slower under the race detector: a sample of the walk
			return
		}
		for step := range rapid.IntRange(1, 3).Draw(rt, "steps") {
			attendanceStep(rt, f, rec, ids, never, model, step)
		}
		checkAttendanceModel(rt, f, ids, model)
	})
}

// attendanceStep is one random attempt of TestPropertyAttendanceFollowsTheModel and the
// check of the invariants after it.
func attendanceStep(rt *rapid.T, f *fixture, rec *expertdb.DrawRecord, ids []string, never string, model map[string]evaluation.Attendance, step int) {
	ctx := context.Background()
	{
		who := rapid.IntRange(0, 4).Draw(rt, fmt.Sprint("actor", step))
		expert := rapid.SampledFrom(append(slices.Clone(ids), never)).Draw(rt, fmt.Sprint("expert", step))
		actor := []audit.Actor{clerk, colleague, otherClerk, admin, expertActor(expertIndex(expert))}[who]
		a := expertdb.AttendanceEntry{ExpertID: expert, Attendance: evaluation.Attendance(rapid.IntRange(0, 2).Draw(rt, fmt.Sprint("attendance", step))),
			Reason: rapid.SampledFrom([]string{"", "家中急事"}).Draw(rt, fmt.Sprint("reason", step)), Correction: rapid.SampledFrom([]string{"", "更正登记"}).Draw(rt, fmt.Sprint("correction", step))}
		_, err := f.svc.RecordAttendance(ctx, actor, rec.Request.ID, a)
		_, had := model[expert]
		accepted := expert == ids[0] || expert == ids[1] || expert == ids[2]
		want := who <= 1 && accepted && had == (a.Correction != "") && (a.Attendance != evaluation.Excused || a.Reason != "")
		if want != (err == nil) {
			rt.Fatalf("%s records %v for %s (had %v): err %v, want success %v", actor.ID, a, expert, had, err, want)
		}
		if err == nil {
			model[expert] = a.Attendance
		}
	}
}

// checkAttendanceModel checks the statistics and the integrity files against the model.
func checkAttendanceModel(rt *rapid.T, f *fixture, ids []string, model map[string]evaluation.Attendance) {
	ctx := context.Background()
	{
		in, err := f.svc.StatisticsInput(ctx, admin, 2026)
		require.NoError(rt, err)
		got := map[string]evaluation.Attendance{}
		for _, p := range in.Participations {
			got[p.ExpertID] = p.Attendance
		}
		require.Equal(rt, model, got)
		for _, id := range ids {
			e, err := f.experts.Get(ctx, id)
			require.NoError(rt, err)
			n := 0
			for _, r := range e.Records {
				if r.Kind == evaluation.NoShowKind && r.Pending() {
					n++
				}
			}
			wantN := 0
			if at, ok := model[id]; ok && at == evaluation.NoShow {
				wantN = 1
			}
			require.Equal(rt, wantN, n, "pending no-show records of %s", id)
		}
	}
}
