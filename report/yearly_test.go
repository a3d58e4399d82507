package report_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/report"
	"github.com/wzsti/expertdb/selection"
)

func d(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 10, 0, 0, 0, cst) }

// yearFixture: three experts in two units, one request of Ruian and one of the city, ratings
// around the 30% line, a no-show, an accepted seat whose attendance is not recorded, an
// admission and an exit.
func yearFixture() report.YearInput {
	experts := []admission.Expert{
		{ID: "E1", Name: "张三", Affiliation: admission.Affiliation{Org: "温州大学"}, Region: "330302",
			Entries: []admission.Entry{{Channel: admission.ChannelApplication, Date: d(2025, 3, 1)}}},
		{ID: "E2", Name: "欧阳娜娜", Affiliation: admission.Affiliation{Org: "温州大学"}, Region: "330302"},
		{ID: "E3", Name: "李四", Affiliation: admission.Affiliation{Org: "瑞安人民医院"}, Region: "330381",
			Exits: []admission.Exit{{Reason: admission.ExitMisconduct, Date: d(2025, 11, 2)}}},
	}
	var ratings []evaluation.Rating
	rate := func(id string, n int, g evaluation.Grade) {
		for i := range n {
			ratings = append(ratings, evaluation.Rating{ExpertID: id, ActivityID: fmt.Sprintf("A-%s-%d-%d", id, g, i), Grade: g, At: d(2025, 6, 1)})
		}
	}
	rate("E1", 4, evaluation.Excellent) // 4/10: eligible (> 30%)
	rate("E1", 6, evaluation.Good)
	rate("E2", 3, evaluation.Excellent) // 3/10: not eligible (exactly 30%)
	rate("E2", 7, evaluation.Good)
	rate("E3", 1, evaluation.Poor)
	ratings = append(ratings, evaluation.Rating{ExpertID: "E1", ActivityID: "old", Grade: evaluation.Excellent, At: d(2024, 6, 1)})
	outcomes := append(
		report.Outcomes("R-1", "成果处", "330300", d(2025, 5, 10), []selection.Seat{
			{Pick: selection.Pick{ExpertID: "E1"}, Status: selection.SeatAccepted},
			{Pick: selection.Pick{ExpertID: "E2"}, Status: selection.SeatDeclined},
			{Pick: selection.Pick{ExpertID: "E3"}, Status: selection.SeatAccepted},
		}),
		report.Outcomes("R-2", "瑞安市科技局", "330381", d(2025, 9, 1), []selection.Seat{
			{Pick: selection.Pick{ExpertID: "E1"}, Status: selection.SeatAccepted},
			{Pick: selection.Pick{ExpertID: "E2"}, Status: selection.SeatNoAnswer},
			{Pick: selection.Pick{ExpertID: "E3"}, Status: selection.SeatAccepted}, // attendance not recorded
		})...)
	parts := []evaluation.Participation{
		{ActivityID: "R-1", ExpertID: "E1", Date: d(2025, 5, 10), Attendance: evaluation.Attended},
		{ActivityID: "R-1", ExpertID: "E3", Date: d(2025, 5, 10), Attendance: evaluation.NoShow},
		{ActivityID: "R-2", ExpertID: "E1", Date: d(2025, 9, 1), Attendance: evaluation.Attended},
	}
	return report.YearInput{Year: 2025, Experts: experts, Ratings: ratings, Participations: parts, Outcomes: outcomes}
}

// Year computes a year's statistics from the records: usage, declines and no-shows, ratings,
// next year's preferential picks (strictly more than 30% excellent) and the year's admissions
// and exits.
func ExampleYear() {
	y := report.Year(yearFixture())
	for _, x := range y.Experts {
		c := x.Counts
		fmt.Printf("%s %s %s accepted=%d declined=%d attended=%d no-shows=%d unrecorded=%d excellent=%d/%d preferential=%t\n",
			x.ExpertID, x.Name, x.Unit, c.Accepted, c.Declined, c.Attended, c.NoShows, c.Unrecorded, c.Excellent, c.Rated(), x.Preferential)
	}
	for _, g := range y.Counties {
		fmt.Printf("county %s requests=%d participation rate %s decline rate %s no-show rate %s unrecorded=%d\n", g.Key, g.Counts.Requests,
			g.Counts.ParticipationRate(), g.Counts.DeclineRate(), g.Counts.NoShowRate(), g.Counts.Unrecorded)
	}
	for _, g := range y.UsingUnits {
		fmt.Printf("using unit %s requests=%d accepted=%d\n", g.Key, g.Counts.Requests, g.Counts.Accepted)
	}
	fmt.Println("no-show rate", y.Totals.NoShowRate())
	for _, m := range append(y.Admissions, y.Exits...) {
		fmt.Println(m.Date.Format(time.DateOnly), m.ExpertID, m.Article, m.Kind)
	}
	// Output:
	// E1 张* 温州大学 accepted=2 declined=0 attended=2 no-shows=0 unrecorded=0 excellent=4/10 preferential=true
	// E2 欧阳** 温州大学 accepted=0 declined=1 attended=0 no-shows=0 unrecorded=0 excellent=3/10 preferential=false
	// E3 李* 瑞安人民医院 accepted=2 declined=0 attended=0 no-shows=1 unrecorded=1 excellent=0/1 preferential=false
	// county 330300 requests=1 participation rate 2/3 decline rate 1/3 no-show rate 1/2 unrecorded=0
	// county 330381 requests=1 participation rate 2/3 decline rate 0/3 no-show rate 0/1 unrecorded=1
	// using unit 成果处 requests=1 accepted=2
	// using unit 瑞安市科技局 requests=1 accepted=2
	// no-show rate 1/3
	// 2025-03-01 E1 Art. 6(1) application
	// 2025-11-02 E3 Art. 10(3) misconduct
}

// Art. 25: "超过30%" is strict and computed with integers; a rating of another year never
// counts; an expert without ratings is not eligible.
func TestArt25YearlyPreferentialListIsStrict(t *testing.T) {
	y := report.Year(yearFixture())
	var ids []string
	for _, x := range y.Preferential {
		ids = append(ids, x.ExpertID)
	}
	assert.Equal(t, []string{"E1"}, ids)
	// A stricter county threshold is honoured.
	in := yearFixture()
	in.Rules = evaluation.DefaultRules()
	in.Rules.Threshold = evaluation.Ratio{Num: 1, Den: 2}
	assert.Empty(t, report.Year(in).Preferential)
}

// Art. 17, 23: the year is the China Standard Time calendar year; 2025-12-31T17:00Z is 2026.
func TestArt17YearBoundaryIsChinaStandardTime(t *testing.T) {
	in := report.YearInput{Year: 2026, Outcomes: []report.Outcome{
		{RequestID: "R", ExpertID: "E1", Region: "330300", At: time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC), Status: selection.SeatAccepted},
		{RequestID: "R0", ExpertID: "E1", Region: "330300", At: time.Date(2025, 12, 31, 15, 59, 0, 0, time.UTC), Status: selection.SeatAccepted},
	}}
	y := report.Year(in)
	require.Len(t, y.Experts, 1)
	assert.Equal(t, 1, y.Experts[0].Counts.Accepted)
}

// Invariant: the statistics do not depend on the order of the input, and the totals are the
// sums over the experts.
func TestPropertyYearIsOrderFreeAndAdditive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ids := []string{"E1", "E2", "E3", "E4"}
		statuses := []selection.SeatStatus{selection.SeatAccepted, selection.SeatDeclined, selection.SeatNoAnswer, selection.SeatWithdrawn, selection.SeatPending}
		in := report.YearInput{Year: 2025}
		for _, id := range ids {
			in.Experts = append(in.Experts, admission.Expert{ID: id, Name: "专家" + id,
				Affiliation: admission.Affiliation{Org: rapid.SampledFrom([]string{"甲", "乙"}).Draw(t, "unit")}})
		}
		n := rapid.IntRange(0, 30).Draw(t, "n")
		for i := range n {
			at := d(rapid.IntRange(2024, 2026).Draw(t, "year"), time.Month(rapid.IntRange(1, 12).Draw(t, "month")), 5)
			id := rapid.SampledFrom(ids).Draw(t, "id")
			in.Outcomes = append(in.Outcomes, report.Outcome{RequestID: fmt.Sprintf("R%d", i%4), Region: rapid.SampledFrom([]string{"330300", "330381"}).Draw(t, "region"),
				ExpertID: id, At: at, Status: rapid.SampledFrom(statuses).Draw(t, "status")})
			in.Ratings = append(in.Ratings, evaluation.Rating{ExpertID: id, ActivityID: fmt.Sprint(i), At: at,
				Grade: evaluation.Grade(rapid.IntRange(1, 3).Draw(t, "grade"))})
			in.Participations = append(in.Participations, evaluation.Participation{ExpertID: id, ActivityID: fmt.Sprint(i), Date: at,
				Attendance: evaluation.Attendance(rapid.IntRange(0, 2).Draw(t, "attendance"))})
		}
		a := report.Year(in)
		shuffled := in
		shuffled.Outcomes = slices.Clone(in.Outcomes)
		shuffled.Ratings = slices.Clone(in.Ratings)
		shuffled.Participations = slices.Clone(in.Participations)
		slices.Reverse(shuffled.Outcomes)
		slices.Reverse(shuffled.Ratings)
		slices.Reverse(shuffled.Participations)
		require.Equal(t, a, report.Year(shuffled))
		var sum report.Counts
		for _, x := range a.Experts {
			sum.Notified += x.Counts.Notified
			sum.Accepted += x.Counts.Accepted
			sum.NoShows += x.Counts.NoShows
			sum.Unrecorded += x.Counts.Unrecorded
			sum.Excellent += x.Counts.Excellent
		}
		require.Equal(t, sum.Notified, a.Totals.Notified)
		require.Equal(t, sum.Accepted, a.Totals.Accepted)
		require.Equal(t, sum.NoShows, a.Totals.NoShows)
		require.Equal(t, sum.Unrecorded, a.Totals.Unrecorded)
		for _, x := range a.Experts {
			// Art. 8(2): every accepted seat is attended, absent or not recorded, never more.
			require.LessOrEqual(t, x.Counts.Unrecorded, x.Counts.Accepted)
		}
		require.Equal(t, sum.Excellent, a.Totals.Excellent)
		var county int
		for _, g := range a.Counties {
			county += g.Counts.Notified
		}
		require.Equal(t, a.Totals.Notified, county)
	})
}

// Art. 20: the CSV carries masked names only and cannot inject a spreadsheet formula through
// a unit name.
func TestArt20YearlyCSV(t *testing.T) {
	in := yearFixture()
	in.Experts[0].Affiliation.Org = `=HYPERLINK("http://evil","x")`
	y := report.Year(in)
	var buf bytes.Buffer
	require.NoError(t, y.WriteCSV(&buf))
	out := buf.String()
	require.True(t, strings.HasPrefix(out, "\ufeff"))
	assert.NotContains(t, out, "张三")
	assert.NotContains(t, out, "欧阳娜娜")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	require.NoError(t, err)
	header := rows[0]
	col := func(name string) int { return slices.Index(header, name) }
	var sections []string
	for _, r := range rows[1:] {
		require.Len(t, r, len(header))
		sections = append(sections, r[0])
		for _, c := range r {
			assert.False(t, strings.HasPrefix(c, "="), "formula cell %q", c)
		}
		if r[0] == "expert" && r[1] == "E1" {
			assert.Equal(t, "2", r[col("accepted")])
			assert.Equal(t, "4/10", r[col("excellent_rate")])
			assert.Equal(t, "true", r[col("preferential_next_year")])
			assert.Equal(t, "2", r[col("attended")])
			assert.Equal(t, "0", r[col("unrecorded")])
		}
		if r[0] == "expert" && r[1] == "E3" {
			assert.Equal(t, "1", r[col("no_shows")])
			assert.Equal(t, "1", r[col("unrecorded")], "an accepted seat without a record is not recorded")
			assert.Equal(t, "0", r[col("attended")], "and is never counted as attended")
			assert.Equal(t, "1/1", r[col("no_show_rate")])
		}
		if r[0] == "county" && r[1] == "330381" {
			assert.Equal(t, "2/3", r[col("participation_rate")])
			assert.Equal(t, "0/3", r[col("decline_rate")])
			assert.Equal(t, "1", r[col("unrecorded")])
		}
	}
	assert.Equal(t, []string{"expert", "expert", "expert", "unit", "unit", "unit", "county", "county", "using-unit", "using-unit", "total", "admission", "exit"}, sections)
}

// renderYearly renders the fixture's report.
func renderYearly(t *testing.T, in report.YearInput) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.RenderYearly(&buf, report.YearlyPage{Stats: report.Year(in), Title: "温州市科技专家库",
		Policy: "测试规则", Draft: true, Generated: d(2026, 1, 5)}))
	return buf.String()
}

// Art. 17, 20: the printable report is self-contained (no script, no external asset), shows
// the charts as inline SVG, masks names and escapes every text.
func TestArt17YearlyHTMLIsSelfContainedAndEscaped(t *testing.T) {
	in := yearFixture()
	in.Experts[1].Affiliation.Org = `<script>alert(1)</script>`
	html := renderYearly(t, in)
	for _, bad := range []string{"<script", "http://", "https://", "张三", "欧阳娜娜", "javascript:"} {
		assert.False(t, strings.Contains(html, bad), "the page contains %q", bad)
	}
	assert.True(t, strings.Contains(html, "&lt;script&gt;"), "the unit name is escaped")
	assert.Equal(t, 5, strings.Count(html, "<svg "), "five charts")
	assert.Contains(t, html, "无故缺席率")
	assert.Contains(t, html, "出席情况未登记")
	assert.Contains(t, html, "草案")
	assert.Contains(t, html, "2026年可择优选取的专家")
	assert.Contains(t, html, "上限 10 次")
}

// Art. 17: the report renders in a browser — headless Chromium takes a screenshot, which is
// kept as a test artefact (t.ArtifactDir, and $EXPERTDB_ARTIFACTS in CI) and checked for the
// chart colours.
func TestYearlyHTMLRendersInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if _, e := os.Stat("/usr/bin/chromium"); e == nil {
			bin = "/usr/bin/chromium"
		} else {
			t.Skip("chromium not installed: the HTML is checked without a browser only (install it: apt-get install chromium)")
		}
	}
	dir := t.ArtifactDir()
	page := filepath.Join(dir, "yearly.html")
	require.NoError(t, os.WriteFile(page, []byte(renderYearly(t, yearFixture())), 0o644))
	shot := filepath.Join(dir, "yearly.png")
	profile := t.TempDir()
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir="+profile, "--window-size=900,1700", "--screenshot="+shot, "file://"+page)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	b := img.Bounds()
	assert.Equal(t, 900, b.Dx())
	// The bars are drawn: count pixels of the bar blue (#4a6fa5) and the excellent green (#2e7d32).
	var blue, green, purple int
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			switch {
			case near(r, 0x4a) && near(g, 0x6f) && near(bl, 0xa5):
				blue++
			case near(r, 0x2e) && near(g, 0x7d) && near(bl, 0x32):
				green++
			case near(r, 0x7a) && near(g, 0x3e) && near(bl, 0x9d):
				purple++
			}
		}
	}
	assert.Greater(t, blue, 200, "blue bars rendered")
	assert.Greater(t, green, 100, "excellent bar rendered")
	assert.Greater(t, purple, 50, "no-show rate bar rendered")
	t.Logf("screenshot: %s", shot)
	if ci := os.Getenv("EXPERTDB_ARTIFACTS"); ci != "" {
		require.NoError(t, os.MkdirAll(ci, 0o755))
		data, err := os.ReadFile(shot)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(ci, "yearly-report.png"), data, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(ci, "yearly-report.html"), []byte(renderYearly(t, yearFixture())), 0o644))
	}
}

func near(v uint32, want uint32) bool {
	v >>= 8
	return v+6 >= want && v <= want+6
}

// RenderYearly writes the printable yearly report: one HTML page, charts as inline SVG, no
// script and no external asset.
func ExampleRenderYearly() {
	var buf bytes.Buffer
	if err := report.RenderYearly(&buf, report.YearlyPage{Stats: report.Year(yearFixture()), Title: "温州市科技专家库"}); err != nil {
		fmt.Println(err)
		return
	}
	page := buf.String()
	fmt.Println(strings.Count(page, "<svg "), "charts")
	fmt.Println("script:", strings.Contains(page, "<script"), "external:", strings.Contains(page, "http"))
	fmt.Println(strings.Contains(page, "2026年可择优选取的专家"))
	// Output:
	// 5 charts
	// script: false external: false
	// true
}

// Art. 8(2): an accepted seat whose attendance the using unit has not recorded is reported
// as not recorded: never as attended, and outside the no-show rate's denominator. A record
// of the seat (of any attendance) takes it out of the unrecorded count.
func TestArt8UnrecordedSeatIsNotAttended(t *testing.T) {
	in := report.YearInput{Year: 2025, Outcomes: report.Outcomes("R-9", "成果处", "330300", d(2025, 4, 1), []selection.Seat{
		{Pick: selection.Pick{ExpertID: "E1"}, Status: selection.SeatAccepted},
		{Pick: selection.Pick{ExpertID: "E2"}, Status: selection.SeatAccepted},
		{Pick: selection.Pick{ExpertID: "E3"}, Status: selection.SeatDeclined},
	})}
	y := report.Year(in)
	assert.Equal(t, 2, y.Totals.Unrecorded)
	assert.Equal(t, 0, y.Totals.Attended)
	assert.Equal(t, evaluation.Ratio{Num: 0, Den: 0}, y.Totals.NoShowRate())
	in.Participations = []evaluation.Participation{{ActivityID: "R-9", ExpertID: "E2", Date: d(2025, 4, 1), Attendance: evaluation.Excused}}
	y = report.Year(in)
	assert.Equal(t, 1, y.Totals.Unrecorded)
	assert.Equal(t, 1, y.Totals.Excused)
	assert.Equal(t, 1, y.Counties[0].Counts.Unrecorded)
	assert.Equal(t, 1, y.UsingUnits[0].Counts.Unrecorded)
	assert.Equal(t, evaluation.Ratio{Num: 0, Den: 1}, y.Totals.NoShowRate())
	assert.Equal(t, evaluation.Ratio{Num: 2, Den: 3}, y.Totals.ParticipationRate())
}

// Invariant (Art. 8(2), 14): when participation records are kept for accepted seats only,
// one per seat, every accepted seat is exactly one of attended, no-show, excused or
// unrecorded — for each expert, county, using unit and the year.
func TestPropertyEveryAcceptedSeatIsAccountedForOnce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := report.YearInput{Year: 2025}
		statuses := []selection.SeatStatus{selection.SeatAccepted, selection.SeatDeclined, selection.SeatNoAnswer, selection.SeatWithdrawn}
		for r := range rapid.IntRange(1, 5).Draw(t, "requests") {
			req := fmt.Sprintf("R%d", r)
			at := d(rapid.IntRange(2024, 2026).Draw(t, "year"), time.Month(rapid.IntRange(1, 12).Draw(t, "month")), 5)
			var seats []selection.Seat
			for e := range rapid.IntRange(0, 6).Draw(t, "seats") {
				st := rapid.SampledFrom(statuses).Draw(t, "status")
				id := fmt.Sprintf("E%d", e)
				seats = append(seats, selection.Seat{Pick: selection.Pick{ExpertID: id}, Status: st})
				if st == selection.SeatAccepted && rapid.Bool().Draw(t, "recorded") {
					in.Participations = append(in.Participations, evaluation.Participation{ActivityID: req, ExpertID: id, Date: at,
						Attendance: evaluation.Attendance(rapid.IntRange(0, 2).Draw(t, "attendance"))})
				}
			}
			in.Outcomes = append(in.Outcomes, report.Outcomes(req, rapid.SampledFrom([]string{"甲处", "乙处"}).Draw(t, "unit"),
				rapid.SampledFrom([]string{"330300", "330381"}).Draw(t, "region"), at, seats)...)
		}
		y := report.Year(in)
		check := func(what string, c report.Counts) {
			require.Equal(t, c.Accepted, c.Attended+c.NoShows+c.Excused+c.Unrecorded, what)
		}
		for _, x := range y.Experts {
			check("expert "+x.ExpertID, x.Counts)
		}
		for _, g := range y.Counties {
			check("county "+g.Key, g.Counts)
		}
		for _, g := range y.UsingUnits {
			check("using unit "+g.Key, g.Counts)
		}
		check("total", y.Totals)
	})
}
