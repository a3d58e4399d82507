package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/wzsti/expertdb/evaluation"
)

// csvHeader is the header of WriteCSV: one table, a row per expert, unit, county, the year's
// total, each admission and each exit; cells that do not apply are empty.
var csvHeader = []string{"section", "key", "name", "unit", "region",
	"notified", "accepted", "declined", "no_answer", "withdrawn", "attended", "no_shows", "excused", "unrecorded",
	"excellent", "good", "poor", "participation_rate", "decline_rate", "no_show_rate", "excellent_rate", "preferential_next_year",
	"date", "kind", "article"}

// WriteCSV writes the statistics as one CSV table (RFC 4180, UTF-8 with a byte-order mark so
// that spreadsheet programs read the Chinese text): a header, then rows whose section is
// "expert", "unit", "county", "using-unit", "total", "admission" or "exit". Attendance is
// counted as attended, no_shows, excused and unrecorded (accepted seats without a record);
// the participation rate is accepted over notified, the decline rate declined over
// notified, the no-show rate no-shows over recorded attendance. Rates are exact fractions
// ("3/10"; empty when the denominator is 0). Names are masked. Text that a spreadsheet would
// read as a formula (starting with =, +, -, @, a tab or a carriage return) is prefixed with an
// apostrophe, so that a unit name cannot inject a formula.
func (y *Yearly) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	cw := csv.NewWriter(w)
	rows := [][]string{csvHeader}
	counts := func(section, key, name, unit, region string, c Counts, pref string) []string {
		return []string{section, cell(key), cell(name), cell(unit), cell(region),
			itoa(c.Notified), itoa(c.Accepted), itoa(c.Declined), itoa(c.NoAnswer), itoa(c.Withdrawn),
			itoa(c.Attended), itoa(c.NoShows), itoa(c.Excused), itoa(c.Unrecorded), itoa(c.Excellent), itoa(c.Good), itoa(c.Poor),
			ratio(c.ParticipationRate()), ratio(c.DeclineRate()), ratio(c.NoShowRate()), ratio(c.ExcellentRate()), pref, "", "", ""}
	}
	for _, x := range y.Experts {
		rows = append(rows, counts("expert", x.ExpertID, x.Name, x.Unit, x.Region, x.Counts, strconv.FormatBool(x.Preferential)))
	}
	for _, g := range y.Units {
		rows = append(rows, counts("unit", g.Key, "", g.Key, "", g.Counts, itoa(g.Counts.Eligible)))
	}
	for _, g := range y.Counties {
		rows = append(rows, counts("county", g.Key, "", "", g.Key, g.Counts, ""))
	}
	for _, g := range y.UsingUnits {
		rows = append(rows, counts("using-unit", g.Key, "", g.Key, "", g.Counts, ""))
	}
	rows = append(rows, counts("total", strconv.Itoa(y.Year), "", "", "", y.Totals, itoa(len(y.Preferential))))
	move := func(section string, m Movement) []string {
		r := make([]string, len(csvHeader))
		r[0], r[1], r[2] = section, cell(m.ExpertID), cell(m.Name)
		r[len(r)-3], r[len(r)-2], r[len(r)-1] = m.Date.In(cst).Format(time.DateOnly), cell(m.Kind), cell(m.Article)
		return r
	}
	for _, m := range y.Admissions {
		rows = append(rows, move("admission", m))
	}
	for _, m := range y.Exits {
		rows = append(rows, move("exit", m))
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }

func ratio(r evaluation.Ratio) string {
	if r.Den == 0 {
		return ""
	}
	return r.String()
}

// cell defuses text a spreadsheet would evaluate as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
