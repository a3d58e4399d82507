package expertdb_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/selection"
)

func ExampleLoadPolicy() {
	p, err := expertdb.LoadPolicy([]byte(`name: 瑞安市科技专家库使用细则
region: "330381"
filing: 瑞科〔2026〕5号
effective: 2026-01-01
selection:
  annual_cap: 8
conflict:
  clause5:
    - name: county-government-staff
      expr: expert.Affiliation.Kind == "government" && expert.Region == project.Region
      message: 本市机关事业单位工作人员不参加本市项目评审
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range p.Changes() {
		fmt.Println(c)
	}
	fmt.Println(p.Selection.AnnualCap, p.Selection.Conflict == p.Conflict)
	// Output:
	// selection.annual_cap (Art. 14(1)): 10 → 8 [line 6]
	// conflict.clause5[county-government-staff] (Art. 15(5)): added expert.Affiliation.Kind == "government" && expert.Region == project.Region [line 9]
	// 8 true
}

func ExampleLoadPolicy_errors() {
	_, err := expertdb.LoadPolicy([]byte(`name: 某县细则
region: "330381"
selection:
  annual_cap: 八
conflict:
  clause5:
    - name: staff
      expr: expert.Affiliation.Kind == "government" && expert.Regin == project.Region
      message: 回避
`))
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		pe := e.(*expertdb.PolicyError)
		fmt.Printf("line %d, column %d, %s, %s\n", pe.Line, pe.Column, pe.Path, pe.Code)
	}
	// Output:
	// line 4, column 15, selection.annual_cap, type
	// line 8, column 63, conflict.clause5[staff].expr, expression
}

func ExamplePolicy_Describe() {
	p, err := expertdb.LoadPolicy([]byte(`name: 瑞安市科技专家库使用细则
region: "330381"
selection: {annual_cap: 8}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range strings.Split(p.Describe(), "\n") {
		if strings.Contains(l, "规则说明") || strings.Contains(l, "不超过 8 次") || strings.Contains(l, "selection.annual_cap") {
			fmt.Println(strings.TrimSpace(l))
		}
	}
	// Output:
	// 《瑞安市科技专家库使用细则》规则说明
	// （一）随机抽取：每名专家每年参与科技评审（咨询）活动不超过 8 次，按活动日期所在公历年度计算（本地调整）
	// 1. 每名专家年度参与次数上限：selection.annual_cap〔第十四条第（一）项〕市级规则 10 → 本地 8
}

func ExamplePolicy_Apply() {
	p, err := expertdb.LoadPolicy([]byte(`name: 瑞安市科技专家库使用细则
region: "330381"
request_rules:
  - name: key-project-outside-county
    message: 重点项目评审专家组中瑞安市以外的专家不少于半数
    when: '"key-project" in request.Labels'
    quotas:
      - {name: outside-county, filter: 'expert.Region != "330381"', min_share: 1/2}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	req := selection.Request{ID: "R-1", Size: 7}
	out, err := p.Apply(req, "key-project")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", out.Quotas)
	// Output:
	// [{Name:key-project-outside-county/outside-county Filter:expert.Region != "330381" Min:4 Max:0}]
}

func ExampleLoadPolicy_drawControls() {
	p, err := expertdb.LoadPolicy([]byte(`name: 瑞安市科技专家库使用细则
region: "330381"
selection:
  draw_window: {max_lead: 72h, min_lead: 2h}
  exclusions:
    - name: cooling-off
      article: Art. 15(5)
      expr: '!reviewedUnitWithin(project.Unit, 6)'
      message: 专家在本次活动前后 6 个月内评审过同一申报单位的项目，按本地使用细则回避
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range p.Changes() {
		fmt.Println(c)
	}
	// A draw four days before the activity is outside the county's window.
	at := time.Date(2026, 5, 20, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	req := selection.Request{ID: "R-1", Size: 3, At: at, DrawnAt: at.AddDate(0, 0, -4)}
	_, err = selection.Draw(req, selection.Pool{}, selection.Entropy{Sources: [][]uint64{{1}}}, p.Selection)
	var se *selection.Error
	if errors.As(err, &se) {
		fmt.Println(errors.Is(err, selection.ErrDrawWindow), se.Article, se.Code)
	}
	// Output:
	// selection.draw_window.max_lead (Art. 14(2)): 0 → 72h [line 4]
	// selection.draw_window.min_lead (Art. 14(2)): 0 → 2h [line 4]
	// selection.exclusions[cooling-off] (Art. 15(5)): added !reviewedUnitWithin(project.Unit, 6) [line 6]
	// true Art. 14(2) draw-too-early
}
