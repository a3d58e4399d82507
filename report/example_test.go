package report_test

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/internal/synth"
	"github.com/wzsti/expertdb/report"
	"github.com/wzsti/expertdb/selection"
)

// Render the draw record page of a draw and check what it shows: the request, the digests and
// the panel with names masked, never a mobile.
func ExampleRender() {
	pool := synth.Generate(synth.Options{Seed: 9, Size: 30})
	var experts []admission.Expert
	for _, app := range pool.Applications {
		e := app.Expert
		e.Status = admission.Active
		experts = append(experts, e)
	}
	req := selection.Request{ID: "R-EXAMPLE", Size: 3, At: time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)}
	entropy := selection.Entropy{Sources: [][]uint64{{2026031}, {3, 7, 11, 19, 24, 28, 33}}}
	res, err := selection.Draw(req, selection.Pool{Experts: experts}, entropy, nil)
	if err != nil {
		panic(err)
	}
	rec := &expertdb.DrawRecord{Version: "expertdb-draw-record-v1", Request: req, Unit: "高新技术处", Entropy: entropy,
		Pool: selection.Pool{Experts: experts}, Result: res}

	var buf bytes.Buffer
	if err := report.Render(&buf, report.Page{Record: rec, RecordFile: "R-EXAMPLE.json"}); err != nil {
		panic(err)
	}
	page := buf.String()
	fmt.Println(strings.Contains(page, "<title>专家抽取记录表 R-EXAMPLE</title>"))
	fmt.Println(strings.Contains(page, res.PoolDigest), strings.Contains(page, "2026031./3.7.11.19.24.28.33./"))
	for _, p := range res.Panel {
		for _, e := range experts {
			if e.ID == p.ExpertID {
				fmt.Println(p.ExpertID, audit.MaskName(e.Name), strings.Contains(page, audit.MaskName(e.Name)), strings.Contains(page, e.Mobile))
			}
		}
	}
	fmt.Println(strings.Contains(page, "expertctl replay R-EXAMPLE.json"))
	// Output:
	// true
	// true true
	// E00011 王** true false
	// E00006 徐** true false
	// E00008 程** true false
	// true
}
