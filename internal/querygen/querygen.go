// Package querygen draws random experts and expert queries for the property tests that
// compare the stores' answers to expertdb.PageOf (the in-memory store, the Service's
// fallback scan and the SQL store on both engines).
package querygen

import (
	"context"
	"fmt"
	"time"

	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
)

// Small alphabets, so that random filters hit often.
var (
	names    = []string{"王伟", "李芳", "欧阳娜", "张敏", "Ann Lee", "王", "李%_", "王伟伟"}
	orgs     = []string{"温州大学", "温州医科大学", "正泰集团", "温州大学城", "大学", "a_b%c"}
	fields   = []string{"机械", "材料", "医药", "金融", "机械工程", "a|b", "x%"}
	cats     = []admission.Category{admission.Technical, admission.Management, admission.Strategy, admission.Economic}
	regions  = []string{"330302", "330381", "330105", "320102", ""}
	statuses = []admission.Status{admission.Pending, admission.Active, admission.Exited}
	base     = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
)

// IDNumber is a valid resident ID number of seq (0–999).
func IDNumber(seq int) string {
	first := fmt.Sprintf("330302%s%03d", "19700101", seq%1000)
	c, _ := admission.IDNumberCheckChar(first)
	return first + string(c)
}

// Expert draws an expert with ID id.
func Expert(t *rapid.T, id string) admission.Expert {
	e := admission.Expert{
		ID: id, Name: rapid.SampledFrom(names).Draw(t, "name"),
		IDNumber:    IDNumber(rapid.IntRange(0, 5).Draw(t, "idn")),
		Affiliation: admission.Affiliation{Org: rapid.SampledFrom(orgs).Draw(t, "org"), Kind: admission.University},
		Title:       admission.TitleLevel(rapid.IntRange(0, 4).Draw(t, "title")),
		Categories:  rapid.SliceOfNDistinct(rapid.SampledFrom(cats), 0, 3, rapid.ID).Draw(t, "cats"),
		Fields:      rapid.SliceOfNDistinct(rapid.SampledFrom(fields), 0, 3, rapid.ID).Draw(t, "fields"),
		Region:      rapid.SampledFrom(regions).Draw(t, "region"),
		Status:      rapid.SampledFrom(statuses).Draw(t, "status"),
		UpdatedAt:   base.Add(time.Duration(rapid.IntRange(0, 10).Draw(t, "upd")) * time.Hour).Add(time.Duration(rapid.IntRange(0, 999).Draw(t, "ns")) * time.Millisecond),
	}
	if rapid.Bool().Draw(t, "has-birth") {
		e.BirthDate = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	for i := range rapid.IntRange(0, 2).Draw(t, "entries") {
		e.Entries = append(e.Entries, admission.Entry{Channel: admission.ChannelApplication,
			Date: base.Add(time.Duration(rapid.IntRange(0, 10).Draw(t, fmt.Sprint("entry", i))) * time.Hour)})
	}
	return e
}

// Experts draws up to 40 experts, puts them into each store, and returns them.
func Experts(t *rapid.T, stores ...expertdb.ExpertStore) []admission.Expert {
	n := rapid.IntRange(0, 40).Draw(t, "n")
	var out []admission.Expert
	for i := range n {
		id := fmt.Sprintf("E%03d", rapid.IntRange(0, 200).Draw(t, fmt.Sprint("id", i)))
		e := Expert(t, id)
		for _, s := range stores {
			if err := s.Put(context.Background(), e); err != nil {
				t.Fatalf("put: %v", err)
			}
		}
		replaced := false
		for j := range out {
			if out[j].ID == id {
				out[j], replaced = e, true
			}
		}
		if !replaced {
			out = append(out, e)
		}
	}
	return out
}

// Filter draws a filter (each field set or not).
func Filter(t *rapid.T) expertdb.ExpertFilter {
	var f expertdb.ExpertFilter
	set := func(label string) bool { return rapid.IntRange(0, 3).Draw(t, label) == 0 }
	if set("status?") {
		f.Status = rapid.SampledFrom(statuses).Draw(t, "status")
	}
	if set("cat?") {
		f.Category = rapid.SampledFrom(cats).Draw(t, "cat")
	}
	if set("field?") {
		f.Field = rapid.SampledFrom(append(fields, "机")).Draw(t, "field")
	}
	if set("title?") {
		f.MinTitle = admission.TitleLevel(rapid.IntRange(0, 4).Draw(t, "title"))
	}
	if set("unit?") {
		f.Unit = rapid.SampledFrom(orgs).Draw(t, "unit")
	}
	if set("region?") {
		f.Region = rapid.SampledFrom([]string{"33", "3303", "330302", "330381", "32", "3"}).Draw(t, "region")
	}
	if set("text?") {
		f.Text = rapid.SampledFrom([]string{"王", "伟", "大学", "%", "_", "Lee", "温州大学城", "a_b"}).Draw(t, "text")
	}
	if set("idn?") {
		f.IDNumber = IDNumber(rapid.IntRange(0, 6).Draw(t, "idn"))
	}
	if set("admitted?") {
		f.AdmittedSince = base.Add(time.Duration(rapid.IntRange(0, 11).Draw(t, "admitted")) * time.Hour)
	}
	if set("updated?") {
		f.UpdatedSince = base.Add(time.Duration(rapid.IntRange(0, 11).Draw(t, "updated")) * time.Hour).Add(time.Duration(rapid.IntRange(0, 999).Draw(t, "uns")) * time.Millisecond)
	}
	return f
}

// Query draws a filter, a cursor and a limit.
func Query(t *rapid.T) expertdb.ExpertQuery {
	q := expertdb.ExpertQuery{Filter: Filter(t), Limit: rapid.IntRange(0, 12).Draw(t, "limit")}
	if rapid.Bool().Draw(t, "after?") {
		q.After = fmt.Sprintf("E%03d", rapid.IntRange(0, 200).Draw(t, "after"))
	}
	return q
}
