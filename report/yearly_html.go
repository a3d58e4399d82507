package report

import (
	"bytes"
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/wzsti/expertdb/evaluation"
)

//go:embed yearly.html.tmpl
var yearlyFiles embed.FS

var yearlyPage = template.Must(template.New("yearly.html.tmpl").Funcs(template.FuncMap{"pct": pct}).
	ParseFS(yearlyFiles, "yearly.html.tmpl"))

// YearlyPage is what the printable yearly report shows besides the statistics.
type YearlyPage struct {
	Stats *Yearly
	// Title is the database's name, e.g. 温州市科技专家库; "" means 科技专家库.
	Title string
	// Policy names the rule set (Policy.Name); Draft marks a policy not yet filed (Policy.Draft).
	Policy string
	Draft  bool
	// Generated is when the report was made (shown as is; the package reads no clock).
	Generated time.Time
	// MaxRows bounds the per-expert table (0 = 200); the CSV has every row.
	MaxRows int
}

// RenderYearly writes the yearly statistics as one self-contained, printable HTML page
// (A4, inline CSS, charts as inline SVG; no script, no external asset, no network): the
// totals, the distribution of participations per expert against the annual cap
// (Art. 14(1)), the rating distribution (Art. 25), usage per unit (Art. 23) and per county
// (Art. 13) with decline and no-show rates (Art. 8(2), 14(2)), next year's preferential-eligible list (Art. 25), the
// admissions and exits of the year (Art. 6, 10, 11) and the per-expert table (Art. 17, 26).
// Names are masked; every text is escaped by html/template.
func RenderYearly(w io.Writer, p YearlyPage) error {
	if p.Stats == nil {
		return fmt.Errorf("report: render yearly: no statistics")
	}
	v := yearlyView(p)
	var buf bytes.Buffer
	if err := yearlyPage.Execute(&buf, v); err != nil {
		return fmt.Errorf("report: render yearly: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// chart is an inline SVG bar chart, every coordinate computed here.
type chart struct {
	Title, Note string
	W, H        int
	Bars        []chartBar
	Lines       []chartLine
	Axis        int // y of the x axis (vertical charts) or x of the y axis (horizontal)
}

type chartBar struct {
	X, Y, W, H  int
	Fill        string
	Label       string
	LX, LY      int // label position
	Value       string
	VX, VY      int // value position
	LabelAnchor string
	ValueAnchor string
}

type chartLine struct {
	X1, Y1, X2, Y2 int
	Label          string
	LX, LY         int
}

type yearlyViewT struct {
	Title, Policy, Generated string
	Draft                    bool
	Year, NextYear           int
	S                        *Yearly
	Totals                   []kv
	Charts                   []chart
	Experts                  []ExpertYear
	Truncated                int
}

type kv struct{ K, V string }

func pct(r evaluation.Ratio) string {
	if r.Den == 0 {
		return "—"
	}
	// Integer arithmetic: tenths of a percent, rounded half up.
	n := (int64(r.Num)*1000*2 + int64(r.Den)) / (2 * int64(r.Den))
	return fmt.Sprintf("%d.%d%%（%d/%d）", n/10, n%10, r.Num, r.Den)
}

func yearlyView(p YearlyPage) yearlyViewT {
	s := p.Stats
	v := yearlyViewT{Title: p.Title, Policy: p.Policy, Draft: p.Draft, Year: s.Year, NextYear: s.Year + 1, S: s}
	if v.Title == "" {
		v.Title = "科技专家库"
	}
	if !p.Generated.IsZero() {
		v.Generated = p.Generated.In(cst).Format("2006-01-02 15:04")
	}
	t := s.Totals
	v.Totals = []kv{
		{"有记录的专家", strconv.Itoa(len(s.Experts))},
		{"抽取申请（各县市区合计）", strconv.Itoa(t.Requests)},
		{"通知专家（人次）", strconv.Itoa(t.Notified)},
		{"接受邀请（人次，计入年度上限）", strconv.Itoa(t.Accepted)},
		{"参与率（接受/通知）", pct(t.ParticipationRate())},
		{"拒绝率（拒绝/通知）", pct(t.DeclineRate())},
		{"逾期未回复（人次）", strconv.Itoa(t.NoAnswer)},
		{"出席 / 无故缺席 / 因故缺席（人次）", fmt.Sprintf("%d / %d / %d", t.Attended, t.NoShows, t.Excused)},
		{"缺席率（无故缺席/已登记出席情况）", pct(t.NoShowRate())},
		{"出席情况未登记（人次，不计为出席）", strconv.Itoa(t.Unrecorded)},
		{"履职评价（次）", strconv.Itoa(t.Rated())},
		{"优秀率", pct(t.ExcellentRate())},
		{fmt.Sprintf("%d年可择优选取的专家", s.Year+1), strconv.Itoa(len(s.Preferential))},
		{"入库（人次）", strconv.Itoa(len(s.Admissions))},
		{"出库（人次）", strconv.Itoa(len(s.Exits))},
	}
	v.Charts = []chart{usageHistogram(s), ratingChart(s), unitChart(s), countyChart(s), noShowChart(s)}
	limit := p.MaxRows
	if limit <= 0 {
		limit = 200
	}
	v.Experts = s.Experts
	if len(v.Experts) > limit {
		v.Truncated = len(v.Experts) - limit
		v.Experts = v.Experts[:limit]
	}
	return v
}

// Chart geometry (SVG user units).
const (
	chartW   = 640
	chartH   = 220
	padLeft  = 44
	padRight = 16
	padTop   = 30
	padBot   = 44
)

func scale(v, maxV, span int) int {
	if maxV <= 0 {
		return 0
	}
	return v * span / maxV
}

// usageHistogram: how many experts accepted k seats in the year, k = 0…10 and more.
func usageHistogram(s *Yearly) chart {
	const buckets = 12 // 0…10, >10
	var n [buckets]int
	for _, x := range s.Experts {
		k := min(x.Counts.Accepted, buckets-1)
		n[k]++
	}
	maxV := 1
	for _, c := range n {
		maxV = max(maxV, c)
	}
	c := chart{Title: "专家年度参与次数分布", Note: "横轴：每名专家本年接受邀请次数；竖线为第十四条第（一）项每年10次的上限", W: chartW, H: chartH, Axis: chartH - padBot}
	span := chartH - padTop - padBot
	bw := (chartW - padLeft - padRight) / buckets
	for i, cnt := range n {
		h := scale(cnt, maxV, span)
		x := padLeft + i*bw
		label := strconv.Itoa(i)
		if i == buckets-1 {
			label = ">10"
		}
		fill := "#4a6fa5"
		if i == buckets-1 {
			fill = "#b03a2e"
		}
		c.Bars = append(c.Bars, chartBar{X: x + 3, Y: c.Axis - h, W: bw - 6, H: h, Fill: fill,
			Label: label, LX: x + bw/2, LY: c.Axis + 24, LabelAnchor: "middle",
			Value: strconv.Itoa(cnt), VX: x + bw/2, VY: c.Axis - h - 4, ValueAnchor: "middle"})
	}
	capX := padLeft + (buckets-1)*bw - 1
	c.Lines = append(c.Lines, chartLine{X1: capX, Y1: padTop - 6, X2: capX, Y2: c.Axis, Label: "上限 10 次", LX: capX - 4, LY: padTop})
	return c
}

// ratingChart: the rating distribution of the year.
func ratingChart(s *Yearly) chart {
	t := s.Totals
	vals := []struct {
		label string
		n     int
		fill  string
	}{{"优秀", t.Excellent, "#2e7d32"}, {"良好", t.Good, "#4a6fa5"}, {"差", t.Poor, "#b03a2e"}}
	maxV := 1
	for _, x := range vals {
		maxV = max(maxV, x.n)
	}
	c := chart{Title: "履职评价等级分布（第二十五条）", Note: "优秀率 " + pct(t.ExcellentRate()), W: chartW, H: chartH, Axis: chartH - padBot}
	span := chartH - padTop - padBot
	bw := (chartW - padLeft - padRight) / len(vals)
	for i, x := range vals {
		h := scale(x.n, maxV, span)
		left := padLeft + i*bw
		c.Bars = append(c.Bars, chartBar{X: left + bw/4, Y: c.Axis - h, W: bw / 2, H: h, Fill: x.fill,
			Label: x.label, LX: left + bw/2, LY: c.Axis + 24, LabelAnchor: "middle",
			Value: strconv.Itoa(x.n), VX: left + bw/2, VY: c.Axis - h - 4, ValueAnchor: "middle"})
	}
	return c
}

// horizontal draws one horizontal bar per row.
func horizontal(title, note string, rows []struct {
	label string
	n     int
	value string
}, fill string) chart {
	const rowH, labelW = 22, 190
	maxV := 1
	for _, r := range rows {
		maxV = max(maxV, r.n)
	}
	h := padTop + len(rows)*rowH + 10
	if len(rows) == 0 {
		h = padTop + rowH
	}
	c := chart{Title: title, Note: note, W: chartW, H: h, Axis: labelW}
	span := chartW - labelW - 210
	for i, r := range rows {
		y := padTop + i*rowH
		w := scale(r.n, maxV, span)
		c.Bars = append(c.Bars, chartBar{X: labelW, Y: y + 3, W: w, H: rowH - 6, Fill: fill,
			Label: clipRunes(r.label, 14), LX: labelW - 6, LY: y + rowH/2 + 4, LabelAnchor: "end",
			Value: r.value, VX: labelW + w + 6, VY: y + rowH/2 + 4, ValueAnchor: "start"})
	}
	return c
}

// unitChart: accepted seats per unit (the 12 most used).
func unitChart(s *Yearly) chart {
	units := append([]GroupYear(nil), s.Units...)
	sortGroups(units, func(g GroupYear) int { return g.Counts.Accepted })
	var rows []struct {
		label string
		n     int
		value string
	}
	for i, g := range units {
		if i == 12 {
			break
		}
		rows = append(rows, struct {
			label string
			n     int
			value string
		}{g.Key, g.Counts.Accepted, fmt.Sprintf("%d 人次（%d 人）", g.Counts.Accepted, g.Counts.Members)})
	}
	note := "按专家所在单位统计接受邀请人次（第二十三条：专家所在单位履行主体责任）"
	if len(units) > 12 {
		note += fmt.Sprintf("；另有 %d 个单位见下表", len(units)-12)
	}
	return horizontal("各单位专家使用情况", note, rows, "#4a6fa5")
}

// countyChart: decline rate per county that drew, in tenths of a percent.
func countyChart(s *Yearly) chart {
	return countyRateChart(s, Counts.DeclineRate, func(c Counts) string { return fmt.Sprintf("，申请 %d 次", c.Requests) },
		"各县（市、区）抽取的专家拒绝率", "拒绝率 = 拒绝人次 / 通知人次（第十四条第（二）项）", "#b07a2e")
}

// noShowChart: no-show rate per county that drew, in tenths of a percent, with the seats
// whose attendance is not recorded yet (never counted as attended).
func noShowChart(s *Yearly) chart {
	return countyRateChart(s, Counts.NoShowRate, func(c Counts) string { return fmt.Sprintf("，未登记 %d", c.Unrecorded) },
		"各县（市、区）抽取的专家无故缺席率", "缺席率 = 无故缺席人次 / 已登记出席情况人次（第八条第（二）项）；未登记的不计为出席", "#7a3e9d")
}

// countyRateChart: one bar per county that drew, its length the rate in tenths of a
// percent, its label the rate and what extra says of the county's counts.
func countyRateChart(s *Yearly, rate func(Counts) evaluation.Ratio, extra func(Counts) string, title, note, colour string) chart {
	var rows []struct {
		label string
		n     int
		value string
	}
	for _, g := range s.Counties {
		r := rate(g.Counts)
		n := 0
		if r.Den > 0 {
			n = int(int64(r.Num) * 1000 / int64(r.Den))
		}
		rows = append(rows, struct {
			label string
			n     int
			value string
		}{regionLabel(g.Key), n, pct(r) + extra(g.Counts)})
	}
	return horizontal(title, note, rows, colour)
}

func sortGroups(gs []GroupYear, key func(GroupYear) int) {
	slices.SortStableFunc(gs, func(a, b GroupYear) int { return cmp.Or(cmp.Compare(key(b), key(a)), cmp.Compare(a.Key, b.Key)) })
}

// regionLabel names the Wenzhou divisions (GB/T 2260) it knows, else returns the code.
func regionLabel(code string) string {
	names := map[string]string{"330300": "温州市本级", "330302": "鹿城区", "330303": "龙湾区", "330304": "瓯海区",
		"330305": "洞头区", "330324": "永嘉县", "330326": "平阳县", "330327": "苍南县", "330328": "文成县",
		"330329": "泰顺县", "330381": "瑞安市", "330382": "乐清市", "330383": "龙港市"}
	if n, ok := names[code]; ok {
		return n + "（" + code + "）"
	}
	return code
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
